package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The README's first example, verbatim: it reads only memory it initialised, and frees all it retires. */
class ReadmeExampleTest {

    /** The example runs, reads zeros (not undefined malloc contents) and leaves nothing pending. */
    @Test
    void firstExample() {
        long seen;
        EpochDomain domain = EpochDomain.create();
        NativeAllocator malloc = NativeAllocator.malloc();
        AtomicReference<MemorySegment> link = new AtomicReference<>(
                malloc.allocate(64).fill((byte) 0));          // malloc'd memory starts undefined

        try (Guard guard = domain.pin()) {                    // readers, on any thread
            long first = link.get().get(ValueLayout.JAVA_LONG, 0);
            seen = first;
        }
        MemorySegment fresh = malloc.allocate(64).fill((byte) 0);
        MemorySegment old = link.getAndSet(fresh);            // a writer unlinks...
        domain.retire(old, malloc);                           // ...and retires: freed after a grace period
        domain.close();                                       // frees what is left once guards are closed

        assertThat(seen).isZero();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        malloc.free(link.get());
    }
}
