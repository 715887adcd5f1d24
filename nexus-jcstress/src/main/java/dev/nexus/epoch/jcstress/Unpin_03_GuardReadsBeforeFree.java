package dev.nexus.epoch.jcstress;

import static dev.nexus.epoch.jcstress.UserWord.LIVE;
import static dev.nexus.epoch.jcstress.UserWord.POISON;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.QuiescenceTree;
import dev.nexus.epoch.internal.Reclaimer;
import dev.nexus.epoch.internal.SharedRegion;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Unpin release: a read the reader made inside its guard happens-before the free that the end of its
 * guard allows. The reader reads a payload word, unpins, and opens its next guard as a loop would
 * (pin and first-pin report); the real {@link Reclaimer} drives the grace period with the real
 * {@link QuiescenceTree}, observes the slot {@code IDLE} (or pinned at {@code >= K}) and frees
 * (poisons) the object. The read made inside the first guard must never return the poison.
 *
 * <p><b>Hazard.</b> If the unpin store could become visible before the reader's earlier load
 * (load->store reordering: allowed for a plain store on ARM and POWER, and for the JIT), the detector
 * would see {@code IDLE}, end the grace period and free the object while the load is still pending.
 *
 * <p><b>Happens-before edge.</b> The payload read is sequenced before the release store of
 * {@code IDLE} ({@code Participant.unpin}); the detector's volatile read of the slot
 * ({@code QuiescenceTree.observeLeaf}) that returns {@code IDLE} synchronizes-with it; the advance of
 * {@code E}, the volatile re-read of {@code E} in {@code Reclaimer.tryStep} and the free follow in
 * program order. If the reader's own first-pin report completes grace period {@code K} instead, the
 * chain starts in its program order (read, unpin, report's CAS of {@code E}) and reaches the free
 * through the reclaimer's volatile read of {@code E}. Either way the read happens-before the poison
 * store and cannot see it.
 *
 * <p><b>Accesses (JMM).</b> Reader: payload plain read, slot release store; then the next guard's
 * {@code E} volatile read, slot CAS, plain {@code seen} and the report's volatile node and slot reads
 * and CAS. Reclaimer thread ({@code Reclaimer.tryStep}): node and slot volatile reads, node CAS and
 * {@code E} CAS ({@code forceQuiescentState}), {@code E} volatile read, then the free's plain poison
 * store. {@code r1} = payload read by the reader, {@code r2} = 1 if freed. Initial state:
 * {@code E = K}, the reader pinned at {@code K-1}, the object retired with tag {@code K-1} (freed once
 * {@code E >= K+1}).
 *
 * <p>TSO (x86) never reorders a load with a later store, so a plain unpin store would not show the
 * bug there; {@link BrokenReadAfterUnpin} therefore makes the reordering that a plain store permits
 * explicit: it unpins first and reads after (once its next guard is open), the read escaping the
 * guard it belongs to.
 *
 * <p>Run: {@code scripts/jcstress -t Unpin_03}.
 */
public final class Unpin_03_GuardReadsBeforeFree {

    private Unpin_03_GuardReadsBeforeFree() {
    }

    /** A reader pinned at K-1 on slot 0, and a sealed bag tagged K-1 holding the object's free. */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.oneLeaf();
        final QuiescenceTree tree = new QuiescenceTree(layout);
        final long slot = layout.slot(0);
        final UserWord payload = new UserWord(LIVE);
        final Reclaimer reclaimer;
        int freed;

        Scenario() {
            Layouts.initSlot(layout, 0, Epoch.pinned(Layouts.K - 1), Layouts.K - 1);
            reclaimer = new Reclaimer("jcstress", layout.epoch(), tree, 2, 1L << 20, 1, false,
                    GracePeriodDetector.StragglerSink.NONE, () -> { });
            // retire while E = K-1 (tag K-1), then let grace period K begin
            SharedRegion.setLongPlain(layout.epoch(), Layouts.K - 1);
            reclaimer.retire((Runnable) this::free, null, 0);
            reclaimer.flushAll();
            SharedRegion.setLongPlain(layout.epoch(), Layouts.K);
        }

        private void free() { // runs on the reclaiming thread, inside tryStep
            payload.setValuePlain(POISON); // plain, as free's write: after tryStep's volatile read of E
            freed = 1; // plain: read back by this thread only
        }

        /** The reader's next guard, as a loop opens it: pin (at K or K+1) and the first-pin report. */
        final void nextGuard() {
            long e = ReaderPath.pin(tree, layout.epoch(), 0, slot);
            ReaderPath.reportFirstPin(tree, 0, slot, e);
        }

        /** One reclaiming step: a force-quiescent-state pass for K, then frees what is reclaimable. */
        final void reclaim(II_Result r) {
            reclaimer.tryStep(GracePeriodDetector.StragglerSink.NONE);
            r.r2 = freed;
        }

        final void done() {
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The reclaimer saw the reader still pinned; nothing freed.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader read the live payload, unpinned; then the object was freed.")
    @Outcome(id = "2, 1", expect = FORBIDDEN, desc = "A read inside the guard saw the free's poison.")
    @Outcome(expect = FORBIDDEN, desc = "Impossible: poison without a free.")
    @State
    public static class Actual extends Scenario {

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** The reader: read inside the guard, unpin, open the next guard. */
        @Actor
        public void reader(II_Result r) {
            r.r1 = payload.valuePlain(); // plain, as MemorySegment.get: ordered by the unpin below
            ReaderPath.unpin(slot); // release: the read above happens-before a detector's read of IDLE
            nextGuard();
        }

        /** The reclaimer. */
        @Actor
        public void reclaimer(II_Result r) {
            reclaim(r);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }

    /**
     * Broken on purpose: the read is moved after the unpin (what a plain unpin store may allow on ARM
     * or in the JIT). The reader then opens its next guard, as a loop would, and reads through the
     * reference it loaded in the first one; the new pin does not protect it (the object was retired
     * before that guard opened).
     */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "The reclaimer saw the reader still pinned; nothing freed.")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Freed after the escaped read: no damage this time.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE_INTERESTING, desc = "Caught: the read after the unpin saw the free's poison.")
    @Outcome(expect = FORBIDDEN, desc = "Impossible: poison without a free.")
    @State
    public static class BrokenReadAfterUnpin extends Scenario {

        /** A fresh state. */
        public BrokenReadAfterUnpin() {
            super();
        }

        /** The reader: unpin, then read. */
        @Actor
        public void reader(II_Result r) {
            ReaderPath.unpin(slot);
            nextGuard();
            r.r1 = payload.valuePlain(); // broken: a reference from the closed guard
        }

        /** The reclaimer. */
        @Actor
        public void reclaimer(II_Result r) {
            reclaim(r);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }
}
