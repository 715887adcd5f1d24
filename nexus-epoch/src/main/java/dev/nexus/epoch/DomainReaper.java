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
     * slot still pinned belongs to a guard that is unreachable too: the backstop releases it. A
     * participant slot still pinned is released by its participant's own Cleaner; the reclaimer
     * thread waits for that, for at most PATIENCE, and otherwise gives up (leaking what is pending,
     * and saying so) rather than free memory a pin might protect.
     */

    /** The one Cleaner of domains (and participants): its thread only runs these short actions. */
    static final Cleaner CLEANER = Cleaner.create();

    private static final System.Logger LOG = System.getLogger("dev.nexus.epoch");
    private static final long PATIENCE_NANOS = 60_000_000_000L;

    private final String name;
    private final long epochOffset;
    private final DomainLayout layout;
    private final SlotAllocator slots;
    private final GuardBackstop backstop;
    private final Reclaimer reclaimer;
    private final AtomicBoolean released;

    DomainReaper(String name, long epochOffset, DomainLayout layout, SlotAllocator slots,
            GuardBackstop backstop, Reclaimer reclaimer, AtomicBoolean released) {
        this.name = name;
        this.epochOffset = epochOffset;
        this.layout = layout;
        this.slots = slots;
        this.backstop = backstop;
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
            if (pinned(slot) && backstop.tryRelease(slot) == null) {
                quiescent = false;
            }
        }
        int first = layout.poolCapacity();
        for (int slot = first; slot < first + slots.participantHighWater(); slot++) {
            quiescent &= !pinned(slot);
        }
        return quiescent;
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
