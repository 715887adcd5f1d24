package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Guards: nesting, suspension, hand-over, the pool, participants and virtual threads. */
class GuardTest {

    /** Nested pooled pins lease distinct slots; the pool grows until maxGuards, then refuses. */
    @Test
    void poolGrowsToItsBound() {
        try (EpochDomain domain = EpochDomain.builder().maxGuards(64).build()) {
            List<Guard> open = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                open.add(domain.pin());
            }
            assertThat(domain.stats().poolSlots()).isEqualTo(64);
            assertThatThrownBy(domain::pin).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("all 64 pooled guards are open");
            open.forEach(Guard::close);
            domain.pin().close(); // usable again
        }
    }

    /** A suspended guard does not hold grace periods back; resume pins again. */
    @Test
    void suspendedGuardDoesNotBlock() throws Exception {
        try (EpochDomain domain = EpochDomain.create()) {
            Guard guard = domain.pin();
            guard.suspend();
            assertThat(guard.isPinned()).isFalse();
            Thread other = Thread.ofPlatform().start(domain::synchronize);
            assertThat(other.join(TestThreads.LONG)).isTrue();
            guard.resume();
            assertThat(guard.isPinned()).isTrue();
            assertThatThrownBy(guard::resume).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not suspended");
            guard.close();
            assertThatThrownBy(guard::suspend).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    /** synchronize() waits for a guard open on another thread, and returns once it closes. */
    @Test
    void synchronizeWaitsForOpenGuard() throws Exception {
        try (EpochDomain domain = EpochDomain.create(); TestThreads threads = new TestThreads()) {
            CountDownLatch pinned = new CountDownLatch(1);
            AtomicBoolean closed = new AtomicBoolean();
            threads.platform("holder", () -> {
                try (Guard g = domain.pin()) {
                    pinned.countDown();
                    Thread.sleep(200);
                    closed.set(true);
                }
            });
            assertThat(pinned.await(60, TimeUnit.SECONDS)).isTrue();
            domain.synchronize();
            assertThat(closed.get()).as("synchronize returned only after the guard closed").isTrue();
        }
    }

    /** A pooled guard opened on one thread can be closed on another. */
    @Test
    void pooledGuardHandOver() throws Exception {
        try (EpochDomain domain = EpochDomain.create()) {
            Guard guard = domain.pin();
            Thread closer = Thread.ofPlatform().start(guard::close); // start() is a happens-before edge
            closer.join();
            assertThat(guard.isPinned()).isFalse();
            domain.synchronize();
        }
    }

    /** Participant pins nest by counting; the outermost close unpins. */
    @Test
    void participantNesting() {
        try (EpochDomain domain = EpochDomain.create(); Participant p = domain.register()) {
            Guard outer = p.pin();
            Guard inner = p.pin();
            assertThat(inner.isPinned()).isTrue();
            inner.close();
            assertThat(outer.isPinned()).isTrue();
            outer.suspend();
            assertThatThrownBy(p::pin).isInstanceOf(IllegalStateException.class).hasMessageContaining("suspended");
            outer.resume();
            outer.close();
            domain.synchronize();
            assertThat(p.domain()).isSameAs(domain);
        }
    }

    /** Ten thousand virtual threads pin and retire; the pool stays within maxGuards and all is freed. */
    @Test
    void manyVirtualThreads() {
        AtomicLong reads = new AtomicLong();
        try (EpochDomain domain = EpochDomain.create()) {
            try (TestThreads threads = new TestThreads()) {
                for (int i = 0; i < 10_000; i++) {
                    threads.virtual("v" + i, () -> {
                        try (Guard g = domain.pin()) {
                            reads.incrementAndGet();
                            if (reads.get() % 7 == 0) {
                                Thread.yield(); // unmount while pinned
                            }
                        }
                        domain.retire(NativeAllocator.malloc().allocate(16), NativeAllocator.malloc());
                    });
                }
            }
            domain.barrier();
            EpochStats stats = domain.stats();
            assertThat(stats.reclaimedCount()).isEqualTo(10_000);
            assertThat(stats.poolSlots()).isLessThanOrEqualTo(1 << 16); // bounded by maxGuards
        }
        assertThat(reads.get()).isEqualTo(10_000);
    }

    /** Closing a suspended inner participant guard pins again for the outer guard. */
    @Test
    void closingSuspendedInnerGuardRepins() {
        try (EpochDomain domain = EpochDomain.create(); Participant p = domain.register()) {
            Guard outer = p.pin();
            Guard inner = p.pin();
            inner.suspend();
            assertThat(outer.isPinned()).isFalse();
            inner.close();
            assertThat(outer.isPinned()).isTrue();
            assertThatThrownBy(outer::resume).isInstanceOf(IllegalStateException.class);
            p.pin().close(); // nesting works again
            outer.close();
        }
    }

    /** A participant whose thread died while pinned does not block reclamation forever. */
    @Test
    void deadParticipantThreadIsReleased() throws Exception {
        try (EpochDomain domain = EpochDomain.create()) {
            Thread dying = Thread.ofPlatform().start(() -> {
                Participant p = domain.register();
                p.pin(); // never closed: the thread ends pinned
            });
            dying.join();
            Thread waiter = Thread.ofPlatform().start(domain::synchronize);
            assertThat(waiter.join(TestThreads.LONG)).as("synchronize completes despite the dead pin").isTrue();
        }
    }
}
