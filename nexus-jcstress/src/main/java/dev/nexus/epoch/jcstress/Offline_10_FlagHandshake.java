package dev.nexus.epoch.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.Membarrier;
import dev.nexus.epoch.internal.QuiescenceTree;
import dev.nexus.epoch.internal.ReadBarrier;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.SlotFlag;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The membarrier read side's offlining handshake (tla/QuiescenceTree.tla, "THE MEMBARRIER READ
 * SIDE"): a participant pins its idle slot while fqs takes that slot offline. Either the pin holds on
 * a slot that stays counted (ONLINE), or the reader sees the slot OFFLINE and would re-join. Never a
 * pin that holds on a slot the offliner committed OFFLINE (departed from the counts).
 *
 * <p><b>Hazard.</b> Store buffering between the reader's "store PINNED(e); load flag" and the
 * offliner's "CAS flag ONLINE -> OFFLINING(n); load slot": with no store→load order on either side,
 * the reader reads ONLINE (its pin holds) while its pin store is still buffered, and the offliner
 * reads the slot IDLE and commits OFFLINE.
 *
 * <p><b>Edge that forbids it.</b> The offliner's {@code membarrier} between its flag CAS and its slot
 * read (the model's AOffFlag, AOffMb, AOffRead): the barrier it forces in the reader comes either
 * before the reader's pin store (the reader's later flag load sees OFFLINING(n) or later and cancels,
 * or finds the commit) or after it (the store is visible when the call returns: the offliner reads
 * the pin and backs off). {@code r1 = 1, r2 = OFFLINE} is forbidden.
 *
 * <p><b>Accesses.</b> Reader (the steps of {@code Participant.pinMembarrier}, RStart to RCancel): E
 * volatile read, slot opaque store ({@code SharedRegion.setLongOpaque}), flag volatile read, and the
 * cancel CAS. Offliner, {@link Actual}: the real {@link QuiescenceTree#forceQuiescentState} with a
 * membarrier {@link ReadBarrier} ({@code offlineByFlag} on the participant leaf, with its AOffMb).
 * {@link BrokenMembarrierBeforeFlag}: the same handshake written out with the membarrier moved before
 * the flag CAS (the model's {@code BrokenMembarrierBeforeFlag}), which TSO then lets fail;
 * {@link BrokenNoMembarrier}: written out without it. The membarrier of the first takes microseconds
 * while the reader's pin takes nanoseconds, so the interleaving that breaks it is rare in practice
 * (a quick pass may not see it); the second shows the store buffering itself. Needs a
 * system where {@code Membarrier.get().status().supported()}.
 *
 * <p>Run: {@code scripts/jcstress -t Offline_10}.
 */
public final class Offline_10_FlagHandshake {

    private static final int SLOT = 16; // the first participant slot: leaf 1

    private Offline_10_FlagHandshake() {
    }

    /** Participant slot 16 IDLE, seen two grace periods ago, flag ONLINE and counted; E = K. */
    abstract static class Scenario {
        final DomainLayout layout = Layouts.withParticipants();
        final long slot = layout.slot(SLOT);
        final long flag = slot + DomainLayout.SLOT_FLAG;

        Scenario() {
            Layouts.initSlot(layout, SLOT, Epoch.IDLE, Layouts.K - 2);
            SharedRegion.setLongPlain(flag, SlotFlag.ONLINE); // sequence 0, ONLINE
            // counted under the root (arrive): child 1 of the root has one online slot
            SharedRegion.getAndAddIntVolatile(layout.count(1, 0, 1), 1);
        }

        /** Participant.pinMembarrier up to the flag decision: 1 if the pin holds, 0 if it would re-join. */
        final int pin() {
            long e = SharedRegion.getLongVolatile(layout.epoch()); // RStart
            SharedRegion.setLongOpaque(slot, Epoch.pinned(e)); // RStore: no fence
            while (true) {
                long f = SharedRegion.getLongVolatile(flag); // RFlag
                int state = SlotFlag.state(f);
                if (state == SlotFlag.ONLINE) {
                    return 1;
                }
                if (state == SlotFlag.OFFLINE) {
                    return 0; // RArrive, RJoinMb would follow: the pin does not hold as it is
                }
                if (SharedRegion.casLong(flag, f, SlotFlag.next(f, SlotFlag.ONLINE))) { // RCancel
                    return 1;
                }
            }
        }

        /** offlineByFlag's handshake without its membarrier (the broken variants' offliner). */
        final void offlineWithoutBarrier() {
            long online = SharedRegion.getLongVolatile(flag);
            if (SlotFlag.state(online) != SlotFlag.ONLINE) {
                return;
            }
            long offlining = SlotFlag.next(online, SlotFlag.OFFLINING);
            if (!SharedRegion.casLong(flag, online, offlining)) {
                return;
            }
            if (SharedRegion.getLongVolatile(slot) == Epoch.IDLE) {
                SharedRegion.casLong(flag, offlining, SlotFlag.next(offlining, SlotFlag.OFFLINE));
            } else {
                SharedRegion.casLong(flag, offlining, SlotFlag.next(offlining, SlotFlag.ONLINE));
            }
        }

        /** r2: the flag's final state. */
        final void finish(II_Result r) {
            r.r2 = SlotFlag.state(SharedRegion.getLongVolatile(flag));
            Layouts.release(layout);
        }
    }

    /** The real fqs with the membarrier read side. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The pin holds; the slot stays online (the offliner backed off or the reader cancelled).")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The offliner committed first; the reader saw OFFLINE and would re-join.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "The pin holds on a slot committed OFFLINE: its grace periods ignore it.")
    @Outcome(expect = FORBIDDEN, desc = "Other.")
    @State
    public static class Actual extends Scenario {

        private final QuiescenceTree tree = new QuiescenceTree(layout, ReadBarrier.membarrier(Membarrier.get()));

        /** A fresh state. */
        public Actual() {
            super();
        }

        /** The participant's pin. */
        @Actor
        public void reader(II_Result r) {
            r.r1 = pin();
        }

        /** fqs for K: offlineIdle on the participant leaf by the flag handshake (its AOffMb). */
        @Actor
        public void offliner() {
            tree.forceQuiescentState(Layouts.K, GracePeriodDetector.StragglerSink.NONE);
        }

        /** Reads the flag and returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            finish(r);
        }
    }

    /** Broken on purpose: the offliner's membarrier before its flag CAS. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The pin holds; the slot stays online.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The offliner committed first; the reader saw OFFLINE.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "Caught: the pin holds on a slot committed OFFLINE.")
    @Outcome(expect = FORBIDDEN, desc = "Other.")
    @State
    public static class BrokenMembarrierBeforeFlag extends Scenario {

        /** A fresh state. */
        public BrokenMembarrierBeforeFlag() {
            super();
        }

        /** The participant's pin. */
        @Actor
        public void reader(II_Result r) {
            r.r1 = pin();
        }

        /** offlineByFlag with the membarrier first. */
        @Actor
        public void offliner() {
            Membarrier.get().privateExpedited(); // too early: before the flag CAS
            offlineWithoutBarrier();
        }

        /** Reads the flag and returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            finish(r);
        }
    }

    /**
     * Broken on purpose: no membarrier in the handshake at all (the model's {@code BrokenNoMembarrier},
     * for the offliner). The reader's pin store and the offliner's flag CAS then order nothing for the
     * other side's load but the CAS; TSO lets the reader's flag load pass its buffered pin store.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The pin holds; the slot stays online.")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The offliner committed first; the reader saw OFFLINE.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "Caught: the pin holds on a slot committed OFFLINE.")
    @Outcome(expect = FORBIDDEN, desc = "Other.")
    @State
    public static class BrokenNoMembarrier extends Scenario {

        /** A fresh state. */
        public BrokenNoMembarrier() {
            super();
        }

        /** The participant's pin. */
        @Actor
        public void reader(II_Result r) {
            r.r1 = pin();
        }

        /** offlineByFlag without the membarrier. */
        @Actor
        public void offliner() {
            offlineWithoutBarrier();
        }

        /** Reads the flag and returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            finish(r);
        }
    }
}
