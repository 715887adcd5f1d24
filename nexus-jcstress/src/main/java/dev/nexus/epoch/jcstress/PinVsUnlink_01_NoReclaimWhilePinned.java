package dev.nexus.epoch.jcstress;

import static dev.nexus.epoch.jcstress.UserWord.LIVE;
import static dev.nexus.epoch.jcstress.UserWord.NEW;
import static dev.nexus.epoch.jcstress.UserWord.OLD;
import static dev.nexus.epoch.jcstress.UserWord.POISON;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.QuiescenceTree;
import dev.nexus.epoch.internal.Reclaimer;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code NoReclaimWhilePinned}, end to end: a reader pins and follows a shared link while a writer
 * unlinks the object, defers its free, and drives grace periods with the real {@link Reclaimer} and
 * {@link QuiescenceTree} until the free runs. The free must never run while the reader holds the old
 * object.
 *
 * <p><b>Hazard.</b> The reader's pin (volatile read of {@code E}, CAS {@code IDLE -> PINNED(e)}) and
 * its load of the link race with the writer's unlink, {@code VarHandle.fullFence()} and tag read of
 * {@code E}: store buffering on both sides. A reader that read {@code E = k} before grace period
 * {@code k} began and pinned after the detector looked at its slot (the late pinner) is not waited
 * for by grace period {@code k}; the tag rule ({@code E >= t + 2}) makes grace period {@code k+1}
 * wait for it.
 *
 * <p><b>Happens-before edge.</b> The reader's pin CAS and the writer's fence are totally ordered (SC).
 * If the reader's volatile link load returns the old link, its CAS precedes the writer's unlink, so
 * its {@code e <= t}; every grace period {@code >= t+1} then observes the slot {@code PINNED(e)} and
 * waits ({@code Epoch.quiescentFor}), so {@code E} stays {@code < t + 2} and the free does not run.
 * If the slot was observed {@code IDLE} first, the reader's CAS comes later in the SC order than that
 * volatile read, which comes after the unlink: its link load returns the new link.
 *
 * <p><b>Accesses (JMM).</b> Reader: {@code E} volatile read; slot CAS (volatile); link volatile read
 * ({@code AtomicReference.get()}); payload plain read. Writer: link release store (the weakest
 * publishing unlink: the protocol's fence, not the user's store, orders it); {@code fullFence};
 * {@code Reclaimer.retire} reads {@code E} volatile; {@code tryStep} runs up to three
 * force-quiescent-state passes (volatile reads of node and slot words, CAS of node words and of
 * {@code E}) and runs the deferred free, which poisons the payload with a plain store. The reader
 * never unpins, so no free may run once it has loaded the old link. The reader skips the first-pin
 * report (an optimisation; {@code StaleReport_04} covers reports).
 *
 * <p>Run: {@code scripts/jcstress -t PinVsUnlink_01} or
 * {@code java --enable-native-access=ALL-UNNAMED -jar nexus-jcstress/target/jcstress.jar -t PinVsUnlink_01}.
 */
public final class PinVsUnlink_01_NoReclaimWhilePinned {

    private PinVsUnlink_01_NoReclaimWhilePinned() {
    }

    /** Reader on slot 0 and writer on a 16-slot domain with a deferred free of the old object. */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.oneLeaf();
        final QuiescenceTree tree = new QuiescenceTree(layout);
        final Reclaimer reclaimer;
        final UserWord link = new UserWord(OLD);
        final UserWord payload = new UserWord(LIVE);
        int freed;

        Scenario(int graceDistance) {
            // slot 0 online and idle; seen = K, so it is not taken offline before the third pass
            Layouts.initSlot(layout, 0, Epoch.IDLE, Layouts.K);
            // one stripe, no retire marks: the smallest Reclaimer; it never starts a thread here
            reclaimer = new Reclaimer("jcstress", layout.epoch(), tree, graceDistance, 1L << 20, 1, false,
                    GracePeriodDetector.StragglerSink.NONE, () -> { });
        }

        /** Pins slot 0, loads the link and, if it is the old object, a word of its payload. */
        final void read(III_Result r) {
            ReaderPath.pin(tree, layout.epoch(), 0, layout.slot(0));
            int l = link.valueVolatile(); // volatile: after the pin CAS in the SC order
            r.r1 = l;
            if (l == OLD) {
                r.r2 = payload.valuePlain(); // plain, as MemorySegment.get: guarded by the pin above
            }
        }

        /** Unlinks, defers the free as {@code EpochDomain.defer} does, then reclaims as the reclaimer does. */
        final void unlinkAndReclaim(III_Result r) {
            link.setValueRelease(NEW); // release, the user's unlink: the fence below orders it, not its mode
            VarHandle.fullFence(); // EpochDomain.defer: orders the unlink before the tag read of E
            reclaimer.retire((Runnable) this::free, null, 0);
            reclaimer.flushAll();
            reclaimer.tryStep(GracePeriodDetector.StragglerSink.NONE);
            r.r3 = freed;
        }

        private void free() { // runs on the writer's thread, inside tryStep
            payload.setValuePlain(POISON); // plain, as free's write: after tryStep's volatile read of E
            freed = 1; // plain: read back by this thread only
        }

        final void done() {
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented: bags are freed once {@code E >= tag + 2}. */
    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE,
            desc = "Reader pinned before the unlink and read the live object; the free waited for it.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE,
            desc = "Reader pinned late and saw the new link; its pin still held a grace period back.")
    @Outcome(id = "2, 0, 1", expect = ACCEPTABLE,
            desc = "Reader pinned late and saw the new link; the old object was freed.")
    @Outcome(id = "1, [12], 1", expect = FORBIDDEN,
            desc = "NoReclaimWhilePinned violated: freed while a pinned reader held the old object.")
    @Outcome(expect = FORBIDDEN, desc = "Impossible: poison without a free, or an unknown link value.")
    @State
    public static class Actual extends Scenario {

        /** A state with grace distance 2, as {@code EpochDomain} builds it. */
        public Actual() {
            super(2);
        }

        /** The reader. */
        @Actor
        public void reader(III_Result r) {
            read(r);
        }

        /** The writer and reclaimer. */
        @Actor
        public void writer(III_Result r) {
            unlinkAndReclaim(r);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            done();
        }
    }

    /**
     * Broken on purpose (TLA+ variant {@code LatePinner}): frees once {@code E >= tag + 1}, the
     * builder's {@code brokenGraceDistanceForTests(1)}. A reader pinned at {@code k} counts as
     * quiescent for grace period {@code k}, so the free runs while it still holds the old object.
     */
    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE,
            desc = "Reader pinned before the unlink and read the live object; the free waited for it.")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE,
            desc = "Reader pinned late and saw the new link; its pin still held a grace period back.")
    @Outcome(id = "2, 0, 1", expect = ACCEPTABLE,
            desc = "Reader pinned late and saw the new link; the old object was freed.")
    @Outcome(id = "1, [12], 1", expect = ACCEPTABLE_INTERESTING,
            desc = "Caught: freed while a pinned reader held the old object (2 = it read the poison).")
    @Outcome(expect = FORBIDDEN, desc = "Impossible: poison without a free, or an unknown link value.")
    @State
    public static class BrokenLatePinner extends Scenario {

        /** A state with grace distance 1. */
        public BrokenLatePinner() {
            super(1);
        }

        /** The reader. */
        @Actor
        public void reader(III_Result r) {
            read(r);
        }

        /** The writer and reclaimer. */
        @Actor
        public void writer(III_Result r) {
            unlinkAndReclaim(r);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            done();
        }
    }
}
