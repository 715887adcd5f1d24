package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The backstop for pooled guards never closed: unreachable ones are released, reachable ones never. */
class GuardBackstopTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    /**
     * A pooled guard dropped without close() by a thread that then ended is released once a GC has
     * cleared it: garbage retired after it is freed, and the release is reported with the thread.
     */
    @Test
    void unreachableGuardIsReleasedAfterGc() throws Exception {
        List<StalledGuard> released = new CopyOnWriteArrayList<>();
        EpochDomain domain = EpochDomain.builder().name("backstop").stallListener(new StallListener() {
            @Override
            public void onStall(StalledGuard stall) {
            }

            @Override
            public void onGuardReleased(StalledGuard guard) {
                released.add(guard);
            }
        }).build();
        Thread dropper = Thread.ofPlatform().name("dropper").start(() -> domain.pin().isPinned());
        dropper.join();
        domain.retire(MALLOC.allocate(64), MALLOC);
        PinExceptionSafetyTest.assertSynchronizes(domain, 0);
        domain.barrier();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        assertThat(released).singleElement().satisfies(g -> assertThat(g.threadName()).isEqualTo("dropper"));
        domain.close();
    }

    /**
     * A pooled guard whose opening thread died but which is still reachable (handed over) is never
     * released, however many GCs run: grace periods wait for it until it is closed.
     */
    @Test
    void reachableGuardOfDeadThreadIsNotReleased() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("backstop-live").build();
        AtomicReference<Guard> handedOver = new AtomicReference<>();
        Thread opener = Thread.ofPlatform().start(() -> handedOver.set(domain.pin()));
        opener.join();
        assertThat(opener.isAlive()).isFalse();
        domain.retire(MALLOC.allocate(64), MALLOC);
        Thread waiter = Thread.ofPlatform().daemon().start(domain::synchronize);
        for (int i = 0; i < 10; i++) {
            System.gc();
            assertThat(waiter.join(Duration.ofMillis(30))).as("synchronize() returned early").isFalse();
        }
        assertThat(domain.stats().reclaimedCount()).isZero();
        handedOver.get().close();
        assertThat(waiter.join(TestThreads.SHORT)).isTrue();
        domain.barrier();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        domain.close();
    }

    /**
     * With the backstop off (a builder option), a dropped pooled guard holds reclamation back even
     * after GCs: the variant the first test would catch, and the documented cost of the option.
     */
    @Test
    void withoutTheBackstopADroppedGuardHoldsReclamation() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("no-backstop").guardBackstop(false).build();
        Thread dropper = Thread.ofPlatform().start(() -> domain.pin().isPinned());
        dropper.join();
        domain.retire(MALLOC.allocate(64), MALLOC);
        for (int i = 0; i < 5; i++) {
            System.gc();
            assertThat(domain.trySynchronize(Duration.ofMillis(30))).isFalse();
        }
        assertThat(domain.close(Duration.ofMillis(30))).isFalse(); // left open, as it was
        assertThat(domain.isClosed()).isFalse();
    }
}
