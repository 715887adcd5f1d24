package dev.nexus.epoch.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.QuiescenceTree;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code CountsCoverOnline}: a slot lease (re-join) racing the advancer's offlining. While a slot is
 * online, the count of its child in every inner node is at least 1; so a grace period never skips a
 * subtree that holds a pinned slot.
 *
 * <p><b>Hazard.</b> On a 32-slot domain (two leaves under an inner root that keeps one count per
 * child), slot 1 is long idle and slot 0 is offline; both are under child 0 of the root, whose count
 * is 1 (slot 1). The advancer runs the real {@code forceQuiescentState(K)}: it completes grace period
 * {@code K}, then takes long-idle slots offline ({@code CAS IDLE -> OFFLINE}, then {@code depart}).
 * Meanwhile the reader of slot 0 pins: its CAS fails on {@code OFFLINE}, so it re-joins
 * ({@code arrive}, then {@code CAS OFFLINE -> IDLE}) and pins. If the count dropped to 0 while slot 0
 * is pinned, the next installer of the root would read child 0 as empty and end grace periods without
 * looking at slot 0.
 *
 * <p><b>Happens-before / atomicity.</b> {@code arrive} (volatile {@code getAndAdd +1}) precedes the
 * CAS that publishes the slot online; {@code depart} ({@code getAndAdd -1}) follows the CAS that
 * publishes it offline. Counts are increments, not flags, so one slot's departure and another's
 * arrival commute.
 *
 * <p><b>Accesses (JMM).</b> Reader ({@code Participant.pinSlot/pinSlow}, {@code EpochDomain.rejoin}):
 * {@code E} volatile read, slot CAS, slot volatile read, count volatile {@code getAndAdd}; then
 * {@code r1} = count of child 0 (volatile read) while pinned. Advancer: the real
 * {@link QuiescenceTree#forceQuiescentState}. Arbiter: {@code r2} = final count of child 0,
 * {@code r3} = online slots under leaf 0 (1: the pinned reader).
 *
 * <p>{@link BrokenOccupancyBit} keeps occupancy as a bit (arrive stores 1) instead of a count: slot
 * 1's departure then clears the occupancy that slot 0's arrival set. A logic race, observable on any
 * hardware.
 *
 * <p>Run: {@code scripts/jcstress -t Offline_07}.
 */
public final class Offline_07_CountsCoverOnline {

    private Offline_07_CountsCoverOnline() {
    }

    /** Slot 0 offline, slot 1 idle for two grace periods, both under root child 0 (count 1). */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.twoLeaves();
        final QuiescenceTree tree = new QuiescenceTree(layout);
        final long slot0 = layout.slot(0);
        final long count = layout.count(1, 0, 0);

        Scenario() {
            Layouts.initSlot(layout, 0, Epoch.OFFLINE, Layouts.K - 2);
            Layouts.initSlot(layout, 1, Epoch.IDLE, Layouts.K - 2);
            SharedRegion.getAndAddIntVolatile(count, 1); // slot 1 is online: counted
        }

        final void offline() {
            tree.forceQuiescentState(Layouts.K, GracePeriodDetector.StragglerSink.NONE);
        }

        final void check(III_Result r) {
            r.r2 = SharedRegion.getIntVolatile(count);
            int online = 0;
            for (int i = 0; i < DomainLayout.LEAF_FANOUT; i++) {
                online += Epoch.isOnline(SharedRegion.getLongVolatile(layout.slot(i))) ? 1 : 0;
            }
            r.r3 = online;
            Layouts.release(layout);
        }
    }

    /** The protocol as implemented. */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Pinned and counted; slot 1 departed before the reader looked.")
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "Pinned and counted; slot 1 departed after the reader looked.")
    @Outcome(id = {"0, .*", "-.*", ".*, 0, 1", ".*, -.*"}, expect = FORBIDDEN,
            desc = "CountsCoverOnline violated: slot 0 pinned while its child's count was 0 or less.")
    @Outcome(expect = FORBIDDEN, desc = "A count left over, or a slot online or offline when it should not be.")
    @State
    public static class Actual extends Scenario {

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** The reader of slot 0: pin (re-joining), then read its child's count. */
        @Actor
        public void reader(III_Result r) {
            ReaderPath.pin(tree, layout.epoch(), 0, slot0);
            r.r1 = SharedRegion.getIntVolatile(count);
        }

        /** The advancer. */
        @Actor
        public void advancer() {
            offline();
        }

        /** Reads the final count and online slots, returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            check(r);
        }
    }

    /**
     * Broken on purpose: occupancy as a bit. The re-join's arrive stores 1 into the child's word
     * instead of incrementing it, and its undo stores 0; the advancer's depart of slot 1 then leaves 0
     * although slot 0 is online.
     */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Pinned and marked: the arrive came after slot 1's departure.")
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "Cannot happen with a bit; listed to mirror Actual.")
    @Outcome(id = {"0, .*", "-.*", ".*, 0, 1", ".*, -.*"}, expect = ACCEPTABLE_INTERESTING,
            desc = "Caught: slot 0 pinned while its child was marked empty.")
    @Outcome(expect = FORBIDDEN, desc = "A slot online or offline when it should not be.")
    @State
    public static class BrokenOccupancyBit extends Scenario {

        /** A fresh state. */
        public BrokenOccupancyBit() {
            super();
        }

        /** The reader of slot 0: pin, re-joining with a bit instead of a count. */
        @Actor
        public void reader(III_Result r) {
            long epoch = layout.epoch();
            while (true) {
                long e = SharedRegion.getLongVolatile(epoch);
                long word = SharedRegion.getLongVolatile(slot0);
                if (word != Epoch.IDLE) {
                    INT.setVolatile(SharedRegion.MEMORY, count, 1); // broken: occupancy bit, not +1
                    if (!SharedRegion.casLong(slot0, word, Epoch.IDLE)) {
                        INT.setVolatile(SharedRegion.MEMORY, count, 0);
                    }
                }
                if (SharedRegion.casLong(slot0, Epoch.IDLE, Epoch.pinned(e))) {
                    break;
                }
            }
            r.r1 = SharedRegion.getIntVolatile(count);
        }

        /** The advancer. */
        @Actor
        public void advancer() {
            offline();
        }

        /** Reads the final count and online slots, returns the layout. */
        @Arbiter
        public void arbiter(III_Result r) {
            check(r);
        }

        // VarHandle mechanics
        private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    }
}
