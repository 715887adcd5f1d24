package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;

/**
 * The backstop for pooled guards that are never closed: each pinned pooled slot records its guard,
 * and a slot whose guard became unreachable while pinned can be released. A guard that is still
 * reachable is never released, even if the thread that opened it died: it may have been handed to
 * another thread, and releasing it would let its reader use freed memory.
 *
 * <p>Thread-safety: {@link #record} and {@link #clear} are called by the pinner and the closer of the
 * pin holding the slot; {@link #tryRelease} by any detecting thread. It holds no reference to the
 * domain; the domain's reaper must not reach it either (a recorded guard refers to its domain, see
 * DomainReaper).
 */
final class GuardBackstop {

    /*
     * Implementation notes.
     *
     * A lazy weak reference. entries[slot] is null, the slot's guard itself (STRONG: stored by the
     * pinner right after its pin CAS, no allocation), or a GuardRef to it (WEAK: made by a detector
     * that found the slot holding a grace period back). The closer of a pin (close, suspend, or the
     * undo of a failed pin) stores null before its unpin's release store of IDLE. tryRelease
     * upgrades a strong entry to a weak one (CAS g -> r) and returns; a later call that finds r
     * cleared by a GC claims it (CAS r -> null: one releaser wins) and CASes the slot from the
     * recorded pinned word to IDLE. So a guard that is dropped costs one more detection pass than
     * a weak reference made at pin time did, and a pin allocates nothing for the backstop (the guard
     * escapes into the array instead).
     *
     * Why it is safe. Every store to one entry (the pinner's release store, the closer's release
     * store of null, the upgrader's and the releaser's CAS) is a VarHandle access, never plain, so
     * they are in one coherence order. If the closer's null store precedes the upgrade CAS, the CAS
     * fails; if it follows, it overwrites r, and a releaser's CAS r -> null fails. A releaser acts
     * only after a GC cleared r, i.e. after the guard became unreachable, i.e. after its close (if
     * any) returned (close, suspend and the undo paths end with a reachabilityFence), and that GC's
     * marking start (a pause, or with ZGC and Shenandoah a handshake, which comes after the closer's
     * reachabilityFence) orders the close's null store before the releaser's read (its CAS reads the
     * latest value anyway). So a releaser that
     * wins its CAS knows the guard never closed after the upgrade: the pin current at the upgrade
     * still holds the slot, with the word r recorded (no other pin can lease it: leasing is a CAS
     * from IDLE). Invariant: an entry that is a GuardRef belongs to the pin that holds its slot with
     * r.word, until the closer of that pin overwrites it with null. And no entry outlives its pin:
     * a slot becomes IDLE only after its entry was set to null (by the closer, or by the releaser's
     * CAS), and the next pinner's lease CAS reads that IDLE, so its record follows the null.
     *
     * ABA: the entry may go g -> null -> g between the upgrader's read and its CAS (g suspended and
     * resumed on the same slot, perhaps at another word). The upgrader therefore re-reads g's
     * opener and word after a successful CAS (the CAS read the latest store of g, so it sees that
     * pin's fields) and puts g back if they differ from what r recorded.
     *
     * Non-invariants (racy readers for reports, thread and pin): a strong entry's opener may belong
     * to a pin that just ended; a report may then name a thread that just unpinned. StallMonitor's
     * sightings may hold a strong entry (tryRelease upgrades before pin() is read, so only when the
     * upgrade lost a race with a new pin): that guard stays reachable until a later pass replaces
     * the sighting, which delays its release, never makes one unsafe.
     *
     * Why a weak reference checked by the detector and not a Cleaner: Cleaner.register takes a lock
     * (the cleaner's list), which would make every pin blocking. Why lazily: a weak reference made
     * at every pin cost 48 bytes more per pin (80 with the guard, against 40 now) and a few ns
     * (PinBenchmark.pooled), for a record that matters only for the rare slot that holds a grace
     * period back.
     *
     * Chunks of 256 entries are allocated when the pool's active prefix grows (ensure), before the
     * pool's volatile size is raised: a pinner that read the size sees the chunk.
     */

    private static final int CHUNK_SHIFT = 8;
    private static final int CHUNK = 1 << CHUNK_SHIFT;
    /**
     * Entries per slot: a slot's entry sits {@code 1 << STRIDE_SHIFT} references (64 bytes or more)
     * from its neighbours', so threads pinning neighbouring slots do not share a cache line (the
     * slot words themselves are padded the same way).
     */
    private static final int STRIDE_SHIFT = 4;

    private final long slotBase;
    /** Entries by slot: null, a PooledGuard (strong) or a GuardRef (weak); see the notes. */
    private final Object[][] chunks;

    /** A weak reference to a pooled guard, with the thread that opened it and the word it pinned. */
    static final class GuardRef extends WeakReference<PooledGuard> {

        final Thread thread;
        /** The pinned word of the pin recorded. */
        final long word;

        GuardRef(PooledGuard guard, Thread thread, long word) {
            super(guard);
            this.thread = thread;
            this.word = word;
        }
    }

    GuardBackstop(long slotBase, int poolCapacity, int initialPool) {
        this.slotBase = slotBase;
        this.chunks = new Object[(poolCapacity + CHUNK - 1) >>> CHUNK_SHIFT][];
        ensure(initialPool);
    }

    /** Allocates the chunks of slots {@code [0, slots)}; call before the pool's active size grows. */
    synchronized void ensure(int slots) {
        for (int c = 0; c < (slots + CHUNK - 1) >>> CHUNK_SHIFT && c < chunks.length; c++) {
            if (chunks[c] == null) {
                // release: publishes the new chunk before the pool's volatile size is raised
                CHUNKS.setRelease(chunks, c, new Object[CHUNK << STRIDE_SHIFT]);
            }
        }
    }

    /**
     * The pinner of {@code slot} records its guard, right after the pin CAS; the guard's opener and
     * word are written before.
     */
    void record(int slot, PooledGuard guard) {
        // plain read of the chunk: ensure() published it before the pool size the pinner read
        // (volatile) was raised. Release store: pairs with the acquire in entry(): an upgrader
        // sees the guard's opener and word of this pin
        ENTRIES.setRelease(chunks[slot >>> CHUNK_SHIFT], index(slot), guard);
    }

    /**
     * The closer of the pin holding {@code slot} (close, suspend, undo of a failed pin) clears its
     * entry, before its unpin store: from here the backstop leaves the slot alone.
     */
    void clear(int slot) {
        // release: a VarHandle store, in the entry's coherence order with the upgrade and release
        // CASes (see "Why it is safe"); ordered before the unpin's release store of IDLE, which a
        // later pinner's CAS reads, so that pinner's record follows it in that order
        ENTRIES.setRelease(chunks[slot >>> CHUNK_SHIFT], index(slot), null);
    }

    /** The thread that opened the guard pinning {@code slot}, if recorded. */
    Thread thread(int slot) {
        Object entry = entry(slot);
        if (entry instanceof PooledGuard guard) {
            return guard.opener(); // racy for reports: see "Non-invariants"
        }
        return entry instanceof GuardRef ref ? ref.thread : null;
    }

    /** The record of the pin now holding {@code slot}, or null (identifies a pin, for reports). */
    Object pin(int slot) {
        return entry(slot);
    }

    private Object entry(int slot) {
        Object[] chunk = (Object[]) CHUNKS.getAcquire(chunks, slot >>> CHUNK_SHIFT);
        // acquire: pairs with the release in record: sees the fields of the pin the entry belongs to
        return chunk == null ? null : ENTRIES.getAcquire(chunk, index(slot));
    }

    /**
     * Releases pooled slot {@code slot} if its guard became unreachable while pinned; returns the
     * released guard's record, or null (the guard is reachable, or was closed, or another releaser
     * won, or this call only made the record weak: a later call may release).
     */
    GuardRef tryRelease(int slot) {
        Object entry = entry(slot);
        Object[] chunk = chunks[slot >>> CHUNK_SHIFT]; // plain: entry() saw it published
        int index = index(slot);
        if (entry instanceof PooledGuard guard) {
            // plain reads of the guard's opener and word: after the acquire that saw its record
            GuardRef ref = new GuardRef(guard, guard.opener(), guard.word());
            // volatile CAS g -> r: fails if the closer's null store (or a newer pin's record) came first
            if (ENTRIES.compareAndSet(chunk, index, guard, ref)
                    && (guard.opener() != ref.thread || guard.word() != ref.word)) {
                // ABA (see the notes): r recorded an older pin of this guard; put the guard back
                // (volatile CAS: fails if its closer cleared the entry meanwhile)
                ENTRIES.compareAndSet(chunk, index, ref, guard);
            }
            return null;
        }
        // cleared first: a reference seen cleared belongs to a guard whose close (if any) completed
        // before the GC that cleared it, and stored null over it (see "Why it is safe")
        if (!(entry instanceof GuardRef ref) || !ref.refersTo(null)) {
            return null;
        }
        // volatile CAS r -> null: one releaser claims the dead guard's slot
        if (!ENTRIES.compareAndSet(chunk, index, ref, null)) {
            return null;
        }
        long slotOffset = slotBase + ((long) slot << 7);
        SharedRegion.setLongPlain(slotOffset + DomainLayout.SLOT_OWNER, 0); // see "Owner word"
        // volatile CAS from the dead pin's word: the invariant says the slot still holds it
        boolean unpinned = SharedRegion.casLong(slotOffset, ref.word, Epoch.IDLE);
        assert unpinned : "slot " + slot + " of a dropped guard no longer holds its pin " + ref.word;
        return ref;
    }

    /** The index of {@code slot}'s entry in its chunk. */
    private static int index(int slot) {
        return (slot & (CHUNK - 1)) << STRIDE_SHIFT;
    }

    // VarHandle mechanics
    private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(Object[][].class);
    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(Object[].class);
}
