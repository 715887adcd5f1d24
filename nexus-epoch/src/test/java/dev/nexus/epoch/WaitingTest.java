package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Waiting is Java-like: interrupts end every wait (untimed forms: {@link InterruptedWaitException}
 * with the interrupt status set again; timed forms: {@link InterruptedException}), timed forms give
 * up after their timeout, and a close that fails or gives up leaves the domain open and usable.
 */
class WaitingTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();
    /** A timeout a wait is expected to reach (a guard of another thread holds it back). */
    private static final Duration BRIEF = Duration.ofMillis(100);

    /** A guard held open on another thread until {@link #close()}. */
    private static final class Holder implements AutoCloseable {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        Holder(EpochDomain domain) throws InterruptedException {
            CountDownLatch pinned = new CountDownLatch(1);
            thread = Thread.ofPlatform().start(() -> {
                try (Guard g = domain.pin()) {
                    pinned.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pinned.await();
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            assertThat(thread.join(TestThreads.LONG)).isTrue();
        }
    }

    /** Runs {@code body} on a new thread, interrupts it once it waits, and returns what it threw. */
    private static Throwable interruptWhileWaiting(TestThreads.ThrowingRunnable body) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        Thread.sleep(BRIEF.toMillis()); // let it start waiting
        waiter.interrupt();
        assertThat(waiter.join(TestThreads.SHORT)).as("the interrupted wait returned").isTrue();
        if (thrown.get() instanceof InterruptedWaitException) {
            assertThat(flagAfter.get()).as("interrupt status set again").isTrue();
            assertThat(thrown.get()).hasCauseInstanceOf(InterruptedException.class);
        }
        return thrown.get();
    }

    /** synchronize(), barrier() and close() end with InterruptedWaitException when interrupted. */
    @Test
    void untimedWaitsHonourInterrupts() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("interrupted").build();
        try (Holder holder = new Holder(domain)) {
            assertThat(interruptWhileWaiting(domain::synchronize)).isInstanceOf(InterruptedWaitException.class)
                    .hasMessageContaining("synchronize()").hasMessageContaining("'interrupted'");
            domain.retire(MALLOC.allocate(64), MALLOC);
            assertThat(interruptWhileWaiting(domain::barrier)).isInstanceOf(InterruptedWaitException.class);
            assertThat(interruptWhileWaiting(domain::close)).isInstanceOf(InterruptedWaitException.class);
            assertThat(domain.isClosed()).as("an interrupted close leaves the domain open").isFalse();
            domain.pin().close();
        }
        domain.close();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
    }

    /** The timed forms throw InterruptedException when interrupted. */
    @Test
    void timedWaitsThrowInterruptedException() throws Exception {
        EpochDomain domain = EpochDomain.create();
        try (Holder holder = new Holder(domain)) {
            assertThat(interruptWhileWaiting(() -> domain.trySynchronize(TestThreads.LONG)))
                    .isInstanceOf(InterruptedException.class);
            domain.defer(() -> { });
            assertThat(interruptWhileWaiting(() -> domain.awaitBarrier(TestThreads.LONG)))
                    .isInstanceOf(InterruptedException.class);
            assertThat(interruptWhileWaiting(() -> domain.close(TestThreads.LONG)))
                    .isInstanceOf(InterruptedException.class);
            assertThat(domain.isClosed()).isFalse();
        }
        assertThat(domain.close(TestThreads.LONG)).isTrue();
    }

    /** Timed forms give up after their timeout with false, and succeed once the guard is closed. */
    @Test
    void timedWaitsGiveUp() throws Exception {
        EpochDomain domain = EpochDomain.create();
        try (Holder holder = new Holder(domain)) {
            assertThat(domain.trySynchronize(BRIEF)).isFalse();
            domain.retire(MALLOC.allocate(64), MALLOC);
            assertThat(domain.awaitBarrier(BRIEF)).isFalse();
            assertThat(domain.trySynchronize(Duration.ZERO)).isFalse();
        }
        assertThat(domain.trySynchronize(TestThreads.LONG)).isTrue();
        assertThat(domain.awaitBarrier(TestThreads.LONG)).isTrue();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        assertThatThrownBy(() -> domain.trySynchronize(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=");
        assertThatThrownBy(() -> domain.awaitBarrier(null)).isInstanceOf(NullPointerException.class);
        domain.close();
    }

    /**
     * A close that times out leaves the domain as it was: open, pins, retires and waits work, and
     * what was pending is still freed once.
     */
    @Test
    void timedOutCloseLeavesTheDomainOpen() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("reopened").build();
        MemorySegment first = MALLOC.allocate(64);
        domain.retire(first, MALLOC);
        try (Holder holder = new Holder(domain)) {
            assertThat(domain.close(BRIEF)).isFalse();
            assertThat(domain.isClosed()).isFalse();
            try (Guard g = domain.pin()) {
                assertThat(g.isPinned()).isTrue();
            }
            domain.retire(MALLOC.allocate(64), MALLOC);
        }
        domain.barrier();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(2);
        assertThat(domain.close(TestThreads.LONG)).isTrue();
        assertThat(domain.close(Duration.ZERO)).as("idempotent").isTrue();
        assertThatThrownBy(domain::pin).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /** A close inside the caller's own guard fails fast and leaves the domain open (not half-closed). */
    @Test
    void failedCloseLeavesTheDomainOpen() {
        EpochDomain domain = EpochDomain.create();
        try (Guard g = domain.pin()) {
            assertThatThrownBy(domain::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("close()");
            assertThat(domain.isClosed()).isFalse();
            domain.defer(() -> { }); // still accepts work
        }
        domain.barrier();
        domain.close();
        assertThat(domain.isClosed()).isTrue();
    }

    /** A close with nothing to wait for closes even when the caller's interrupt status is set. */
    @Test
    void closeWithNothingToWaitForIgnoresAPendingInterrupt() {
        EpochDomain domain = EpochDomain.create();
        domain.defer(() -> { });
        Thread.currentThread().interrupt();
        try {
            domain.close();
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(domain.isClosed()).isTrue();
    }

    /** retire under BudgetPolicy.BLOCK, waiting for the budget, ends when interrupted; the segment stays the caller's. */
    @Test
    void blockedRetireHonoursInterrupts() throws Exception {
        EpochDomain domain = EpochDomain.builder().garbageBudget(8192, BudgetPolicy.BLOCK).build();
        try (Holder holder = new Holder(domain)) {
            domain.retire(MALLOC.allocate(4096), MALLOC);
            domain.retire(MALLOC.allocate(4096), MALLOC);
            MemorySegment third = MALLOC.allocate(4096);
            assertThat(interruptWhileWaiting(() -> domain.retire(third, MALLOC)))
                    .isInstanceOf(InterruptedWaitException.class).hasMessageContaining("garbage budget");
            MALLOC.free(third); // still ours
        }
        domain.close();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(2);
    }

    /**
     * Two threads each holding a guard of one domain and waiting for the other domain (the A/B
     * deadlock) escape by timeout, and by interrupt.
     */
    @Test
    void crossDomainDeadlockIsEscapable() throws Exception {
        EpochDomain a = EpochDomain.builder().name("A").build();
        EpochDomain b = EpochDomain.builder().name("B").build();
        try (TestThreads threads = new TestThreads()) {
            CountDownLatch bothPinned = new CountDownLatch(2);
            CountDownLatch bothGaveUp = new CountDownLatch(2); // no guard closes before both gave up
            threads.platform("holds-A-waits-B", () -> {
                try (Guard g = a.pin()) {
                    bothPinned.countDown();
                    bothPinned.await();
                    assertThat(b.trySynchronize(BRIEF)).isFalse();
                    bothGaveUp.countDown();
                    bothGaveUp.await();
                }
            });
            threads.platform("holds-B-waits-A", () -> {
                try (Guard g = b.pin()) {
                    bothPinned.countDown();
                    bothPinned.await();
                    assertThat(a.trySynchronize(BRIEF)).isFalse();
                    bothGaveUp.countDown();
                    bothGaveUp.await();
                }
            });
        }
        CountDownLatch bothPinned = new CountDownLatch(2);
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Throwable> second = new AtomicReference<>();
        CountDownLatch bothThrew = new CountDownLatch(2);
        Thread t1 = Thread.ofPlatform().start(() -> crossWait(a, b, bothPinned, bothThrew, first));
        Thread t2 = Thread.ofPlatform().start(() -> crossWait(b, a, bothPinned, bothThrew, second));
        bothPinned.await();
        Thread.sleep(BRIEF.toMillis());
        t1.interrupt();
        t2.interrupt();
        assertThat(t1.join(TestThreads.SHORT)).isTrue();
        assertThat(t2.join(TestThreads.SHORT)).isTrue();
        assertThat(first.get()).isInstanceOf(InterruptedWaitException.class);
        assertThat(second.get()).isInstanceOf(InterruptedWaitException.class);
        a.close();
        b.close();
    }

    private static void crossWait(EpochDomain mine, EpochDomain other, CountDownLatch bothPinned,
            CountDownLatch bothThrew, AtomicReference<Throwable> thrown) {
        Guard g = mine.pin();
        try {
            bothPinned.countDown();
            bothPinned.await();
            other.synchronize();
        } catch (Throwable t) {
            thrown.set(t);
        } finally {
            boolean interrupted = Thread.interrupted(); // set again by InterruptedWaitException
            bothThrew.countDown();
            try {
                bothThrew.await(); // the other wait must end by its interrupt, not by this close
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            g.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
