package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.Reclaimer;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.SlotAllocator;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link Cleaner} action of a domain that became unreachable without {@link EpochDomain#close()}:
 * closes it (no one can use it any more), lets its reclaimer thread free what is pending once no
 * slot is pinned, then end, and gives its pages back. Without it, each forgotten domain would keep a
 * reclaimer thread alive for good.
 *
 * <p>Holds no reference to the domain (a Cleaner action that did would keep it reachable). Runs at
 * most once; a no-op for a domain closed explicitly (DomainCloser cleans the registration).
 */
final class DomainReaper implements Runnable {

    /*
     * Implementation notes. Why it is safe to free everything once no slot is pinned: every guard
     * refers to its domain, so when the domain is unreachable so is every guard, and no pin can
     * start (pins need the domain). The closed bit is set first anyway, as close() does. A pooled
     * slot still pinned belongs to a guard that is unreachable too (a pin being undone, a close or a
     * suspend keeps its guard reachable until its unpin store: each ends with a reachabilityFence),
     * so with the backstop on it is released here outright. A participant slot still pinned is
     * released by its participant's own Cleaner; the reclaimer thread waits for that, for at most
     * PATIENCE, and otherwise gives up (leaking what is pending, and saying so) rather than free
     * memory a pin might protect.
     *
     * Why not through GuardBackstop.tryRelease: the backstop records the guard of a pinned slot
     * strongly until a detection pass makes the record weak, and a guard refers to its domain. This
     * action is reachable from the Cleaner (a GC root) for as long as the domain lives: if it
     * reached the backstop, a dropped guard whose record no detection pass made weak (no thread
     * waits for a grace period, say an inline domain) would keep its dropped domain reachable for
     * good, and this action would never run.
     */

    /** The one Cleaner of domains (and participants): its thread only runs these short actions. */
    static final Cleaner CLEANER = Cleaner.create();

    private static final System.Logger LOG = System.getLogger("dev.nexus.epoch");
    private static final long PATIENCE_NANOS = 60_000_000_000L;

    private final String name;
    private final long epochOffset;
    private final DomainLayout layout;
    private final SlotAllocator slots;
    /** Whether the guard backstop is on: pooled slots of dropped guards are released. */
    private final boolean releaseDropped;
    private final Reclaimer reclaimer;
    private final AtomicBoolean released;

    DomainReaper(String name, long epochOffset, DomainLayout layout, SlotAllocator slots,
            boolean releaseDropped, Reclaimer reclaimer, AtomicBoolean released) {
        this.name = name;
        this.epochOffset = epochOffset;
        this.layout = layout;
        this.slots = slots;
        this.releaseDropped = releaseDropped;
        this.reclaimer = reclaimer;
        this.released = released;
    }

    @Override
    public void run() {
        if (released.get()) {
            return; // closed explicitly
        }
        while (true) {
            long e = SharedRegion.getLongVolatile(epochOffset);
            // volatile CAS: sets the closed bit, as close() does
            if (e < 0 || SharedRegion.casLong(epochOffset, e, e | Epoch.CLOSED)) {
                break;
            }
        }
        if (!reclaimer.started() && reclaimer.isEmpty() && quiescent()) {
            drained(); // nothing pending and no thread: no need to start one
            return;
        }
        reclaimer.abandon(this::quiescent, this::drained, this::gaveUp, PATIENCE_NANOS);
    }

    /** Whether no slot is pinned, after releasing pooled slots whose guards were dropped. */
    private boolean quiescent() {
        boolean quiescent = true;
        for (int slot = 0; slot < slots.poolActive(); slot++) {
            if (pinned(slot) && !releaseDropped(slot)) {
                quiescent = false;
            }
        }
        int first = layout.poolCapacity();
        for (int slot = first; slot < first + slots.participantHighWater(); slot++) {
            quiescent &= !pinned(slot);
        }
        return quiescent;
    }

    /**
     * Releases pooled slot {@code slot}, pinned by a guard dropped with its domain (see the notes),
     * if the backstop is on; returns whether it did.
     */
    private boolean releaseDropped(int slot) {
        if (!releaseDropped) {
            return false;
        }
        long slotOffset = layout.slot(slot);
        long word = SharedRegion.getLongVolatile(slotOffset); // volatile: the pin to release
        SharedRegion.setLongPlain(slotOffset + DomainLayout.SLOT_OWNER, 0); // see EpochDomain "Owner word"
        // volatile CAS from the word read: no pin of this domain can start or end any more
        return SharedRegion.casLong(slotOffset, word, Epoch.IDLE);
    }

    private boolean pinned(int slot) {
        return Epoch.isPinned(SharedRegion.getLongVolatile(layout.slot(slot))); // volatile: sees pins
    }

    private void drained() {
        if (released.compareAndSet(false, true)) {
            SharedRegion.release(layout.releasableStart(), layout.releasableBytes());
        }
        long freed = reclaimer.reclaimedBytes();
        if (freed > 0) {
            LOG.log(System.Logger.Level.WARNING, () -> "epoch domain '" + name + "' became unreachable"
                    + " without close(); its reclaimer freed what was pending (" + freed
                    + " bytes in all) and stopped. Close domains you no longer use");
        }
    }

    private void gaveUp() {
        LOG.log(System.Logger.Level.WARNING, () -> "epoch domain '" + name + "' became unreachable"
                + " without close() while a slot stayed pinned; its reclaimer stopped without freeing "
                + Math.max(0, reclaimer.retiredBytes() - reclaimer.reclaimedBytes()) + " pending bytes");
    }
}
