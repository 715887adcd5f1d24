package dev.nexus.epoch.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.QuiescenceTree;
import dev.nexus.epoch.internal.SharedRegion;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * Progress ({@code EventuallyReclaimed}, the grace-period half): a thread driving grace period
 * {@code K} with force-quiescent-state passes, as {@code synchronize()} and the reclaimer do, finishes
 * once the straggling reader unpins. Run in {@link Mode#Termination}: the driver must terminate after
 * the signal.
 *
 * <p><b>Hazard.</b> A detector that reads the slot with a plain load may have that load hoisted out
 * of its loop by the JIT: it then never sees the unpin and spins forever (liveness, not safety).
 *
 * <p><b>Happens-before edge.</b> The unpin's release store of {@code IDLE} and each pass's volatile read
 * of the slot: a volatile read cannot be hoisted, and the JMM (with the opaque-or-stronger
 * coherence of volatile accesses) guarantees it eventually returns the newer value.
 *
 * <p><b>Accesses (JMM).</b> Driver: the real {@link QuiescenceTree#forceQuiescentState} in a loop
 * (volatile reads of leaf and slot, CAS of leaf and {@code E}). Signal: {@code Participant.unpin}'s
 * release store. Initial: {@code E = K}, slot 0 {@code PINNED(K-1)}.
 *
 * <p>{@link BrokenHoistedRead} waits on a plain read of the slot hoisted out of its loop: the
 * transformation the JMM allows for a plain read in a loop with no synchronization. (In 1,700
 * samples C2 never hoisted a looped {@code SharedRegion.getLongPlain}: raw off-heap accesses are
 * compiled conservatively; so the variant writes the hoisted form itself.) Every sample that reaches
 * the loop before the signal is {@code STALE}; jcstress then ends the fork.
 *
 * <p>Run: {@code scripts/jcstress -t Progress_08}.
 */
public final class Progress_08_GracePeriodEnds {

    private Progress_08_GracePeriodEnds() {
    }

    /** A reader pinned at K-1 on slot 0 holds grace period K back. */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.oneLeaf();
        final QuiescenceTree tree = new QuiescenceTree(layout);
        final long slot = layout.slot(0);

        Scenario() {
            Layouts.initSlot(layout, 0, Epoch.pinned(Layouts.K - 1), Layouts.K - 1);
        }

        final void driveUntilAdvanced() {
            while (!tree.forceQuiescentState(Layouts.K, GracePeriodDetector.StragglerSink.NONE)) {
                Thread.onSpinWait();
            }
            // the signal's only access, the unpin store, has been observed: the block is free again
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The driver saw the unpin and ended grace period K.")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The driver never saw the unpin.")
    @State
    public static class Actual extends Scenario {

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** Drives grace period K until E moves past it. */
        @Actor
        public void driver() {
            driveUntilAdvanced();
        }

        /** The straggler unpins. */
        @Signal
        public void unpin() {
            ReaderPath.unpin(slot);
        }
    }

    /** Broken on purpose: waits on a plain read of the slot hoisted out of the loop. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The signal came before the hoisted read: no damage this time.")
    @Outcome(id = "STALE", expect = ACCEPTABLE_INTERESTING, desc = "Caught: the hoisted plain read never saw the unpin.")
    @State
    public static class BrokenHoistedRead extends Scenario {

        /** A fresh state. */
        public BrokenHoistedRead() {
            super();
        }

        /** Waits on a hoisted plain read, then drives grace period K. */
        @Actor
        public void driver() {
            long word = SharedRegion.getLongPlain(slot); // broken: read once, outside the loop
            while (Epoch.isPinned(word)) {
                Thread.onSpinWait();
            }
            driveUntilAdvanced();
        }

        /** The straggler unpins. */
        @Signal
        public void unpin() {
            ReaderPath.unpin(slot);
        }
    }
}
