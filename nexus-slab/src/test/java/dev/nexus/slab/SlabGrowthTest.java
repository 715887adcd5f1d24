package dev.nexus.slab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/** Growth adds slabs and never copies or moves a live record. */
class SlabGrowthTest {

    /** Records keep their addresses and contents while the slab grows from one slab to fifty. */
    @Test
    void liveSegmentsKeepTheirAddressesAcrossGrowth() {
        AtomicInteger allocations = new AtomicInteger();
        try (EpochDomain domain = EpochDomain.create();
                Slab slab = Slab.builder(domain).slotSize(32).slotsPerSlab(64).capacity(64 * 100)
                        .allocator(SlabTest.counting(allocations, new AtomicInteger())).build()) {
            int n = 64 * 50;
            long[] keys = new long[n];
            long[] addresses = new long[n];
            for (int i = 0; i < n; i++) {
                long value = i;
                keys[i] = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, value));
                addresses[i] = slab.get(keys[i]).address();
                if (i % 64 == 0) { // every record so far is where it was when the new slab arrived
                    for (int j = 0; j <= i; j++) {
                        assertThat(slab.get(keys[j]).address()).isEqualTo(addresses[j]);
                    }
                }
            }
            assertThat(allocations).hasValue(50);
            assertThat(slab.report().slabs()).isEqualTo(50);
            try (Guard _ = domain.pin()) {
                for (int i = 0; i < n; i++) {
                    MemorySegment s = slab.get(keys[i]);
                    assertThat(s.address()).isEqualTo(addresses[i]);
                    assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(i);
                }
            }
        }
    }

    /** A reader holding a segment inside a guard keeps reading it intact while other threads grow the slab. */
    @Test
    void readerIsUndisturbedByConcurrentGrowth() {
        int n = 64 * 200;
        try (EpochDomain domain = EpochDomain.create();
                Slab slab = Slab.builder(domain).slotSize(16).slotsPerSlab(64).capacity(n).build()) {
            AtomicLongArray keys = new AtomicLongArray(n);
            long first = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, 12345L));
            try (TestThreads threads = new TestThreads()) {
                threads.platform("reader", () -> {
                    try (Guard _ = domain.pin()) {
                        MemorySegment s = slab.get(first);
                        long address = s.address();
                        for (int i = 1; i < n; i++) {
                            long key;
                            while ((key = keys.get(i)) == 0 && !threads.anyFailed()) {
                                Thread.onSpinWait();
                            }
                            assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(12345L);
                            assertThat(slab.get(first).address()).isEqualTo(address);
                            assertThat(slab.get(key).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(i);
                        }
                    }
                });
                threads.platform("grower", () -> {
                    for (int i = 1; i < n; i++) {
                        long value = i;
                        keys.set(i, slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, value)));
                    }
                });
            }
            assertThat(slab.report().slabs()).isEqualTo(200);
        }
    }

    /** The fixed variant allocates all its slabs in build() and no more, however it is used. */
    @Test
    void fixedNeverGrows() {
        AtomicInteger allocations = new AtomicInteger();
        try (EpochDomain domain = EpochDomain.create();
                Slab slab = Slab.builder(domain).slotSize(8).slotsPerSlab(32).capacity(100).fixed()
                        .allocator(SlabTest.counting(allocations, new AtomicInteger())).build()) {
            assertThat(allocations).hasValue(4);
            for (int round = 0; round < 3; round++) {
                long[] keys = new long[100];
                for (int i = 0; i < 100; i++) {
                    keys[i] = slab.insert(s -> { });
                }
                assertThat(slab.insert(s -> { })).isEqualTo(Slab.FULL);
                for (long key : keys) {
                    slab.remove(key);
                }
                domain.barrier();
            }
            assertThat(allocations).hasValue(4);
        }
    }
}
