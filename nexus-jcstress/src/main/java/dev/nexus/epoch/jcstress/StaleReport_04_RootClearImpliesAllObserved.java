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
 * {@code RootClearImpliesAllObserved} against a stale report: a reporter for grace period {@code k}
 * races the advancer, which completes {@code k} and installs {@code k+1}. The report must never clear
 * a pending bit of grace period {@code k+1}.
 *
 * <p><b>Hazard.</b> The reader of slot 0 pinned at {@code K} and is about to make its first-pin report
 * for {@code K} ({@code EpochDomain.firstPinInEpoch} -> {@link QuiescenceTree#report}). Meanwhile the
 * advancer observes slot 0 (pinned at {@code K}: quiescent for {@code K}), completes {@code K},
 * advances {@code E} to {@code K+1} and installs the leaf for {@code K+1} with slot 0 pending (pinned
 * at {@code K < K+1}). A report that clears "its bit" without checking the node's tag would clear the
 * bit of {@code K+1}: the root would read {@code (K+1, empty)} with slot 0 never observed for
 * {@code K+1}, and {@code E} could reach {@code K+2} while the reader holds objects tagged {@code K}.
 *
 * <p><b>Happens-before / atomicity.</b> Not an ordering question but atomicity: the report's CAS
 * compares the whole node word, tag included ({@code Epoch.node(tag, pending)}); once the advancer's
 * CAS installed tag {@code K+1}, the reporter's expected word (tag {@code K}) fails, and its re-read
 * sees a newer tag ({@code Epoch.compareTag > 0}) and stops.
 *
 * <p><b>Accesses (JMM).</b> All node and slot accesses are volatile reads and volatile CAS
 * ({@code SharedRegion.getLongVolatile}, {@code casLong}), on both sides; the arbiter reads the final
 * leaf word and {@code E}: {@code r1 = tag - K}, {@code r2 = pending mask}, {@code r3 = E - K}.
 * Initial: {@code E = K}, leaf {@code (K, {slot 0})}, slot 0 {@code PINNED(K)}.
 *
 * <p>{@link BrokenStaleTag} (TLA+ variant {@code StaleTag}) clears its bit in whatever word the leaf
 * holds, ignoring the tag: a logic race, observable on any hardware whenever the report runs after
 * the install of {@code K+1}.
 *
 * <p>Run: {@code scripts/jcstress -t StaleReport_04}.
 */
public final class StaleReport_04_RootClearImpliesAllObserved {

    private StaleReport_04_RootClearImpliesAllObserved() {
    }

    /** Grace period K running, slot 0 pinned at K and still pending in the leaf (the root). */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.oneLeaf();
        final QuiescenceTree tree = new QuiescenceTree(layout);
        final long leaf = layout.node(0, 0);

        Scenario() {
            Layouts.initSlot(layout, 0, Epoch.pinned(Layouts.K), Layouts.K);
            SharedRegion.setLongPlain(leaf, Epoch.node(Epoch.tag(Layouts.K), 1));
        }

        /** The advancer: completes grace period K (FQS), then drives K+1, which installs the leaf. */
        final void advance() {
            tree.forceQuiescentState(Layouts.K, GracePeriodDetector.StragglerSink.NONE);
            tree.forceQuiescentState(Layouts.K + 1, GracePeriodDetector.StragglerSink.NONE);
        }

        final void check(III_Result r) {
            long word = SharedRegion.getLongVolatile(leaf);
            r.r1 = (int) (Epoch.nodeTag(word) - Epoch.tag(Layouts.K));
            r.r2 = Epoch.nodePending(word);
            r.r3 = (int) (Layouts.epochVolatile(layout) - Layouts.K);
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented: the real {@link QuiescenceTree#report}. */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
            desc = "Grace period K+1 runs with slot 0 (pinned at K) pending, whatever the interleaving.")
    @Outcome(id = "1, 0, [12]", expect = FORBIDDEN,
            desc = "RootClearImpliesAllObserved violated: K+1 cleared (2: E advanced) with slot 0 pinned at K.")
    @Outcome(expect = FORBIDDEN, desc = "Any other final leaf word or epoch.")
    @State
    public static class Actual extends Scenario {

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** The reader's first-pin report for K. */
        @Actor
        public void reporter() {
            tree.report(0, Layouts.K);
        }

        /** The advancer. */
        @Actor
        public void advancer() {
            advance();
        }

        /** Reads the final leaf word and E, returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            check(r);
        }
    }

    /** Broken on purpose: the report clears its bit in whatever word it finds, ignoring the tag. */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE,
            desc = "Grace period K+1 runs with slot 0 (pinned at K) pending: the report ran early.")
    @Outcome(id = "1, 0, [12]", expect = ACCEPTABLE_INTERESTING,
            desc = "Caught: the stale report cleared K+1's bit (2: E advanced) with slot 0 pinned at K.")
    @Outcome(expect = FORBIDDEN, desc = "Any other final leaf word or epoch.")
    @State
    public static class BrokenStaleTag extends Scenario {

        /** A fresh state. */
        public BrokenStaleTag() {
            super();
        }

        /** A report for K that observes its slot, then clears bit 0 whatever the word's tag. */
        @Actor
        public void reporter() {
            long k = Layouts.K;
            if (!Epoch.quiescentFor(SharedRegion.getLongVolatile(layout.slot(0)), k)) {
                return;
            }
            while (true) {
                long word = SharedRegion.getLongVolatile(leaf);
                int pending = Epoch.nodePending(word);
                if ((pending & 1) == 0) {
                    return;
                }
                // broken: keeps the word's current tag instead of checking it is still k
                if (SharedRegion.casLong(leaf, word, Epoch.node(Epoch.nodeTag(word), pending & ~1))) {
                    if ((pending & ~1) == 0) {
                        SharedRegion.casLong(layout.epoch(), k, Epoch.successor(k)); // the root completed k
                    }
                    return;
                }
            }
        }

        /** The advancer. */
        @Actor
        public void advancer() {
            advance();
        }

        /** Reads the final leaf word and E, returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            check(r);
        }
    }
}
