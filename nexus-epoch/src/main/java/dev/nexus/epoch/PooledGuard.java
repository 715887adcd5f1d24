package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/** A guard on a slot leased from the domain's pool ({@link EpochDomain#pin()}). */
final class PooledGuard implements Guard {

    private static final int OPEN = 0;
    private static final int SUSPENDED = 1;
    private static final int CLOSED = 2;

    private final EpochDomain domain;
    /** The thread that made this guard's latest pin; written only with the backstop on, for its
     *  records (see GuardBackstop). */
    private Thread opener;
    /** The pinned word of this guard's latest pin; written only with the backstop on. */
    private long word;
    private int slot;
    private int state;
    /** Views bound in checked mode; null otherwise (see CheckedViews). */
    private final CheckedViews views;

    /** A guard not yet pinned: {@link EpochDomain#pin()} allocates it before its pin CAS. */
    PooledGuard(EpochDomain domain) {
        this.domain = domain;
        this.slot = -1;
        this.views = domain.checked ? new CheckedViews() : null;
    }

    /**
     * Records the slot the pin leased (a plain write: the guard is not yet shared), and registers
     * this guard with the backstop for it.
     */
    void pinnedAt(int pinnedSlot, long pinnedWord) {
        this.slot = pinnedSlot;
        if (domain.backstopEnabled) {
            // plain: published by record's release store, which an upgrader's acquire read sees
            this.opener = Thread.currentThread();
            this.word = pinnedWord;
            domain.backstop.record(pinnedSlot, this);
        }
    }

    /** The thread of the latest pin (see GuardBackstop: read after an acquire of the record). */
    Thread opener() {
        return opener;
    }

    /** The pinned word of the latest pin (see GuardBackstop: read after an acquire of the record). */
    long word() {
        return word;
    }

    /** The leased slot (for tests and the domain's backstop). */
    int slot() {
        return slot;
    }

    @Override
    public void close() {
        if (views != null && state != CLOSED) {
            views.end(); // before the unpin: a read through a view fails from here on
        }
        if (state == OPEN) {
            // EpochDomain.unpinPooled inlined by hand: this call chain is no deeper than the pin
            // CAS's, so a reader that pinned at the brink of a stack overflow can still close
            long slotOffset = domain.slotBase + ((long) slot << 7);
            // see "Owner word"; release only so that this is the very call the unpin below makes:
            // if an overflow strikes, it strikes here, before anything changed
            SharedRegion.setLongRelease(slotOffset + DomainLayout.SLOT_OWNER, 0);
            // before the unpin store: the backstop leaves this slot alone from here (a release
            // store of its entry; see GuardBackstop.clear). An overflow striking this call leaves
            // the slot pinned with its entry, a guard left to the backstop once dropped; the unpin
            // store below is the very call the owner reset above made, so it cannot overflow
            if (domain.backstopEnabled) {
                domain.backstop.clear(slot);
            }
            // release: every access inside the guard happens-before a detector's volatile read of IDLE
            SharedRegion.setLongRelease(slotOffset, Epoch.IDLE);
        } else if (state == CLOSED) {
            throw new IllegalStateException("guard of epoch domain '" + domain.name + "' is already closed");
        }
        state = CLOSED;
        // reachable until its slot is unpinned: the backstop releases only unreachable guards' slots
        Reference.reachabilityFence(this);
    }

    @Override
    public void suspend() {
        if (state != OPEN) {
            throw new IllegalStateException("guard of epoch domain '" + domain.name + "' cannot be suspended: "
                    + (state == CLOSED ? "it is closed" : "it is already suspended"));
        }
        if (views != null) {
            views.end();
        }
        domain.unpinPooled(slot);
        state = SUSPENDED;
        Reference.reachabilityFence(this); // as in close()
    }

    @Override
    public void resume() {
        if (state != SUSPENDED) {
            throw new IllegalStateException("guard of epoch domain '" + domain.name + "' cannot resume: "
                    + (state == CLOSED ? "it is closed" : "it is not suspended"));
        }
        slot = domain.pinPooledSlot(this);
        state = OPEN;
    }

    @Override
    public MemorySegment bind(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        if (state != OPEN) {
            throw new IllegalStateException("guard of epoch domain '" + domain.name + "' cannot bind: it is "
                    + (state == CLOSED ? "closed" : "suspended"));
        }
        return views == null ? segment : views.bind(segment);
    }

    @Override
    public boolean isPinned() {
        return state == OPEN;
    }

    @Override
    public EpochDomain domain() {
        return domain;
    }

    @Override
    public String toString() {
        return "Guard[" + domain.name + ", slot " + slot + ", "
                + (state == OPEN ? "pinned" : state == SUSPENDED ? "suspended" : "closed") + "]";
    }
}
