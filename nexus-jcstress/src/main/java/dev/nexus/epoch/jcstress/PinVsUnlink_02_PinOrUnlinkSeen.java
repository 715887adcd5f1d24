package dev.nexus.epoch.jcstress;

import static dev.nexus.epoch.jcstress.UserWord.NEW;
import static dev.nexus.epoch.jcstress.UserWord.OLD;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The store-buffering core of the pin: either the writer, after its unlink and fence, sees the
 * reader's pin, or the reader, after its pin, sees the unlink. Never neither.
 *
 * <p><b>Hazard.</b> Both sides store then load: the reader stores {@code PINNED(e)} then loads the
 * link; the writer stores the new link then (tag read of {@code E}, then a detector's observation)
 * loads the slot. Without a store->load barrier on each side, both loads can return the old values
 * (Dekker): the detector finds the slot not pinned and lets the grace period end, while the reader
 * goes on with the old object. This is the one store->load point of the read side
 * ({@code docs/design.md}, Reader step 2) and of the writer ({@code EpochDomain.retire}).
 *
 * <p><b>Happens-before edge.</b> Not an HB edge but the SC total order: the reader's volatile CAS and
 * volatile link load, and the writer's {@code VarHandle.fullFence()} (taken as an SC fence,
 * {@code docs/design.md} section 4) followed by volatile loads, cannot all read the old values.
 * {@code r1 = OLD, r2 = 0} is forbidden.
 *
 * <p><b>Accesses (JMM).</b> Reader ({@code Participant.pinSlot}): {@code E} volatile read, slot CAS
 * {@code IDLE -> PINNED(e)} (volatile); link volatile read. Writer: link release store (user's
 * unlink), {@code fullFence} ({@code EpochDomain.retire}), {@code E} volatile read (the tag,
 * {@code Reclaimer.retire}), slot volatile read (the observation of {@code QuiescenceTree.observeLeaf}
 * and {@code FlatScanDetector.scan}), reduced to "pinned or not".
 *
 * <p>Broken variants, each observable on x86 (TSO lets a store sit in the store buffer while a later
 * load of another location completes): {@link BrokenNoFence} drops the writer's fence;
 * {@link BrokenReleasePin} publishes the pin with a release store instead of the CAS.
 *
 * <p>Run: {@code scripts/jcstress -t PinVsUnlink_02}.
 */
public final class PinVsUnlink_02_PinOrUnlinkSeen {

    private PinVsUnlink_02_PinOrUnlinkSeen() {
    }

    /** Slot 0 idle on a 16-slot domain, link to the old object. */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.oneLeaf();
        final long epoch = layout.epoch();
        final long slot = layout.slot(0);
        final UserWord link = new UserWord(OLD);

        Scenario() {
            Layouts.initSlot(layout, 0, Epoch.IDLE, Layouts.K);
        }

        /** The pin of {@code Participant.pinSlot}, then the reader's load of the link. */
        final void pinThenLoad(II_Result r) {
            long e = SharedRegion.getLongVolatile(epoch);
            SharedRegion.casLong(slot, Epoch.IDLE, Epoch.pinned(e)); // volatile CAS: store->load point
            r.r1 = link.valueVolatile(); // volatile: after the pin CAS in the SC order
        }

        /** Unlink, fence, tag, observe the slot. */
        final void unlinkThenObserve(II_Result r, boolean fence) {
            link.setValueRelease(NEW); // release, the user's unlink: ordered by the fence, not its mode
            if (fence) {
                VarHandle.fullFence(); // EpochDomain.retire: unlink (store) before the tag (load)
            }
            SharedRegion.getLongVolatile(epoch); // Reclaimer.retire: the tag (its value does not matter here)
            long word = SharedRegion.getLongVolatile(slot); // observeLeaf: the observation
            r.r2 = Epoch.isPinned(word) ? 1 : 0;
        }

        final void done() {
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader pinned first and saw the old link; the writer saw the pin.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "Each saw the other: the writer saw the pin, the reader the new link.")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Writer first: it saw no pin, and the reader saw the new link.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Store buffering: the writer missed the pin and the reader saw the old link.")
    @Outcome(expect = FORBIDDEN, desc = "Unknown link value.")
    @State
    public static class Actual extends Scenario {

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** The reader. */
        @Actor
        public void reader(II_Result r) {
            pinThenLoad(r);
        }

        /** The writer and detector. */
        @Actor
        public void writer(II_Result r) {
            unlinkThenObserve(r, true);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }

    /**
     * Broken on purpose: the writer does not fence between its unlink and its loads. Its release
     * store of the link may still sit in the store buffer when it reads the slot.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader pinned first and saw the old link; the writer saw the pin.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "Each saw the other: the writer saw the pin, the reader the new link.")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Writer first: it saw no pin, and the reader saw the new link.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "Caught: store buffering, the writer missed the pin and the reader saw the old link.")
    @Outcome(expect = FORBIDDEN, desc = "Unknown link value.")
    @State
    public static class BrokenNoFence extends Scenario {

        /** A fresh state. */
        public BrokenNoFence() {
            super();
        }

        /** The reader. */
        @Actor
        public void reader(II_Result r) {
            pinThenLoad(r);
        }

        /** The writer and detector, without the fence. */
        @Actor
        public void writer(II_Result r) {
            unlinkThenObserve(r, false);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }

    /**
     * Broken on purpose: the reader publishes its pin with a release store instead of the CAS (a
     * release store is a plain {@code mov} on x86; the pin may sit in the store buffer when the
     * reader loads the link).
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader pinned first and saw the old link; the writer saw the pin.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "Each saw the other: the writer saw the pin, the reader the new link.")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Writer first: it saw no pin, and the reader saw the new link.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "Caught: store buffering, the writer missed the pin and the reader saw the old link.")
    @Outcome(expect = FORBIDDEN, desc = "Unknown link value.")
    @State
    public static class BrokenReleasePin extends Scenario {

        /** A fresh state. */
        public BrokenReleasePin() {
            super();
        }

        /** The reader, pinning with a release store. */
        @Actor
        public void reader(II_Result r) {
            long e = SharedRegion.getLongVolatile(epoch);
            SharedRegion.setLongRelease(slot, Epoch.pinned(e)); // broken: no store->load order
            r.r1 = link.valueVolatile();
        }

        /** The writer and detector. */
        @Actor
        public void writer(II_Result r) {
            unlinkThenObserve(r, true);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }
}
