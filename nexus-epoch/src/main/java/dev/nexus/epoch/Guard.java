package dev.nexus.epoch;

import java.lang.foreign.MemorySegment;

/**
 * A pinned critical section of an {@link EpochDomain}: while a guard is open (and not suspended),
 * nothing retired after it opened is freed. Open one with {@link EpochDomain#pin()} or
 * {@link Participant#pin()}, close it with try-with-resources.
 *
 * <pre>{@code
 * try (Guard guard = domain.pin()) {
 *     MemorySegment node = root.get();
 *     long key = node.get(ValueLayout.JAVA_LONG, 0);
 * }
 * }</pre>
 *
 * <p>A guard is not thread-safe. A guard from {@link EpochDomain#pin()} may be closed on another
 * thread once handed over with a happens-before edge; a guard from a {@link Participant} belongs to
 * the participant's thread. A handed-over guard still counts as opened by its first thread: that
 * thread's {@code synchronize()}, {@code barrier()} and {@code close()} fail fast while the guard is
 * open, and the receiving thread's would wait for it.
 *
 * <p>Close every guard. A pooled guard dropped without {@code close()} holds reclamation back until a
 * wait for a grace period has met it and a GC after that has cleared it; then the domain releases its
 * slot and reports it, and reads made under it are no longer protected. A guard still reachable is
 * never released.
 *
 * <p>Memory effects: accesses inside a guard happen-before the reclamation of anything retired
 * after it opened; see the {@linkplain dev.nexus.epoch package documentation}.
 */
public sealed interface Guard extends AutoCloseable permits PooledGuard, ParticipantGuard {

    /**
     * Closes the guard (unpins). Wait-free (stores only), except closing a suspended inner guard of
     * a {@link Participant}, which pins the participant again for its outer guard (as a pin does).
     *
     * @throws IllegalStateException if the guard is already closed, or (participant guards) it is
     *     closed on another thread than its participant's, or out of nesting order
     */
    @Override
    void close();

    /**
     * Temporarily unpins, so that the reader can block (I/O, locks) without stalling reclamation.
     * References loaded before {@code suspend()} must not be used after it: reload them after
     * {@link #resume()}. For a participant, suspending its innermost guard unpins the participant,
     * so references loaded under its outer guards are unprotected too; closing a suspended inner
     * guard pins the participant again for the outer one.
     *
     * @throws IllegalStateException if the guard is closed or already suspended, or (participant
     *     guards) it is not the innermost open guard of its participant
     */
    void suspend();

    /**
     * Pins again after {@link #suspend()}, at the current epoch.
     *
     * @throws IllegalStateException if the guard is not suspended, or the domain was closed
     */
    void resume();

    /**
     * Binds a segment read through this guard to the guard's lifetime. In a domain built with
     * {@link EpochDomain.Builder#checked(boolean) checked(true)}, returns a view of the same memory
     * that throws {@link IllegalStateException} on any access once this guard is closed or
     * suspended, instead of reading memory that may have been freed (it costs an arena per guard:
     * for tests and canaries). Otherwise returns {@code segment} itself, at no cost, so code can
     * bind everywhere and let the domain's configuration decide.
     *
     * <pre>{@code
     * try (Guard guard = domain.pin()) {
     *     MemorySegment node = guard.bind(table.get(key));
     *     sum += node.get(ValueLayout.JAVA_LONG, 0);
     * }
     * }</pre>
     *
     * @param segment a native segment read under this guard
     * @return the bound view (checked mode) or {@code segment}
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if the segment is not native (checked mode)
     * @throws IllegalStateException if the guard is closed or suspended
     */
    MemorySegment bind(MemorySegment segment);

    /**
     * Whether the guard is open and not suspended.
     *
     * @return true while pinned
     */
    boolean isPinned();

    /**
     * The domain this guard pins.
     *
     * @return the domain
     */
    EpochDomain domain();
}
