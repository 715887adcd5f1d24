package dev.nexus.slab;

import dev.nexus.epoch.Guard;
import java.lang.foreign.MemorySegment;

/**
 * A reserved slot whose key is known before the record is visible: for records that contain their
 * own key (self-referencing nodes, intrusive links). Write the record, then {@link #commit()};
 * closing without committing abandons the reservation.
 *
 * <pre>{@code
 * long insertSelfReferencing(Slab slab) {
 *     try (VacantEntry entry = slab.reserve()) {    // null when no slot is free
 *         if (entry == null) {
 *             return Slab.FULL;                     // (try-with-resources skips a null resource)
 *         }
 *         MemorySegment node = entry.segment();
 *         node.set(ValueLayout.JAVA_LONG, 0, entry.key());   // the record refers to itself
 *         return entry.commit();                               // now get(key) finds it
 *     }
 * }
 * }</pre>
 *
 * <p><b>Caller assumptions.</b> One thread at a time uses an entry; to finish it on another
 * thread, hand it over with a happens-before edge. The key may be stored elsewhere before the commit,
 * but readers see it as stale until then.
 *
 * <p><b>Guarantees.</b> Until committed, {@code get}, {@code contains} and {@code remove} treat the
 * key as stale. {@link #commit()} publishes the record: writes to {@link #segment()} before it
 * happen-before every {@code get(key)} that returns the segment. An abandoned reservation never
 * hands its key out again (the slot's generation moves on), so keys stored before the abandon stay
 * stale forever.
 *
 * <p><b>Progress.</b> {@link #commit()} and {@link #close()} are wait-free, apart from returning an
 * abandoned slot (lock-free).
 *
 * <p>An open entry holds a guard of the slab's domain, so that the slot's memory stays valid even if
 * the slab is closed meanwhile: keep it short, as it holds back reclamation like any guard.
 *
 * <p><b>Not thread-safe.</b>
 *
 * <p>Memory effects: see the {@linkplain dev.nexus.slab package documentation}.
 */
public final class VacantEntry implements AutoCloseable {

    private static final int OPEN = 0;
    private static final int COMMITTED = 1;
    private static final int ABANDONED = 2;

    private final Slab slab;
    private final Guard guard;
    private final int index;
    private final long generation;
    private final MemorySegment record;
    private final long key;
    private int state;

    VacantEntry(Slab slab, Guard guard, int index, long generation, MemorySegment record, long key) {
        this.slab = slab;
        this.guard = guard;
        this.index = index;
        this.generation = generation;
        this.record = record;
        this.key = key;
    }

    /**
     * The key the record will have once committed.
     *
     * @return the key, {@code >= 0}
     */
    public long key() {
        return key;
    }

    /**
     * The reserved slot's memory, to write the record into. Its contents are unspecified (a reused
     * slot holds the previous record, or poison).
     *
     * @return the slot segment
     * @throws IllegalStateException if the entry was committed or abandoned
     */
    public MemorySegment segment() {
        checkOpen("segment()");
        return record;
    }

    /**
     * Publishes the record: from now on {@code get(key())} returns the slot. Closes the entry.
     *
     * @return the key
     * @throws IllegalStateException if the entry was committed or abandoned, or the slab was closed
     *     (the reservation is then abandoned)
     */
    public long commit() {
        checkOpen("commit()");
        try {
            slab.commit(index, generation);
            state = COMMITTED;
        } catch (RuntimeException | Error e) {
            state = ABANDONED;
            slab.abandon(index, generation);
            throw e;
        } finally {
            guard.close();
        }
        return key;
    }

    /**
     * Abandons the reservation if it was not committed; otherwise does nothing. Idempotent.
     */
    @Override
    public void close() {
        if (state != OPEN) {
            return;
        }
        state = ABANDONED;
        try {
            slab.abandon(index, generation);
        } finally {
            guard.close();
        }
    }

    /**
     * Whether the entry is neither committed nor abandoned.
     *
     * @return true while open
     */
    public boolean isOpen() {
        return state == OPEN;
    }

    private void checkOpen(String operation) {
        if (state != OPEN) {
            throw new IllegalStateException("vacant entry of slab '" + slab.name() + "' for key 0x"
                    + Long.toHexString(key) + " is " + (state == COMMITTED ? "committed" : "abandoned")
                    + ": " + operation + " needs an open entry");
        }
    }

    @Override
    public String toString() {
        return "VacantEntry[slab=" + slab.name() + ", key=0x" + Long.toHexString(key) + ", "
                + (state == OPEN ? "open" : state == COMMITTED ? "committed" : "abandoned") + "]";
    }
}
