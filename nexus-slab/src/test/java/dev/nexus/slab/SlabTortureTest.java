package dev.nexus.slab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.PrimitiveIterator;
import org.junit.jupiter.api.Test;

/**
 * Concurrent torture of the slab ({@link SlabTorture}): readers in guards never see a slot reused,
 * and the deliberately broken slab (no grace period) is caught. Lengthen the clean run with
 * {@code -Dnexus.test.argLine=-Dnexus.torture.seconds=600}.
 */
class SlabTortureTest {

    /** Length of the clean torture run. */
    static final Duration TORTURE = Duration.ofSeconds(Long.getLong("nexus.torture.seconds", 3));

    /** The broken run stops at its first violation, or fails after this long. */
    static final Duration BROKEN_DEADLINE = TestThreads.LONG.dividedBy(4);

    /** Readers inside guards never observe poison or another key's record while writers churn and the slab grows. */
    @Test
    void pinnedReaderNeverSeesItsSlotReused() {
        try (EpochDomain domain = EpochDomain.builder().name("torture").build();
                Slab slab = Slab.builder(domain).name("torture").slotSize(SlabTorture.RECORD_BYTES)
                        .slotsPerSlab(64).capacity(1 << 16).poisonOnRecycle(true).build()) {
            SlabTorture.Result result = SlabTorture.run(domain, slab, 2, 2, 256, TORTURE, false);
            System.out.println("torture: " + result + ", " + slab.report().slabs() + " slabs");
            assertThat(result.violations()).as("first violation: %s", result.firstViolation()).isZero();
            assertThat(result.checks()).isPositive();
            assertThat(result.writes()).isGreaterThan(1000);
            assertLiveKeysIntact(domain, slab);
        }
    }

    /** The same run on the fixed variant, where FULL is reached and every slot is reused many times. */
    @Test
    void pinnedReaderNeverSeesItsSlotReusedInFixedSlab() {
        try (EpochDomain domain = EpochDomain.builder().name("torture-fixed").build();
                Slab slab = Slab.builder(domain).slotSize(SlabTorture.RECORD_BYTES).slotsPerSlab(64).capacity(512)
                        .fixed().poisonOnRecycle(true).build()) {
            SlabTorture.Result result = SlabTorture.run(domain, slab, 2, 2, 128, TORTURE, false);
            System.out.println("torture (fixed): " + result);
            assertThat(result.violations()).as("first violation: %s", result.firstViolation()).isZero();
            assertThat(result.writes()).isGreaterThan(512L * 4);
            assertLiveKeysIntact(domain, slab);
        }
    }

    /** Recycling without a grace period (the package-private test switch) is caught as a violation. */
    @Test
    void brokenReuseIsCaught() {
        try (EpochDomain domain = EpochDomain.builder().name("torture-broken").build();
                Slab slab = Slab.builder(domain).name("broken").slotSize(SlabTorture.RECORD_BYTES).slotsPerSlab(64)
                        .capacity(1 << 12).poisonOnRecycle(true).brokenRecycleWithoutGracePeriodForTests().build()) {
            SlabTorture.Result result = SlabTorture.run(domain, slab, 2, 2, 16, BROKEN_DEADLINE, true);
            System.out.println("torture (broken): " + result);
            assertThat(result.violations()).as("the broken slab must be caught").isPositive();
            assertThat(result.firstViolation()).containsAnyOf("poison", "record of key", "version", "checksum");
        }
    }

    private static void assertLiveKeysIntact(EpochDomain domain, Slab slab) {
        domain.barrier();
        assertThat(slab.report().pendingSlots()).isZero();
        long live = 0;
        try (Guard _ = domain.pin()) {
            for (PrimitiveIterator.OfLong it = slab.keys(); it.hasNext(); ) {
                long key = it.nextLong();
                MemorySegment record = slab.get(key);
                assertThat(SlabTorture.check(record, key, record.get(ValueLayout.JAVA_LONG, Long.BYTES))).isNull();
                live++;
            }
        }
        assertThat(slab.size()).isEqualTo(live);
    }
}
