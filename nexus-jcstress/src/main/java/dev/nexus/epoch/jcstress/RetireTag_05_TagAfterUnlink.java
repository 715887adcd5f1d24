package dev.nexus.epoch.jcstress;

import static dev.nexus.epoch.jcstress.UserWord.NEW;
import static dev.nexus.epoch.jcstress.UserWord.OLD;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.QuiescenceTree;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Retire tag ordering: the tag a writer reads for a retired object is at least the epoch of any
 * reader that can still reach the object. A reader that pinned at {@code K+1} and still loaded the
 * old link must not find the object tagged {@code K}.
 *
 * <p><b>Hazard.</b> The writer unlinks (a store) and reads {@code E} (a load) as the tag. If the load
 * passes the store, the writer can read {@code E = K} while its unlink is not yet visible; an advancer
 * then moves {@code E} to {@code K+1} and a reader pins at {@code K+1} and still loads the old link.
 * The object, tagged {@code K}, is freed at {@code E = K+2}; but grace period {@code K+1} treats a
 * slot pinned at {@code K+1} as quiescent, so it does not wait for that reader: freed while pinned.
 *
 * <p><b>Happens-before edge.</b> {@code EpochDomain.retire}'s {@code VarHandle.fullFence()} between
 * the unlink and the tag read (SC fence): if the tag read returns {@code K}, it precedes the advance
 * CAS in the SC order, so the unlink precedes the reader's later volatile pin CAS and link load,
 * which therefore return the new link.
 *
 * <p><b>Accesses (JMM).</b> Writer: link release store, {@code fullFence}, {@code E} volatile read
 * ({@code Reclaimer.retire}). Advancer-reader: {@code CAS E: K -> K+1} (the advance of
 * {@code QuiescenceTree.completed}; the only slot is idle, so grace period {@code K} is complete),
 * then the pin of {@code Participant.pinSlot} ({@code E} volatile read, slot CAS) and the link
 * volatile read. {@code r1 = tag - K}, {@code r2 = link seen}.
 *
 * <p>{@link BrokenNoFence} drops the fence: store buffering on x86.
 *
 * <p>Run: {@code scripts/jcstress -t RetireTag_05}.
 */
public final class RetireTag_05_TagAfterUnlink {

    private RetireTag_05_TagAfterUnlink() {
    }

    /** E = K, slot 0 idle, link to the old object. */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.oneLeaf();
        final QuiescenceTree tree = new QuiescenceTree(layout);
        final UserWord link = new UserWord(OLD);

        Scenario() {
            Layouts.initSlot(layout, 0, Epoch.IDLE, Layouts.K);
        }

        /** Unlink, optionally fence, read the tag. */
        final void retire(II_Result r, boolean fence) {
            link.setValueRelease(NEW); // release, the user's unlink: ordered by the fence, not its mode
            if (fence) {
                VarHandle.fullFence(); // EpochDomain.retire: the unlink before the tag read
            }
            r.r1 = (int) (Layouts.epochVolatile(layout) - Layouts.K); // Reclaimer.retire's tag
        }

        /** Advance K -> K+1, pin at the new epoch, load the link. */
        final void advanceThenRead(II_Result r) {
            SharedRegion.casLong(layout.epoch(), Layouts.K, Epoch.successor(Layouts.K));
            ReaderPath.pin(tree, layout.epoch(), 0, layout.slot(0));
            r.r2 = link.valueVolatile(); // volatile: after the pin CAS in the SC order
        }

        final void done() {
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented. */
    @JCStressTest
    @Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "Tagged K before the advance; the reader (pinned at K+1) saw the new link.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Tagged K+1; the reader pinned at K+1 with the old link holds grace period K+2 back.")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Tagged K+1; the reader saw the new link.")
    @Outcome(id = "0, 1", expect = FORBIDDEN, desc = "Tag K although a reader pinned at K+1 saw the old link: freed while pinned.")
    @Outcome(expect = FORBIDDEN, desc = "Any other tag or link value.")
    @State
    public static class Actual extends Scenario {

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** The writer. */
        @Actor
        public void writer(II_Result r) {
            retire(r, true);
        }

        /** The advancer, then reader. */
        @Actor
        public void reader(II_Result r) {
            advanceThenRead(r);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }

    /** Broken on purpose: no fence between the unlink and the tag read. */
    @JCStressTest
    @Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "Tagged K before the advance; the reader (pinned at K+1) saw the new link.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Tagged K+1; the reader pinned at K+1 with the old link holds grace period K+2 back.")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Tagged K+1; the reader saw the new link.")
    @Outcome(id = "0, 1", expect = ACCEPTABLE_INTERESTING, desc = "Caught: tag K although a reader pinned at K+1 saw the old link.")
    @Outcome(expect = FORBIDDEN, desc = "Any other tag or link value.")
    @State
    public static class BrokenNoFence extends Scenario {

        /** A fresh state. */
        public BrokenNoFence() {
            super();
        }

        /** The writer, without the fence. */
        @Actor
        public void writer(II_Result r) {
            retire(r, false);
        }

        /** The advancer, then reader. */
        @Actor
        public void reader(II_Result r) {
            advanceThenRead(r);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }
}
