package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.Reclaimer;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.ref.Cleaner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Carries out {@link EpochDomain#close()} and {@link EpochDomain#close(java.time.Duration)}: closers
 * take turns; each sets the closed bit, waits until no slot is pinned, then takes the reclaimer's
 * step lock, which is the point of no return; a failure, timeout or interrupt before it clears the
 * closed bit again, so the domain is as it was.
 */
final class DomainCloser {

    /*
     * Implementation notes. Reopening is a volatile store of the open epoch read when the closed bit
     * was set: E cannot move while the bit is set (advances CAS from an open E), and closers take
     * turns, so no one else changed it. The turn lock is what makes that true for concurrent
     * closers: without it, a closer that gives up would reopen the domain under one still waiting.
     */

    private final EpochDomain domain;
    private final long epochOffset;
    private final DomainLayout layout;
    private final Reclaimer reclaimer;
    private final StallMonitor stalls;
    private final AtomicBoolean released;
    /** Closes the domain if it becomes unreachable unclosed (see DomainReaper). */
    private final Cleaner.Cleanable reaper;
    /** Closers take turns: a failed close reopens the domain, which must not pull the rug from another. */
    private final ReentrantLock turn = new ReentrantLock();

    DomainCloser(EpochDomain domain, long epochOffset, DomainLayout layout, Reclaimer reclaimer,
            StallMonitor stalls, AtomicBoolean released, Cleaner.Cleanable reaper) {
        this.domain = domain;
        this.epochOffset = epochOffset;
        this.layout = layout;
        this.reclaimer = reclaimer;
        this.stalls = stalls;
        this.released = released;
        this.reaper = reaper;
    }

    /** Closes the domain by {@code deadline} ({@link Waiting#NEVER}: no deadline); false on timeout. */
    boolean closeUntil(long deadline) throws InterruptedException {
        // fails fast, before any wait (the turn, the closed bit), if this thread holds a guard of
        // the domain: the misuse is reported whatever else the wait would have met first
        GracePeriodDetector.StragglerSink ownGuard = stalls.failingOnOwnGuard("close()");
        // tryLock() first: a close that need not wait succeeds even with the interrupt status set
        if (!turn.tryLock() && !turn.tryLock(Math.max(0, deadline == Waiting.NEVER
                ? Long.MAX_VALUE : deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            if (released.get()) {
                return true; // closed by an earlier call
            }
            long open = setClosedBit();
            boolean committed = false;
            try {
                // membarrier read side (the model leaves close out): participants publish a pin with
                // an opaque store, then re-read E. The membarrier runs a full barrier in each reader
                // at an instant B inside the call: a reader whose pin store follows B re-reads E
                // after B, so after the closed-bit CAS above, and undoes its pin; a pin stored before
                // B is visible when the call returns, so the scans below see it. One call suffices:
                // the scans repeat, and a pin stored later sees the closed bit. Nothing on the CAS
                // read side (the pin CAS and the closed-bit CAS are both locked instructions).
                domain.readBarrier.membarrier();
                committed = reclaimer.driveUntil(() -> domain.noSlotPinned(ownGuard), ownGuard, deadline)
                        && reclaimer.lockForClose(deadline); // waits (parked) for a running step
            } finally {
                if (!committed) {
                    // volatile store of the open epoch: the closed bit set above goes (see notes)
                    SharedRegion.setLongVolatile(epochOffset, open);
                }
            }
            if (!committed) {
                return false; // timed out: open again, as it was
            }
            try {
                reclaimer.stop();
                reclaimer.reclaimAllLocked();
            } finally {
                reclaimer.unlockAfterClose();
            }
            if (released.compareAndSet(false, true)) {
                SharedRegion.release(layout.releasableStart(), layout.releasableBytes());
            }
            reaper.clean(); // deregisters: the reaper sees 'released' and does nothing
            DomainStatistics.deregister(domain);
            return true;
        } finally {
            turn.unlock();
        }
    }

    /** Sets the closed bit of E; returns the open value it replaced. */
    private long setClosedBit() {
        while (true) {
            long e = SharedRegion.getLongVolatile(epochOffset);
            assert e >= 0 : "closed bit set outside a close turn: " + e;
            // volatile CAS: sets the closed bit; pairs with the re-read of E after each pin CAS
            if (SharedRegion.casLong(epochOffset, e, e | Epoch.CLOSED)) {
                return e;
            }
        }
    }
}
