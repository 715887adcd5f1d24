package dev.nexus.slab.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.NativeAllocator;
import org.junit.jupiter.api.Test;

/** The free-slot order of the pool: LIFO for recycled slots, index order for fresh ones, -1 when exhausted. */
class SlotPoolTest {

    /** Fresh slots come in index order, released ones come back last-in first-out, then -1. */
    @Test
    void lifoThenFreshThenFull() {
        SlabLayout layout = new SlabLayout(8, 8, 4);
        SlabDirectory directory = new SlabDirectory("pool", layout, 10, NativeAllocator.malloc(), false, false);
        KeyCodec keys = new KeyCodec(0, 0, 4);
        SlotPool pool = new SlotPool(directory, keys, 10);
        try {
            assertThat(pool.acquire()).isZero();
            assertThat(pool.acquire()).isEqualTo(1);
            assertThat(pool.acquire()).isEqualTo(2);
            assertThat(directory.allocatedSlabs()).isEqualTo(1);
            pool.release(0);
            pool.release(2);
            assertThat(pool.acquire()).isEqualTo(2);
            assertThat(pool.acquire()).isZero();
            for (int expected = 3; expected < 10; expected++) {
                assertThat(pool.acquire()).isEqualTo(expected);
            }
            assertThat(directory.allocatedSlabs()).isEqualTo(3);
            assertThat(directory.slotsIn(2)).isEqualTo(2); // the last slab is short
            assertThat(pool.acquire()).isEqualTo(-1);
            pool.release(7);
            assertThat(pool.acquire()).isEqualTo(7);
            assertThat(pool.freshVolatile()).isEqualTo(10);
        } finally {
            directory.releaseAll();
        }
    }
}
