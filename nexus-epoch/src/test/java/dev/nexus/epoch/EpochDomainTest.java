package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Basic behaviour of an epoch domain, under both detectors. */
class EpochDomainTest {

    /** A retired segment is freed after synchronize() and barrier(), and counted in the stats. */
    @ParameterizedTest
    @EnumSource(Detector.class)
    void retireThenBarrierFrees(Detector detector) {
        AtomicInteger freed = new AtomicInteger();
        NativeAllocator counting = new NativeAllocator() {
            @Override
            public MemorySegment allocate(long bytes, long alignment) {
                return NativeAllocator.malloc().allocate(bytes, alignment);
            }

            @Override
            public void free(MemorySegment segment) {
                freed.incrementAndGet();
                NativeAllocator.malloc().free(segment);
            }
        };
        try (EpochDomain domain = EpochDomain.builder().detector(detector).build()) {
            for (int i = 0; i < 1000; i++) {
                try (Guard g = domain.pin()) {
                    assertThat(g.isPinned()).isTrue();
                }
                domain.retire(counting.allocate(64), counting);
            }
            long before = domain.stats().epoch();
            domain.synchronize();
            assertThat(domain.stats().epoch()).isGreaterThanOrEqualTo(before + 2);
            domain.barrier();
            assertThat(freed.get()).isEqualTo(1000);
            EpochStats stats = domain.stats();
            assertThat(stats.retiredCount()).isEqualTo(1000);
            assertThat(stats.reclaimedBytes()).isEqualTo(64_000);
            assertThat(stats.pendingBytes()).isZero();
        }
    }
}
