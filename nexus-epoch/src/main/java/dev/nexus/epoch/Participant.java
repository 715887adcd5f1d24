package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
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
 * <p><b>Not thread-safe</b> by design: it belongs to one thread.
 *
 * <p>Memory effects: as for every guard; see the {@linkplain dev.nexus.epoch package documentation}.
 */
public final class Participant implements AutoCloseable {

    /*
     * Implementation notes. The slot is owned: only this participant's thread pins and unpins it;
     * the advancer may CAS it IDLE -> OFFLINE, which is why the pin is a CAS from IDLE and not a
     * plain store. depth, suspended and ownerId are plain fields read and written by the owner only.
     */

    private final EpochDomain domain;
    private final int slot;
    private final long slotOffset;
    private final long epochOffset;
    private long ownerId;
    private int depth;
    private boolean suspended;
    Cleaner.Cleanable cleanable;

    Participant(EpochDomain domain, int slot, long slotOffset, long ownerId) {
        this.domain = domain;
        this.slot = slot;
        this.slotOffset = slotOffset;
        this.epochOffset = domain.epochOffset;
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
        if (SharedRegion.getLongPlain(slotOffset + DomainLayout.SLOT_SEEN) != e) {
            domain.firstPinInEpoch(slot, slotOffset, e);
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
