package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Deferred actions, budgets, inline reclamation and stall reports. */
class ReclamationTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    /** A deferred action runs only after the guard that was open at defer time has closed. */
    @Test
    void deferWaitsForOpenGuard() throws Exception {
        try (EpochDomain domain = EpochDomain.create(); TestThreads threads = new TestThreads()) {
            CountDownLatch pinned = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean guardClosed = new AtomicBoolean();
            AtomicBoolean ranAfterClose = new AtomicBoolean();
            threads.platform("reader", () -> {
                try (Guard g = domain.pin()) {
                    pinned.countDown();
                    release.await();
                    guardClosed.set(true);
                }
            });
            pinned.await();
            domain.defer(() -> ranAfterClose.set(guardClosed.get()));
            Thread.sleep(50);
            assertThat(domain.stats().reclaimedCount()).isZero();
            release.countDown();
            domain.barrier();
            assertThat(ranAfterClose.get()).isTrue();
        }
    }

    /** The background reclaimer frees garbage without any further call. */
    @Test
    void reclaimerRunsByItself() throws Exception {
        try (EpochDomain domain = EpochDomain.create()) {
            for (int i = 0; i < 10; i++) {
                domain.retire(MALLOC.allocate(128), MALLOC);
            }
            long deadline = System.nanoTime() + TestThreads.LONG.toNanos();
            while (domain.stats().reclaimedCount() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(domain.stats().reclaimedCount()).isEqualTo(10);
        }
    }

    /** Inline reclamation frees without a reclaimer thread. */
    @Test
    void inlineReclamation() {
        try (EpochDomain domain = EpochDomain.builder().name("inline-test").reclaimInline(true).build()) {
            for (int i = 0; i < 10_000; i++) {
                domain.retire(MALLOC.allocate(32), MALLOC);
            }
            assertThat(domain.stats().reclaimedCount()).as("freed along the way").isPositive();
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(10_000);
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                    t -> t.getName().equals("nexus-reclaimer-inline-test"));
        }
    }

    /** With inline reclamation, deferred actions run along the way and all of them by barrier(). */
    @Test
    void inlineDefersRun() {
        AtomicLong ran = new AtomicLong();
        try (EpochDomain domain = EpochDomain.builder().reclaimInline(true).build()) {
            for (int i = 0; i < 10_000; i++) {
                domain.defer(ran::incrementAndGet);
            }
            assertThat(ran.get()).as("run along the way").isPositive();
            domain.barrier();
            assertThat(ran.get()).isEqualTo(10_000);
        }
    }

    /** A deferred action may retire more, but may not wait on its own domain (it fails fast). */
    @Test
    void deferredActionsCallingTheDomain() {
        AtomicReference<Throwable> barrierFailure = new AtomicReference<>();
        AtomicLong chained = new AtomicLong();
        try (EpochDomain domain = EpochDomain.builder().garbageBudget(4096, BudgetPolicy.BLOCK).build()) {
            domain.defer(() -> {
                for (int i = 0; i < 4; i++) {
                    domain.retire(MALLOC.allocate(4096), MALLOC); // over budget: must not block here
                    chained.incrementAndGet();
                }
                try {
                    domain.barrier();
                } catch (IllegalStateException e) {
                    barrierFailure.set(e);
                }
            });
            domain.barrier();
            domain.barrier();
            assertThat(chained.get()).isEqualTo(4);
            assertThat(barrierFailure.get()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("deferred action");
        }
    }

    /** Under BLOCK, a retire past the budget waits for the stalled reader and then succeeds. */
    @Test
    void budgetBlockWaitsForReader() throws Exception {
        try (EpochDomain domain = EpochDomain.builder().garbageBudget(16 * 1024, BudgetPolicy.BLOCK).build();
                TestThreads threads = new TestThreads()) {
            CountDownLatch pinned = new CountDownLatch(1);
            AtomicLong closedAt = new AtomicLong();
            threads.platform("slow-reader", () -> {
                try (Guard g = domain.pin()) {
                    pinned.countDown();
                    Thread.sleep(200);
                    closedAt.set(System.nanoTime());
                }
            });
            pinned.await();
            for (int i = 0; i < 8; i++) {
                domain.retire(MALLOC.allocate(4096), MALLOC);
            }
            assertThat(closedAt.get()).as("some retire had to wait for the reader").isNotZero();
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(8);
        }
    }

    /** Under GROW, retires beyond the budget are accepted and counted. */
    @Test
    void budgetGrowCountsOverruns() {
        try (EpochDomain domain = EpochDomain.builder().garbageBudget(4096, BudgetPolicy.GROW).build()) {
            Guard g = domain.pin();
            for (int i = 0; i < 4; i++) {
                domain.retire(MALLOC.allocate(4096), MALLOC);
            }
            assertThat(domain.stats().budgetOverruns()).isPositive();
            g.close();
            domain.barrier();
        }
    }

    /** A guard held past the stall threshold is reported with its thread and epoch. */
    @Test
    void stallIsReported() throws Exception {
        CopyOnWriteArrayList<StalledGuard> stalls = new CopyOnWriteArrayList<>();
        try (EpochDomain domain = EpochDomain.builder().name("stally").stallThreshold(Duration.ofMillis(20))
                .stallListener(stalls::add).recordPinSites(true).build();
                TestThreads threads = new TestThreads()) {
            CountDownLatch pinned = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicLong holderId = new AtomicLong();
            threads.platform("stalling-reader", () -> {
                holderId.set(Thread.currentThread().threadId());
                try (Guard g = domain.pin()) {
                    pinned.countDown();
                    release.await();
                }
            });
            pinned.await();
            MemorySegment segment = MALLOC.allocate(64);
            domain.retire(segment, MALLOC);
            long deadline = System.nanoTime() + TestThreads.LONG.toNanos();
            while (stalls.isEmpty() && System.nanoTime() < deadline) {
                domain.retire(MALLOC.allocate(64), MALLOC);
                TimeUnit.MILLISECONDS.sleep(10);
            }
            release.countDown();
            assertThat(stalls).isNotEmpty();
            StalledGuard stall = stalls.get(0);
            assertThat(stall.domain()).isEqualTo("stally");
            assertThat(stall.threadId()).isEqualTo(holderId.get());
            assertThat(stall.threadName()).isEqualTo("stalling-reader");
            assertThat(stall.stalledFor()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
            assertThat(stall.openedAt()).isNotEmpty();
            assertThat(stall.participant()).isFalse();
            assertThat(domain.stats().stalls()).isPositive();
        }
    }
}
