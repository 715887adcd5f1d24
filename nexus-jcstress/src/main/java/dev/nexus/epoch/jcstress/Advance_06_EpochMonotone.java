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
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code EpochMonotone}, and one advance per grace period: two advancers that both find grace period
 * {@code K} complete move {@code E} from {@code K} to {@code K+1} exactly once, never to {@code K+2}
 * (which would end grace period {@code K+1} without observing a single slot) and never back.
 *
 * <p><b>Hazard.</b> Two {@code forceQuiescentState(K)} passes (the reclaimer thread and a thread in
 * {@code synchronize()}, say) race: both install or read the leaf, both see the root complete, both
 * try to advance.
 *
 * <p><b>Atomicity.</b> Every advance is {@code CAS E: k -> k+1} with the grace period the caller
 * observed as the expected value ({@code QuiescenceTree.completed} and {@code forceQuiescentState}):
 * the second CAS fails. No ordering question: all accesses are volatile reads and CAS.
 *
 * <p><b>Accesses (JMM).</b> Both actors run the real {@link QuiescenceTree#forceQuiescentState}
 * (volatile reads of the leaf and the 16 slots, CAS of the leaf word, CAS of {@code E});
 * {@code r1}, {@code r2} = what each pass returned (1: {@code E} is past {@code K}); the arbiter reads
 * {@code r3 = E - K}. Initial: {@code E = K}, slot 0 idle, leaf tag 0 (older than {@code K}).
 *
 * <p>{@link BrokenRetryingAdvance} advances with a CAS loop on whatever {@code E} it re-reads
 * ("retry on failure"), not on the grace period it observed: a logic race, observable on any
 * hardware whenever one advancer re-reads {@code E} after the other's advance.
 *
 * <p>Run: {@code scripts/jcstress -t Advance_06}.
 */
public final class Advance_06_EpochMonotone {

    private Advance_06_EpochMonotone() {
    }

    /** Grace period K running on a 16-slot domain whose only online slot is idle. */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.oneLeaf();
        final QuiescenceTree tree = new QuiescenceTree(layout);

        Scenario() {
            Layouts.initSlot(layout, 0, Epoch.IDLE, Layouts.K);
        }

        final int fqs() {
            return tree.forceQuiescentState(Layouts.K, GracePeriodDetector.StragglerSink.NONE) ? 1 : 0;
        }

        final void check(III_Result r) {
            r.r3 = (int) (Layouts.epochVolatile(layout) - Layouts.K);
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented. */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Both passes saw grace period K end; E advanced exactly once.")
    @Outcome(id = ".*, .*, 2", expect = FORBIDDEN, desc = "Double advance: grace period K+1 ended without any observation.")
    @Outcome(id = ".*, .*, 0", expect = FORBIDDEN, desc = "No advance although every slot is quiescent.")
    @Outcome(expect = FORBIDDEN, desc = "A pass reported E not past K, or any other epoch.")
    @State
    public static class Actual extends Scenario {

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** First advancer. */
        @Actor
        public void advancer1(III_Result r) {
            r.r1 = fqs();
        }

        /** Second advancer. */
        @Actor
        public void advancer2(III_Result r) {
            r.r2 = fqs();
        }

        /** Reads E, returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            check(r);
        }
    }

    /**
     * Broken on purpose: each advancer observes slot 0 quiescent for K, then advances with
     * {@code do e = E; while (!CAS(E, e, e+1))}, expecting the current value instead of K.
     */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "One advancer read E after the other's advance and stopped: no damage this time.")
    @Outcome(id = "1, 1, 2", expect = ACCEPTABLE_INTERESTING, desc = "Caught: both read K, the loser retried its failed CAS on K+1: grace period K+1 ended unobserved.")
    @Outcome(expect = FORBIDDEN, desc = "Any other epoch.")
    @State
    public static class BrokenRetryingAdvance extends Scenario {

        /** A fresh state. */
        public BrokenRetryingAdvance() {
            super();
        }

        private int observeThenAdvance() {
            long k = Layouts.K;
            if (!Epoch.quiescentFor(SharedRegion.getLongVolatile(layout.slot(0)), k)) {
                return 0;
            }
            long e = SharedRegion.getLongVolatile(layout.epoch());
            if (e != k) {
                return 1; // someone advanced already: the check a retrying advancer does once
            }
            while (!SharedRegion.casLong(layout.epoch(), e, Epoch.successor(e))) {
                e = SharedRegion.getLongVolatile(layout.epoch()); // broken: retries on the new value
            }
            return 1;
        }

        /** First advancer. */
        @Actor
        public void advancer1(III_Result r) {
            r.r1 = observeThenAdvance();
        }

        /** Second advancer. */
        @Actor
        public void advancer2(III_Result r) {
            r.r2 = observeThenAdvance();
        }

        /** Reads E, returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            check(r);
        }
    }
}
