package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;

/**
 * The backstop for pooled guards that are never closed: each pinned pooled slot records a weak
 * reference to its guard (and the thread that opened it, for reports), and a slot whose guard became
 * unreachable while pinned can be released. A guard that is still reachable is never released, even
 * if the thread that opened it died: it may have been handed to another thread, and releasing it
 * would let its reader use freed memory.
 *
 * <p>Thread-safety: {@link #record} is called by the pinner, on the pinned slot it owns;
 * {@link #tryRelease} by any detecting thread. It holds no reference to the
 * domain, so that the domain's reclaimer thread, which reaches it, does not keep the domain alive.
 */
final class GuardBackstop {

    /*
     * Implementation notes.
     *
     * One GuardRef per pin (a resumed guard gets a new one). refs[slot] holds the reference of the
     * slot's latest pin: the pinner writes it (release) after its pin CAS. A reference is marked
     * done before its pin is unpinned (close, suspend, or the undo of a failed pin), with a plain
     * field write (no call, so a stack overflow cannot strike between it and the unpin's own call;
     * see GuardRef.done for why plain suffices).
     * Invariant: a reference that is not done belongs to a pin that still holds its slot, with the
     * word it recorded. A releaser acts on a reference that is not done and whose guard is
     * unreachable (so it can never be closed: no one else will unpin the slot), claims it with a
     * CAS of refs[slot] from it to null (at most one releaser acts), and CASes the slot from the
     * recorded pinned word to IDLE.
     *
     * Why a weak reference checked by the detector and not a Cleaner: Cleaner.register takes a lock
     * (the cleaner's list), which would make every pin blocking; a weak reference costs an allocation
     * and is looked at only for slots that hold a grace period back.
     *
     * Chunks of 256 references are allocated when the pool's active prefix grows (ensure), before
     * the pool's volatile size is raised: a pinner that read the size sees the chunk.
     */

    private static final int CHUNK_SHIFT = 8;
    private static final int CHUNK = 1 << CHUNK_SHIFT;

    private final long slotBase;
    private final GuardRef[][] chunks;

    /** A weak reference to a pooled guard, with the thread that opened it. */
    static final class GuardRef extends WeakReference<PooledGuard> {

        final Thread thread;
        /** The pinned word of this pin; written by the pinner before {@link #record} publishes it. */
        long word;
        /**
         * Set before this pin is unpinned. Plain: a field write costs no fence on the unpin path and
         * no call (so an overflow cannot strike between it and the unpin). It is ordered before the
         * unpin's release store, and a releaser reads it only after it saw the guard cleared by a GC,
         * which ran after the guard's close (the guard is reachable until its close returns); that
         * GC, a global safepoint, is what makes the write visible to the releaser. Racy readers for
         * reports may see a stale value: a report may then name a thread that just unpinned.
         */
        boolean done;

        GuardRef(PooledGuard guard, Thread thread) {
            super(guard);
            this.thread = thread;
        }
    }

    GuardBackstop(long slotBase, int poolCapacity, int initialPool) {
        this.slotBase = slotBase;
        this.chunks = new GuardRef[(poolCapacity + CHUNK - 1) >>> CHUNK_SHIFT][];
        ensure(initialPool);
    }

    /** Allocates the chunks of slots {@code [0, slots)}; call before the pool's active size grows. */
    synchronized void ensure(int slots) {
        for (int c = 0; c < (slots + CHUNK - 1) >>> CHUNK_SHIFT && c < chunks.length; c++) {
            if (chunks[c] == null) {
                // release: publishes the new chunk before the pool's volatile size is raised
                CHUNKS.setRelease(chunks, c, new GuardRef[CHUNK]);
            }
        }
    }

    /** The pinner of {@code slot} records its guard, right after the pin CAS. */
    void record(int slot, GuardRef ref) {
        // plain read of the chunk: ensure() published it before the pool size the pinner read
        // (volatile) was raised. Release store: pairs with the acquire in tryRelease/thread.
        REFS.setRelease(chunks[slot >>> CHUNK_SHIFT], slot & (CHUNK - 1), ref);
    }

    /** The thread that opened the guard pinning {@code slot}, if recorded. */
    Thread thread(int slot) {
        GuardRef ref = ref(slot);
        return ref == null || ref.done ? null : ref.thread;
    }

    /** The record of the pin now holding {@code slot}, or null (identifies a pin, for reports). */
    GuardRef pin(int slot) {
        GuardRef ref = ref(slot);
        return ref == null || ref.done ? null : ref;
    }

    private GuardRef ref(int slot) {
        GuardRef[] chunk = (GuardRef[]) CHUNKS.getAcquire(chunks, slot >>> CHUNK_SHIFT);
        // acquire: pairs with the release in record: sees the pin the reference belongs to
        return chunk == null ? null : (GuardRef) REFS.getAcquire(chunk, slot & (CHUNK - 1));
    }

    /**
     * Releases pooled slot {@code slot} if its guard became unreachable while pinned; returns the
     * released guard's record, or null (the guard is reachable, or was closed, or another releaser
     * won).
     */
    GuardRef tryRelease(int slot) {
        GuardRef ref = ref(slot);
        // cleared first, done second: a reference seen cleared belongs to a guard whose close (if
        // any) completed before the GC that cleared it, so done is read after that close's write
        if (ref == null || !ref.refersTo(null) || ref.done) {
            return null;
        }
        GuardRef[] chunk = chunks[slot >>> CHUNK_SHIFT];
        // volatile CAS: one releaser claims the dead guard's slot
        if (!REFS.compareAndSet(chunk, slot & (CHUNK - 1), ref, (GuardRef) null)) {
            return null;
        }
        long slotOffset = slotBase + ((long) slot << 7);
        SharedRegion.setLongPlain(slotOffset + DomainLayout.SLOT_OWNER, 0); // see "Owner word"
        // volatile CAS from the dead pin's word: the invariant says the slot still holds it
        boolean unpinned = SharedRegion.casLong(slotOffset, ref.word, Epoch.IDLE);
        assert unpinned : "slot " + slot + " of a dropped guard no longer holds its pin " + ref.word;
        return ref;
    }

    // VarHandle mechanics
    private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(GuardRef[][].class);
    private static final VarHandle REFS = MethodHandles.arrayElementVarHandle(GuardRef[].class);
}
