package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@link StackOverflowError} thrown anywhere inside {@code pin()} (after the slot is pinned) or
 * around a guard must not leave a slot pinned without a guard: grace periods keep ending.
 */
class PinExceptionSafetyTest {

    /** Trials per test: the issue reproduced the leak in 6 of 6. */
    private static final int TRIALS = 6;
    /** Stack of the recursing readers. */
    private static final long STACK_BYTES = 256 * 1024;

    /**
     * Initializes the string-concatenation machinery before any overflow: a class whose static
     * initializer overflows is unusable for the rest of the JVM's life (every later test would fail).
     */
    @BeforeAll
    static void warmUp() {
        // also used by AdversarialPropertyTest
        assertThat("warm-up " + System.nanoTime() + ' ' + Thread.currentThread() + 1.0f).isNotEmpty();
    }

    /**
     * A recursive reader that opens a pooled guard per level until the stack overflows, and catches
     * the error at the top, leaves no slot pinned: {@code synchronize()} returns within a bound.
     */
    @Test
    void overflowInsideNestedPooledPins() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("overflow-pooled").build();
        for (int trial = 0; trial < TRIALS; trial++) {
            // a small stack: the overflow comes long before the pool's 65,536 guards are open
            Thread reader = Thread.ofPlatform().stackSize(STACK_BYTES)
                    .start(() -> overflow(() -> recursePooled(domain)));
            assertThat(reader.join(TestThreads.LONG)).isTrue();
            assertSynchronizes(domain, trial);
        }
        domain.close();
    }

    /**
     * The same with a participant whose reader pins and closes once per level: an overflow inside
     * any part of the pin (the re-join of an offline slot included) leaves the participant at depth
     * 0 and usable, and grace periods keep ending.
     */
    @Test
    void overflowInsideParticipantPins() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("overflow-participant").build();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().stackSize(STACK_BYTES).start(() -> {
            try (Participant p = domain.register()) {
                for (int trial = 0; trial < TRIALS; trial++) {
                    overflow(() -> recurseParticipant(p));
                    try (Guard g = p.pin()) { // depth back at 0: a fresh outermost pin
                        assertThat(g.isPinned()).isTrue();
                    }
                }
            } catch (Throwable t) { // Participant.close() throws if a guard were still counted open
                failure.set(t);
            }
        });
        assertThat(reader.join(TestThreads.LONG)).isTrue();
        assertThat(failure.get()).isNull();
        assertSynchronizes(domain, 0);
        domain.close();
    }

    private static void overflow(Runnable body) {
        try {
            body.run();
        } catch (StackOverflowError expected) {
            // the point of the test: every level's guard is closed by try-with-resources
        }
    }

    private static void recursePooled(EpochDomain domain) {
        try (Guard guard = domain.pin()) {
            recursePooled(guard.domain());
        }
    }

    private static void recurseParticipant(Participant participant) {
        try (Guard guard = participant.pin()) {
            assert guard.isPinned();
        }
        recurseParticipant(participant);
    }

    /**
     * Runs synchronize() on a helper thread; fails (and leaves the domain open) if it hangs. A close
     * that itself overflowed leaves its guard open and unreachable: the backstop releases it once a
     * GC has cleared it, so the wait collects garbage while it waits.
     */
    static void assertSynchronizes(EpochDomain domain, int trial) throws InterruptedException {
        Thread waiter = Thread.ofPlatform().daemon().start(domain::synchronize);
        long deadline = System.nanoTime() + TestThreads.SHORT.toNanos();
        while (waiter.isAlive() && System.nanoTime() < deadline) {
            System.gc();
            waiter.join(Duration.ofMillis(20));
        }
        assertThat(waiter.isAlive())
                .as("synchronize() still waiting after trial %d: a slot leaked pinned", trial)
                .isFalse();
    }
}
