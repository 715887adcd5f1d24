package dev.nexus.zerocopy.internal.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The side memory of an export: zeroed, aligned pieces from few chunks, all freed at once, once. */
class SideMemoryTest {

    /** An allocator that counts chunks and frees. */
    private static final class Counting implements NativeAllocator {
        final List<MemorySegment> live = new ArrayList<>();
        int frees;

        @Override
        public MemorySegment allocate(long bytes, long alignment) {
            MemorySegment s = NativeAllocator.malloc().allocate(bytes, alignment);
            s.fill((byte) 0x5A); // garbage the side memory must zero
            live.add(s);
            return s;
        }

        @Override
        public void free(MemorySegment segment) {
            assertThat(live.remove(segment)).as("a chunk freed once").isTrue();
            NativeAllocator.malloc().free(segment);
            frees++;
        }
    }

    /** Small pieces share one chunk, come zeroed and aligned; a big piece gets its own chunk; free frees all, once. */
    @Test
    void piecesChunksAndFree() {
        Counting chunks = new Counting();
        SideMemory memory = new SideMemory(chunks);
        MemorySegment a = memory.allocate(80, 8);
        MemorySegment b = memory.allocate(3, 1);
        MemorySegment c = memory.allocate(16, 64);
        assertThat(chunks.live).hasSize(1);
        for (MemorySegment s : List.of(a, b, c)) {
            for (long i = 0; i < s.byteSize(); i++) {
                assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isZero();
            }
        }
        assertThat(a.address() % 8).isZero();
        assertThat(c.address() % 64).isZero();
        assertThat(b.address()).isGreaterThanOrEqualTo(a.address() + 80);
        assertThat(c.address()).isGreaterThanOrEqualTo(b.address() + 3);

        MemorySegment big = memory.allocate(SideMemory.CHUNK_BYTES * 3, 64);
        assertThat(chunks.live).hasSize(2);
        assertThat(big.byteSize()).isEqualTo(SideMemory.CHUNK_BYTES * 3);
        MemorySegment after = memory.allocate(8, 8);
        assertThat(chunks.live).as("small pieces keep filling the first chunk").hasSize(2);
        assertThat(after.address()).isBetween(a.address(), a.address() + SideMemory.CHUNK_BYTES);
        assertThat(memory.cString("+s").getString(0)).isEqualTo("+s");

        memory.free();
        memory.free();
        assertThat(chunks.frees).isEqualTo(2);
        assertThat(chunks.live).isEmpty();
        assertThatThrownBy(() -> memory.allocate(8, 8)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already freed");
    }
}
