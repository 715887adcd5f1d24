package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The membarrier read side's batched tags, on a real reclaimer and quiescence tree with no online
 * slot (every fqs completes a grace period): retire issues no membarrier, a reclaiming step issues
 * one per batch of sealed bags, and a failing membarrier leaves the batch untagged and unfreed
 * until a later step's membarrier succeeds.
 */
class ReclaimerBatchTagTest {

    /** How long a wait that must succeed may take: as TestThreads.LONG (same system property). */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(
            60L * Integer.getInteger("nexus.test.timeoutFactor", 1));

    private final DomainLayout layout = new DomainLayout(64, 0);
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicInteger ran = new AtomicInteger();
    private final ReadBarrier barrier = ReadBarrier.callingForTests(() -> {
        calls.incrementAndGet();
        if (failing.get()) {
            throw new IllegalStateException("membarrier refused on purpose");
        }
    });
    private final Reclaimer reclaimer = new Reclaimer("batch-tag", layout.epoch(),
            new QuiescenceTree(layout, barrier), 2, Long.MAX_VALUE, 1, false,
            GracePeriodDetector.StragglerSink.NONE, () -> { }, barrier);

    ReclaimerBatchTagTest() {
        SharedRegion.setLongVolatile(layout.epoch(), Epoch.FIRST);
    }

    @AfterEach
    void freeEverything() {
        reclaimer.reclaimAll();
    }

    private void retire(int actions) {
        for (int i = 0; i < actions; i++) {
            assertThat(reclaimer.retire((Runnable) ran::incrementAndGet, null, 0)).isTrue();
        }
    }

    private void steps(int n) {
        for (int i = 0; i < n; i++) {
            assertThat(reclaimer.tryStep(GracePeriodDetector.StragglerSink.NONE)).isTrue();
        }
    }

    /**
     * Retire and seal issue no membarrier; a step tags nothing until {@link Reclaimer#TAG_BATCH_BAGS}
     * bags are sealed, then tags them all with one.
     */
    @Test
    void oneMembarrierPerBatchNotPerBag() {
        retire((Reclaimer.TAG_BATCH_BAGS - 1) * Bag.CAPACITY); // full bags, sealed by retire itself
        steps(3);
        assertThat(calls).hasValue(0);
        assertThat(ran).hasValue(0);
        retire(Bag.CAPACITY);
        steps(1);
        assertThat(calls).hasValue(1);
        steps(3);
        assertThat(ran).hasValue(Reclaimer.TAG_BATCH_BAGS * Bag.CAPACITY);
        assertThat(calls).hasValue(1); // later steps had no new bag to tag
    }

    /**
     * A partial batch left untagged is no work for inline reclamation (a step per retire for it would
     * cost what batching saves); a newly sealed bag is.
     */
    @Test
    void partialBatchIsNoInlineWork() {
        retire(Bag.CAPACITY);
        assertThat(reclaimer.hasWork()).isTrue(); // sealed, not yet taken
        steps(1);
        assertThat(calls).hasValue(0);
        assertThat(reclaimer.hasWork()).isFalse();
        assertThat(reclaimer.waitingBags()).isEqualTo(1);
        retire(Bag.CAPACITY);
        assertThat(reclaimer.hasWork()).isTrue();
    }

    /** A partial batch is tagged after {@link Reclaimer#MAX_DEFERRED_STEPS} steps without a waiter. */
    @Test
    void partialBatchIsTaggedAfterEnoughSteps() {
        retire(Bag.CAPACITY);
        steps(Reclaimer.MAX_DEFERRED_STEPS - 1);
        assertThat(calls).hasValue(0);
        steps(1);
        assertThat(calls).hasValue(1);
        steps(3);
        assertThat(ran).hasValue(Bag.CAPACITY);
    }

    /** A thread that waits (driveUntil) has a partial batch tagged at once. */
    @Test
    void waiterTagsAPartialBatchAtOnce() throws InterruptedException {
        retire(3);
        reclaimer.flushAll();
        assertThat(reclaimer.driveUntil(() -> ran.get() == 3, GracePeriodDetector.StragglerSink.NONE,
                System.nanoTime() + WAIT_NANOS)).isTrue();
        assertThat(calls).hasValue(1);
    }

    /**
     * A membarrier that fails (after a successful registration) neither escapes retire or the step
     * nor frees anything: the batch stays untagged, and is freed after a later membarrier works.
     */
    @Test
    void failingMembarrierKeepsTheBatchUntaggedAndLosesNothing() throws InterruptedException {
        failing.set(true);
        retire(10);
        reclaimer.flushAll(); // hands the partly filled bag over: no system call here
        assertThat(reclaimer.driveUntil(() -> ran.get() > 0, GracePeriodDetector.StragglerSink.NONE,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(ran).hasValue(0);
        assertThat(reclaimer.membarrierFailures()).isPositive();
        assertThat(reclaimer.waitingBags()).isEqualTo(1);
        failing.set(false);
        assertThat(reclaimer.driveUntil(() -> ran.get() == 10, GracePeriodDetector.StragglerSink.NONE,
                System.nanoTime() + WAIT_NANOS)).isTrue();
        steps(1);
        assertThat(reclaimer.waitingBags()).isZero();
    }
}
