package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The background reclaimer thread on a real reclaimer and quiescence tree. */
class ReclaimerThreadTest {

    /** How long a wait that must succeed may take: as TestThreads.LONG (same system property). */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(
            60L * Integer.getInteger("nexus.test.timeoutFactor", 1));

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            Thread.sleep(1);
        }
    }

    /**
     * A step that throws (here the straggler sink, as a refused membarrier in the offlining handshake
     * would) does not end the reclaimer thread: it logs, backs off and later frees what is due.
     */
    @Test
    void threadSurvivesAStepThatThrows() throws InterruptedException {
        DomainLayout layout = new DomainLayout(64, 0);
        SharedRegion.setLongVolatile(layout.epoch(), Epoch.FIRST);
        QuiescenceTree tree = new QuiescenceTree(layout);
        AtomicInteger throwsLeft = new AtomicInteger(3);
        GracePeriodDetector.StragglerSink sink = (slot, word) -> {
            if (throwsLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("straggler sink fails on purpose");
            }
        };
        Reclaimer reclaimer = new Reclaimer("step-failure", layout.epoch(), tree, 2, Long.MAX_VALUE, 1, false,
                sink, () -> { }, ReadBarrier.cas());
        // a counted slot pinned at the first epoch: a straggler of every later grace period
        tree.arrive(5);
        SharedRegion.setLongVolatile(layout.slot(5), Epoch.pinned(Epoch.FIRST));
        AtomicInteger ran = new AtomicInteger();
        try {
            for (int i = 0; i < Bag.CAPACITY; i++) { // one full bag, sealed by retire
                assertThat(reclaimer.retire((Runnable) ran::incrementAndGet, null, 0)).isTrue();
            }
            reclaimer.start();
            await(() -> throwsLeft.get() < 0, "the failing steps");
            SharedRegion.setLongRelease(layout.slot(5), Epoch.IDLE); // the straggler unpins
            await(() -> ran.get() == Bag.CAPACITY, "the bag to be freed");
            assertThat(reclaimer.stepFailures()).isEqualTo(3);
        } finally {
            reclaimer.stop();
            reclaimer.reclaimAll();
        }
    }
}
