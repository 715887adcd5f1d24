package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.SharedRegion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link StalledGuard#stalledFor()} is a lower bound on the guard's age: measured from the start of
 * the grace period actually waited for, and from when the guard was first seen pinned.
 */
class StallMonitorTest {

    private static final Duration THRESHOLD = Duration.ofMillis(50);

    /**
     * A grace period that ends inside a step (no epoch observation in between) does not lend its
     * age to the next one: a guard pinned just now is not reported as stalled for the old period's
     * length; once it really has been seen pinned past the threshold, it is reported with at most
     * the time since it was first seen.
     */
    @Test
    void stalledForIsALowerBoundOnTheGuardsAge() throws Exception {
        List<StalledGuard> reports = new CopyOnWriteArrayList<>();
        try (EpochDomain domain = EpochDomain.builder().name("stall-age").reclaimInline(true).build()) {
            StallMonitor monitor = new StallMonitor(domain, THRESHOLD.toNanos(), reports::add);
            monitor.observeEpoch(); // grace period 1 starts (as seen by the monitor)
            Thread.sleep(THRESHOLD.multipliedBy(2).toMillis());
            try (Guard guard = domain.pin()) {
                int slot = ((PooledGuard) guard).slot();
                long word = SharedRegion.getLongVolatile(domain.slotBase + ((long) slot << 7));
                // grace period 1 ends (the guard pinned at 1 does not hold it): E = 2, unobserved
                assertThat(domain.detector.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE))
                        .isTrue();
                long firstSeen = System.nanoTime();
                monitor.straggler(slot, word); // a straggler of grace period 2, younger than 1 ms
                assertThat(reports).as("a guard pinned just now reported as stalled").isEmpty();
                Thread.sleep(THRESHOLD.multipliedBy(2).toMillis());
                monitor.straggler(slot, word);
                long age = System.nanoTime() - firstSeen;
                assertThat(reports).singleElement().satisfies(stall -> {
                    assertThat(stall.stalledFor()).isGreaterThanOrEqualTo(THRESHOLD);
                    assertThat(stall.stalledFor().toNanos()).isLessThanOrEqualTo(age);
                });
            }
        }
    }
}
