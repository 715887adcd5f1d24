package dev.nexus.epoch;

import dev.nexus.epoch.internal.Allocations;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The views one guard handed out in checked mode ({@link EpochDomain.Builder#checked(boolean)}): an
 * arena, made at the first {@link Guard#bind} and closed when the guard closes (or suspends), to
 * which every bound view is scoped, so that a read through a view after that throws
 * {@link IllegalStateException} instead of reading memory that may have been freed.
 *
 * <p>Costs a shared arena per guard that binds (its close is a thread-local handshake): for tests and
 * canaries. Not thread-safe, like the guard that owns it.
 */
final class CheckedViews {

    private Arena arena;

    /** A view of {@code segment} valid until {@link #end()}. */
    MemorySegment bind(MemorySegment segment) {
        Allocations.checkNative(segment);
        if (arena == null) {
            arena = Arena.ofShared(); // shared: a pooled guard may be closed on another thread
        }
        // restricted: same address and size, scoped to the guard's arena; no cleanup action (the
        // memory belongs to its allocator, not to this view)
        return segment.reinterpret(arena, null);
    }

    /** Ends every view bound so far. */
    void end() {
        Arena a = arena;
        if (a != null) {
            arena = null;
            a.close();
        }
    }
}
