package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.SlotFlag;
import java.lang.ref.Cleaner;

/**
 * A long-lived handle that owns one slot of an {@link EpochDomain}, for a platform thread that pins
 * often: pinning through it is the cheapest pin (no slot lookup), and nested pins only count.
 *
 * <pre>{@code
 * Participant me = domain.register();        // once, on the thread that will pin
 * try (Guard g = me.pin()) { ... }            // many times
 * me.close();                                  // when the thread is done with the domain
 * }</pre>
 *
 * <p><b>Caller assumptions.</b> Only the thread that registered it calls {@link #pin()},
 * {@link #close()} and the methods of its guards; guards close in reverse order of opening.
 *
 * <p><b>Guarantees.</b> Misuse from another thread, out-of-order closes and use after
 * {@link #close()} throw {@link IllegalStateException}. If the thread dies without closing the
 * participant, its slot is released: by the stall monitor when the participant still blocks a
 * grace period, and by a {@link Cleaner} once the participant is unreachable.
 *
 * <p><b>Progress.</b> {@link #pin()} is lock-free and O(1), except the first pin of an epoch, which
 * reports the slot quiescent and may climb the quiescence tree, and a pin after the slot was taken
 * offline for idleness, which re-joins it: both lock-free and O(log T) for T slots. Closing a guard
 * is wait-free (stores only), except closing a suspended inner guard, which pins again.
 *
 * <p><b>Read side.</b> On {@link ReadSide#MEMBARRIER} (see {@link EpochDomain.Builder#readSide}) a
 * pin is an opaque store of the slot and a read of its flag word, with no fence and no locked
 * instruction, unless the slot is being taken offline (one compare-and-swap cancels that) or is
 * offline (a re-join); the grace-period side calls {@code membarrier} instead. On
 * {@link ReadSide#CAS} a pin is a compare-and-swap of the slot.
 *
 * <p><b>Not thread-safe</b> by design: it belongs to one thread.
 *
 * <p>Memory effects: as for every guard; see the {@linkplain dev.nexus.epoch package documentation}.
 */
public final class Participant implements AutoCloseable {

    /*
     * Implementation notes. The slot is owned: only this participant's thread pins and unpins it;
     * the advancer may CAS it IDLE -> OFFLINE, which is why the pin is a CAS from IDLE and not a
     * plain store. depth, suspended and ownerId are plain fields read and written by the owner only.
     *
     * Membarrier read side (ReadSide.MEMBARRIER): the slot word is written by the owner alone (and
     * by a release once the owner is done or dead), so the pin is an opaque store with no fence,
     * and going offline is the flag word's business (SlotFlag; QuiescenceTree.offlineByFlag). The
     * pin follows tla/QuiescenceTree.tla, "THE MEMBARRIER READ SIDE", step by step: see
     * pinMembarrier.
     */

    private final EpochDomain domain;
    private final int slot;
    private final long slotOffset;
    private final long epochOffset;
    /** Membarrier read side: pin with an opaque store and the flag handshake (pinMembarrier). */
    private final boolean membarrier;
    private long ownerId;
    /**
     * The epoch this slot last reported in (the slot's SLOT_SEEN word, which only this participant
     * writes while it holds the slot; the registry sets it to -1 at the lease, before this object
     * exists): a field read instead of a native one on every pin. Written after the word, so a
     * report that throws half-way is only made again.
     */
    private long lastReported = -1;
    private int depth;
    private boolean suspended;
    Cleaner.Cleanable cleanable;

    Participant(EpochDomain domain, int slot, long slotOffset, long ownerId) {
        this.domain = domain;
        this.slot = slot;
        this.slotOffset = slotOffset;
        this.epochOffset = domain.epochOffset;
        this.membarrier = domain.membarrierReadSide;
        this.ownerId = ownerId;
    }

    /**
     * Pins a guard; nested calls only count (the outermost pin publishes).
     *
     * @return an open guard, to be closed on this thread
     * @throws IllegalStateException if called from another thread than the owner's, after
     *     {@link #close()}, while a guard is suspended, or when the domain is closed
     */
    public Guard pin() {
        if (Thread.currentThread().threadId() != ownerId) {
            throw misuse("pin()");
        }
        int d = depth;
        if (d > 0 && suspended) {
            throw new IllegalStateException(this + ": cannot pin while a guard is suspended; resume it first");
        }
        // allocated before the pin and the depth change: nothing after them can fail (an
        // OutOfMemoryError or StackOverflowError there would leave a pin or a level without a guard)
        ParticipantGuard guard = new ParticipantGuard(this, d + 1);
        if (d == 0) {
            pinSlot();
        }
        depth = d + 1;
        return guard;
    }

    private void pinSlot() {
        if (membarrier) {
            pinMembarrier();
            return;
        }
        long e = SharedRegion.getLongVolatile(epochOffset); // volatile read of E
        // volatile CAS IDLE -> PINNED(e): publishes the pin; the store->load point of the read side
        if (e < 0 || !SharedRegion.casLong(slotOffset, Epoch.IDLE, Epoch.pinned(e))) {
            pinSlow();
            return;
        }
        boolean done = false;
        try {
            finishPin(e);
            done = true;
        } finally {
            if (!done) {
                unpinIfPinned(); // at the CAS's own depth: an overflow leaves room for the undo
            }
        }
    }

    /**
     * The membarrier read side's pin: no locked instruction unless the slot is being taken offline
     * or is offline. The model's steps, in order: RStart (read E), RStore (opaque store of
     * PINNED(e)), RFlag (read the flag), then per the flag: ONLINE, the pin holds; OFFLINING(n),
     * RCancel (CAS it back to ONLINE; on failure read the flag again); OFFLINE, RArrive and RJoinMb
     * (count the slot, CAS the flag ONLINE) and start again with a fresh E. Then the closed check
     * and the report (PinDone). If anything throws, the pin is undone (the release store of IDLE;
     * the owner alone writes this word).
     */
    private void pinMembarrier() {
        boolean done = false;
        try {
            long e;
            do {
                // RStart: volatile read of E (a plain load on x86-64)
                e = SharedRegion.getLongVolatile(epochOffset);
                if (e < 0) {
                    throw domain.closedException();
                }
                // RStore: opaque store, then no fence. The loads below (and the guard's) may be
                // performed before it is visible to other processors. A membarrier elsewhere pays
                // for that: the tagging step's (RecMb, before any bag's tag read; fqs may miss this
                // store, harmlessly), the offliner's (AOffMb), synchronize's and close's. Opaque,
                // not plain: HotSpot brackets an opaque native store with compiler barriers, so no
                // later load is compiled above it
                // (docs/memory-model.md); a plain store has none.
                SharedRegion.setLongOpaque(slotOffset, Epoch.pinned(e));
            } while (!flagHeld());
            // volatile re-read of E after the pin store: the closed bit; pairs with close()'s
            // membarrier between its closed-bit CAS and its slot scan (DomainCloser)
            if (SharedRegion.getLongVolatile(epochOffset) < 0) {
                throw domain.closedException();
            }
            if (lastReported != e) { // the SLOT_SEEN word, cached (see lastReported)
                domain.firstPinInEpoch(slot, slotOffset, e); // PinDone: report as on the CAS side
                lastReported = e;
            }
            done = true;
        } finally {
            if (!done) {
                // release: undoes the pin store (the guard will not be returned)
                SharedRegion.setLongRelease(slotOffset, Epoch.IDLE);
            }
        }
    }

    /**
     * After the pin store: whether the slot is counted online, so the pin holds (RFlag, RCancel);
     * false after a re-join (RArrive, RJoinMb): the caller pins again with a fresh E.
     */
    private boolean flagHeld() {
        long flagOffset = slotOffset + DomainLayout.SLOT_FLAG;
        while (true) {
            // RFlag: volatile read (a plain load on x86-64); it may pass the buffered pin store,
            // which the offliner's membarrier accounts for (QuiescenceTree.offlineByFlag)
            long flag = SharedRegion.getLongVolatile(flagOffset);
            int state = SlotFlag.state(flag);
            if (state == SlotFlag.ONLINE) {
                return true;
            }
            if (state == SlotFlag.OFFLINING) {
                // RCancel: volatile CAS of the full word OFFLINING(n) -> ONLINE (a locked
                // instruction: the pin store is visible first). Success: the slot never departed
                // and the offliner's commit fails; failure: it committed or backed off, read again
                if (SharedRegion.casLong(flagOffset, flag, SlotFlag.next(flag, SlotFlag.ONLINE))) {
                    return true;
                }
                continue;
            }
            // RArrive: count the slot (getAndAdd on its path) before it is published online
            domain.detector.arrive(slot);
            boolean joined = false;
            try {
                // RJoinMb: volatile CAS OFFLINE -> ONLINE; only the owner moves the flag out of
                // OFFLINE, so it fails only if a release of this slot raced (then undo the count)
                joined = SharedRegion.casLong(flagOffset, flag, SlotFlag.next(flag, SlotFlag.ONLINE));
            } finally {
                if (!joined) {
                    domain.detector.depart(slot);
                }
            }
            return false;
        }
    }

    /**
     * Completes a pin after its CAS. If it throws, the slot may stay pinned (an overflow can hit the
     * undo too): the owner's next pin finds its own pinned word at depth 0 and takes it back
     * ({@link #pinSlow}), and {@link #close()} frees the slot whatever its word.
     */
    private void finishPin(long e) {
        SharedRegion.fenceAfterPin(); // store->load: see SharedRegion.fenceAfterPin
        // volatile re-read of E after the CAS: pairs with close() (see EpochDomain "Owner word")
        if (SharedRegion.getLongVolatile(epochOffset) < 0) {
            throw domain.closedException(); // the caller undoes the pin
        }
        if (lastReported != e) { // the SLOT_SEEN word, cached (see lastReported)
            domain.firstPinInEpoch(slot, slotOffset, e);
            lastReported = e;
        }
    }

    private void pinSlow() {
        while (true) {
            long e = SharedRegion.getLongVolatile(epochOffset);
            if (e < 0) {
                throw domain.closedException();
            }
            long word = SharedRegion.getLongVolatile(slotOffset);
            if (Epoch.isPinned(word)) {
                // only the owner pins this slot, and it pins only at depth 0 or to resume: a pinned
                // word here is the owner's own pin whose guard was never returned (an Error struck
                // between the pin CAS and the return): release it (volatile CAS; the owner alone
                // writes this slot's pinned words, so it cannot lose to anyone but the advancer,
                // which never touches a pinned word)
                SharedRegion.casLong(slotOffset, word, Epoch.IDLE);
                continue;
            }
            if (word != Epoch.IDLE) {
                domain.rejoin(slot, slotOffset, word); // taken offline for idleness: count it again
            }
            if (SharedRegion.casLong(slotOffset, Epoch.IDLE, Epoch.pinned(e))) { // as in pinSlot
                boolean done = false;
                try {
                    finishPin(e);
                    done = true;
                } finally {
                    if (!done) {
                        unpinIfPinned();
                    }
                }
                return;
            }
        }
    }

    /** Undoes a pin whose guard will not be returned (the domain is closed, or an Error struck). */
    private void unpinIfPinned() {
        // (the CAS read side only: pinMembarrier undoes its own pin with a release store)
        // volatile read, then a volatile CAS from the pinned word seen: the owner alone pins the slot
        long word = SharedRegion.getLongVolatile(slotOffset);
        if (Epoch.isPinned(word)) {
            SharedRegion.casLong(slotOffset, word, Epoch.IDLE);
        }
    }

    void unpin(int level) {
        if (Thread.currentThread().threadId() != ownerId) {
            throw misuse("Guard.close()");
        }
        if (level != depth) {
            throw new IllegalStateException(this + ": guards must close in reverse order of opening:"
                    + " closing level " + level + " while " + depth + " are open");
        }
        if (level == 1) {
            boolean pinned = !suspended;
            // depth first, with field writes only: if a stack overflow strikes the unpin store
            // below, the participant is at depth 0 with its own pin left, which its next pin takes
            // back (pinSlow) and close() frees; the other way round it would count a guard open
            // for good that no one can close
            depth = 0;
            suspended = false;
            if (pinned) {
                // release: every access inside the guard happens-before a detector's read of IDLE
                SharedRegion.setLongRelease(slotOffset, Epoch.IDLE);
            }
            return;
        } else if (suspended) {
            pinSlot(); // the outer guard is still open: pin again for it (at the current epoch)
            suspended = false;
        }
        depth = level - 1;
    }

    void suspend(int level) {
        if (Thread.currentThread().threadId() != ownerId) {
            throw misuse("Guard.suspend()");
        }
        if (level != depth || suspended) {
            throw new IllegalStateException(this + ": only the innermost open, unsuspended guard can be"
                    + " suspended: level " + level + " of " + depth + (suspended ? ", suspended" : ""));
        }
        SharedRegion.setLongRelease(slotOffset, Epoch.IDLE); // release: as in unpin
        suspended = true;
    }

    void resume(int level) {
        if (Thread.currentThread().threadId() != ownerId) {
            throw misuse("Guard.resume()");
        }
        if (level != depth || !suspended) {
            throw new IllegalStateException(this + ": guard at level " + level + " is not suspended");
        }
        pinSlot();
        suspended = false;
    }

    boolean isPinned() {
        return depth > 0 && !suspended;
    }

    /** Region offset of this participant's slot word (for tests of the slot's words). */
    long slotOffset() {
        return slotOffset;
    }

    /** This participant's slot index (for tests of the registry's backstop). */
    int slot() {
        return slot;
    }

    /**
     * The domain this participant pins.
     *
     * @return the domain
     */
    public EpochDomain domain() {
        return domain;
    }

    /**
     * Returns the slot to the domain. Idempotent once closed.
     *
     * @throws IllegalStateException if called from another thread than the owner's, or while a guard
     *     of this participant is open
     */
    @Override
    public void close() {
        if (ownerId == -1) {
            return;
        }
        if (Thread.currentThread().threadId() != ownerId) {
            throw misuse("close()");
        }
        if (depth != 0) {
            throw new IllegalStateException(this + ": cannot close with " + depth + " open guard(s)");
        }
        ownerId = -1;
        cleanable.clean();
    }

    private IllegalStateException misuse(String what) {
        if (ownerId == -1) {
            return new IllegalStateException(this + " is closed: " + what + " is not allowed");
        }
        return new IllegalStateException(this + " belongs to the thread with id " + ownerId + "; "
                + what + " was called from thread '" + Thread.currentThread().getName() + "' (id "
                + Thread.currentThread().threadId() + ")");
    }

    @Override
    public String toString() {
        return "Participant[" + domain.name + ", slot " + slot + "]";
    }
}
