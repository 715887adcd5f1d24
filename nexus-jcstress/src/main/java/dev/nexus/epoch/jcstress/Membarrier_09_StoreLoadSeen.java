package dev.nexus.epoch.jcstress;

import static dev.nexus.epoch.jcstress.UserWord.NEW;
import static dev.nexus.epoch.jcstress.UserWord.OLD;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.Membarrier;
import dev.nexus.epoch.internal.SharedRegion;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The read side without a locked instruction (DESIGN.md section 3.1): a reader that publishes its pin
 * with an opaque store and no fence, and a grace-period side that calls {@code membarrier(2)} between
 * its unlink and its read of the slot. Either the grace-period side sees the pin, or the reader sees
 * the unlink. Never neither.
 *
 * <p><b>Hazard.</b> Store buffering (Dekker): the reader stores {@code PINNED(e)} then loads the link;
 * the grace-period side stores the new link then loads the slot. With no store→load barrier on either
 * side, both loads can return the old values: the detector finds the slot not pinned and lets the
 * grace period end while the reader goes on with the old object. The reader pays no barrier here by
 * design; two things must then hold. The JIT must not move the reader's link load above its slot
 * store (HotSpot C2 brackets an opaque access to native memory in {@code MemBarCPUOrder}, a compiler
 * barrier: {@code docs/memory-model.md}, "Why the JIT keeps the reader's loads after an opaque
 * store"), and the processor's reordering is undone from the other side by
 * {@code MEMBARRIER_CMD_PRIVATE_EXPEDITED}, after which every running thread of the process has
 * executed a full barrier. A JIT that hoisted the link load would make {@code Actual} fail.
 *
 * <p><b>Edge that forbids the bad outcome.</b> Not a JMM edge: the JMM does not order an opaque store
 * before a later load of another variable. The argument is the kernel's: the barrier {@code membarrier}
 * forces on the reader's CPU comes either before the reader's slot store (then the reader's later link
 * load, kept after the store by the compiler barrier, sees the unlink, which the system call's own
 * full barrier on entry made visible) or after it (then the store is visible before the call returns,
 * and the volatile slot read sees {@code PINNED}). A reader that is not running passes through the
 * scheduler, which orders its accesses the same way. {@code r1 = OLD, r2 = 0} is forbidden.
 *
 * <p><b>Accesses.</b> Reader: {@code E} volatile read; slot opaque store through a
 * {@code ValueLayout.JAVA_LONG} handle on {@link SharedRegion#MEMORY} (the handle and the segment of
 * {@code SharedRegion}'s own accessors; {@code SharedRegion.setLongOpaque}, which
 * {@code Participant}'s membarrier pin uses, is the same call); link acquire read ({@code AtomicReferenceArray.getAcquire}, the benchmarks' readers).
 * Grace-period side: link release store (the user's unlink),
 * {@link Membarrier#privateExpedited()}, slot volatile read (the observation of
 * {@code QuiescenceTree.observeLeaf}), reduced to "pinned or not".
 *
 * <p>{@link BrokenNoMembarrier} drops the call; on x86 TSO then shows the bad outcome (the reader's
 * store sits in its store buffer while its link load completes). Needs a system where
 * {@code Membarrier.get().status().supported()}: Linux 4.14 or later, not refused by seccomp; elsewhere
 * {@code Actual} ends in an error naming the reason.
 *
 * <p>Run: {@code scripts/jcstress -t Membarrier_09}.
 */
public final class Membarrier_09_StoreLoadSeen {

    private Membarrier_09_StoreLoadSeen() {
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

        /** The pin of the membarrier read side, then the reader's load of the link. */
        final void pinThenLoad(II_Result r) {
            long e = SharedRegion.getLongVolatile(epoch);
            // opaque, no fence: pairs with membarrier in unlinkThenObserve (the store->load point moves there);
            // C2's MemBarCPUOrder around it keeps the link load below it
            SLOT.setOpaque(SharedRegion.MEMORY, slot, Epoch.pinned(e));
            r.r1 = link.valueAcquire(); // acquire: what the readers of the benchmarks use
        }

        /** Unlink, membarrier (or not), observe the slot. */
        final void unlinkThenObserve(II_Result r, boolean membarrier) {
            link.setValueRelease(NEW); // release, the user's unlink: ordered by membarrier, not by its mode
            if (membarrier) {
                // every running thread executes a full barrier: the reader's pin store is visible, or its
                // later link load sees NEW
                Membarrier.get().privateExpedited();
            }
            long word = SharedRegion.getLongVolatile(slot); // observeLeaf: the observation
            r.r2 = Epoch.isPinned(word) ? 1 : 0;
        }

        final void done() {
            Layouts.release(layout);
        }
    }

    /** The membarrier read side: opaque pin store, membarrier between unlink and slot read. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader pinned first and saw the old link; the grace-period side saw the pin.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "Each saw the other: the grace-period side saw the pin, the reader the new link.")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Unlink first: the grace-period side saw no pin, and the reader saw the new link.")
    @Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Store buffering: the grace-period side missed the pin and the reader saw the old link.")
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

        /** The writer and detector, with the membarrier. */
        @Actor
        public void gracePeriod(II_Result r) {
            unlinkThenObserve(r, true);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }

    /**
     * Broken on purpose: no membarrier. Nothing orders either side's store before its load, and the
     * reader's opaque store may still sit in the store buffer when it loads the link.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader pinned first and saw the old link; the grace-period side saw the pin.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "Each saw the other: the grace-period side saw the pin, the reader the new link.")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Unlink first: the grace-period side saw no pin, and the reader saw the new link.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "Caught: store buffering, the grace-period side missed the pin and the reader saw the old link.")
    @Outcome(expect = FORBIDDEN, desc = "Unknown link value.")
    @State
    public static class BrokenNoMembarrier extends Scenario {

        /** A fresh state. */
        public BrokenNoMembarrier() {
            super();
        }

        /** The reader. */
        @Actor
        public void reader(II_Result r) {
            pinThenLoad(r);
        }

        /** The writer and detector, without the membarrier. */
        @Actor
        public void gracePeriod(II_Result r) {
            unlinkThenObserve(r, false);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }

    /**
     * Broken on purpose: the reader loads the link before its pin store, the reordering a JIT without
     * the compiler barrier would be free to make, written out in program order; the membarrier stays.
     * Shows that {@link Actual} would see a hoisted load: the call cannot undo what the compiler moved.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Reader pinned first and saw the old link; the grace-period side saw the pin.")
    @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "Each saw the other: the grace-period side saw the pin, the reader the new link.")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "Unlink first: the grace-period side saw no pin, and the reader saw the new link.")
    @Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "Caught: the reader's early load saw the old link and its pin came after the slot read.")
    @Outcome(expect = FORBIDDEN, desc = "Unknown link value.")
    @State
    public static class BrokenLoadBeforePin extends Scenario {

        /** A fresh state. */
        public BrokenLoadBeforePin() {
            super();
        }

        /** The reader, its link load hoisted above the pin store. */
        @Actor
        public void reader(II_Result r) {
            long e = SharedRegion.getLongVolatile(epoch);
            r.r1 = link.valueAcquire(); // broken: before the pin store
            SLOT.setOpaque(SharedRegion.MEMORY, slot, Epoch.pinned(e));
        }

        /** The writer and detector, with the membarrier. */
        @Actor
        public void gracePeriod(II_Result r) {
            unlinkThenObserve(r, true);
        }

        /** Returns the layout. */
        @Arbiter
        public void arbiter(II_Result r) {
            done();
        }
    }

    // VarHandle mechanics
    /** The handle of {@code SharedRegion}'s long accessors, for the opaque store they do not offer yet. */
    private static final VarHandle SLOT = ValueLayout.JAVA_LONG.varHandle();
}
