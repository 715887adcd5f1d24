package dev.nexus.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a writer to a fixed rate by parking until each operation is due. Parking overshoots by
 * the timer slack (about 50 µs on Linux), so a fast rate is kept on average, by short catch-up
 * bursts, not by even spacing; a writer that stalls longer than {@link #MAX_BACKLOG_NANOS} forgets
 * the backlog instead of bursting. Parking, not spinning: on two cores a spinning writer would
 * take a reader's core. Not thread-safe: one pacer per writer thread.
 */
final class Pacer {

    /** Longest backlog a writer catches up on after a stall (an iteration boundary, a GC). */
    static final long MAX_BACKLOG_NANOS = 10_000_000;

    private final long periodNanos;
    private long next;

    /**
     * A pacer for {@code perSecond} operations a second.
     *
     * @throws IllegalArgumentException if {@code perSecond} is not positive
     */
    Pacer(long perSecond) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive: perSecond=" + perSecond);
        }
        this.periodNanos = 1_000_000_000L / perSecond;
        this.next = System.nanoTime();
    }

    /** Starts afresh: the next operation is due now. */
    void reset() {
        next = System.nanoTime();
    }

    /** Waits until the next operation is due. */
    void awaitTurn() {
        long now = System.nanoTime();
        if (now - next > MAX_BACKLOG_NANOS) {
            next = now;
        }
        for (long wait = next - now; wait > 0; wait = next - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
        next += periodNanos;
    }
}
