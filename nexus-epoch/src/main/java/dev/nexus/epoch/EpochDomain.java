package dev.nexus.epoch;

import dev.nexus.epoch.internal.Allocations;
import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.FlatScanDetector;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.Membarrier;
import dev.nexus.epoch.internal.NativeAccess;
import dev.nexus.epoch.internal.QuiescenceTree;
import dev.nexus.epoch.internal.ReadBarrier;
import dev.nexus.epoch.internal.Reclaimer;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.SlotAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An epoch domain: readers pin guards, writers retire native memory or defer actions, and the domain
 * frees them once no guard that could still see them is open.
 *
 * <pre>{@code
 * EpochDomain domain = EpochDomain.create();
 * try (Guard guard = domain.pin()) {
 *     MemorySegment value = table.get(key);      // read shared links and payloads
 *     sum += value.get(ValueLayout.JAVA_LONG, 0);
 * }
 * MemorySegment old = table.put(key, fresh);     // unlink...
 * domain.retire(old, NativeAllocator.malloc());  // ...then retire: freed after a grace period
 * }</pre>
 *
 * <p><b>Caller assumptions.</b> A segment is retired once, after it was unlinked so that no reader
 * pinning later can reach it. References loaded inside a guard are used only inside it. A guard is
 * not itself thread-safe: to close it on another thread, hand it over with a happens-before edge.
 *
 * <p><b>Guarantees.</b> {@code NoReclaimWhilePinned}: a segment retired (an action deferred) at time
 * t is freed (run) only after every guard open at t has closed, and everything a reader did inside
 * such a guard happens-before the free. Liveness: if every guard eventually closes, everything
 * retired is eventually freed by the domain's reclaimer without further calls; {@link #close()}
 * frees whatever is left.
 *
 * <p><b>Progress.</b> {@link #pin()} is lock-free: it never waits for another thread, and retries
 * only when other pins take its slot first. It costs O(1) whatever the number of guards and
 * participants, except the first pin of a slot in a new epoch, which reports the slot quiescent and
 * may climb the quiescence tree (O(log T) for T slots, once per slot and epoch; a CAS retried only
 * when another reporter changed the same node). {@link Guard#close()} is wait-free (stores only; see
 * its one exception).
 * {@link #retire} and {@link #defer} are lock-free, O(1) amortized, and block only under
 * {@link BudgetPolicy#BLOCK} when the garbage budget is exhausted. {@link #synchronize()},
 * {@link #barrier()} and {@link #close()} block the caller until grace periods pass; they fail fast
 * instead of waiting for a guard the calling thread itself opened. Waiting is interruptible: the
 * untimed forms throw {@link InterruptedWaitException} (interrupt status set again), the timed forms
 * {@link #trySynchronize(Duration)}, {@link #awaitBarrier(Duration)} and {@link #close(Duration)}
 * throw {@link InterruptedException}; a wait that gives up leaves the domain as it was (a close that
 * gives up reopens it).
 *
 * <p><b>Memory effects.</b> See the {@linkplain dev.nexus.epoch package documentation} for the
 * happens-before edges users may rely on.
 */
public final class EpochDomain implements AutoCloseable {

    /*
     * Implementation notes.
     *
     * Protocol words live in SharedRegion.MEMORY at offsets held in final fields (epochOffset,
     * slotBase); see DomainLayout for the diagram and docs/design.md for the protocol.
     *
     * Pooled pin: hash the thread id onto the pool's active prefix; CAS IDLE -> PINNED(E) leases and
     * pins in one step (store->load point: the volatile CAS orders the reader's later loads after
     * its publication); then re-read E so that a pin racing close() either sees the closed bit or is
     * seen pinned by close(). Unpin: owner word reset, then release-store IDLE.
     *
     * Owner word: written plainly after the pin CAS and reset to 0 before the unpin release store,
     * so an observer that reads a PINNED word (volatile) sees either 0 or the thread that pinned it,
     * never a previous holder. synchronize()/barrier()/close() rely on this to fail fast. The reset
     * is a release store only so that it is the very call the unpin makes (see below).
     *
     * Exception safety (a StackOverflowError or OutOfMemoryError anywhere): the guard is allocated
     * before the pin CAS; whatever is thrown after it, the pin is undone in the frame that made the
     * CAS, with the same calls a close makes (owner reset, backstop entry cleared, unpin store), so
     * an overflow strikes at the first of them, before anything changed, or not at all (or at the
     * entry's clearing, which leaves the guard to the backstop); then a reachabilityFence keeps the
     * guard reachable until the unpin store is done (see GuardBackstop "Why it is safe"). What an
     * overflow leaves behind anyway (a close that itself overflowed) is a pinned slot whose guard
     * is unreachable: GuardBackstop releases it once detection has met it and a GC has cleared it.
     */

    private static final AtomicLong DOMAIN_IDS = new AtomicLong();
    /** Pool slots a pin probes before it doubles the pool. */
    private static final int PROBE_LIMIT = 32;

    final String name;
    final long epochOffset;
    final long slotBase;
    final GracePeriodDetector detector;
    final GuardBackstop backstop;
    /** Whether pooled pins record themselves for the backstop ({@link Builder#guardBackstop}). */
    final boolean backstopEnabled;
    /** Checked mode: guards bind segments to their lifetime ({@link Guard#bind}). */
    final boolean checked;
    /** The read side's grace-period half: membarrier calls, or nothing (see {@link ReadSide}). */
    final ReadBarrier readBarrier;
    /** Whether participants pin with an opaque store (the membarrier read side). */
    final boolean membarrierReadSide;
    private final DomainLayout layout;
    private final SlotAllocator slots;
    private final Reclaimer reclaimer;
    private final DomainConfig config;
    private final StallMonitor stalls;
    private final ParticipantRegistry participants;
    private final PinSite[] pinSites;
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicLong budgetOverruns = new AtomicLong();
    private volatile boolean reclaimerStarted;
    /** Runs close(): turns, closed bit, waits, reopening on failure (see DomainCloser). */
    private final DomainCloser closer;

    private EpochDomain(DomainConfig config) {
        NativeAccess.ensure(); // a clear IllegalCallerException when the JVM denies native access
        this.config = config;
        this.name = config.name() != null ? config.name() : "epoch-domain-" + DOMAIN_IDS.incrementAndGet();
        this.layout = new DomainLayout(config.poolCapacity(), config.participantCapacity());
        this.epochOffset = layout.epoch();
        this.slotBase = layout.slot(0);
        this.slots = new SlotAllocator(layout, config.initialPool());
        this.backstop = new GuardBackstop(slotBase, layout.poolCapacity(), config.initialPool());
        this.checked = config.checked();
        this.backstopEnabled = config.guardBackstop();
        this.membarrierReadSide = config.readSide() == ReadSide.MEMBARRIER;
        this.readBarrier = membarrierReadSide ? ReadBarrier.membarrier(Membarrier.get()) : ReadBarrier.cas();
        this.detector = config.detector() == Detector.FLAT_SCAN
                ? new FlatScanDetector(layout, slots)
                : new QuiescenceTree(layout, readBarrier);
        this.pinSites = config.recordPinSites() ? new PinSite[layout.capacity()] : null;
        this.participants = new ParticipantRegistry(new Ref(name, slotBase, detector), layout, slots,
                membarrierReadSide);
        this.stalls = new StallMonitor(this, config.stallThresholdNanos(), config.stallListener());
        // E starts at 1: the zeroed node words carry tag 0, which must read as "older" (not done)
        SharedRegion.setLongVolatile(epochOffset, Epoch.FIRST);
        WeakStallSink weakStalls = new WeakStallSink(stalls); // the reclaimer thread must not pin us
        this.reclaimer = new Reclaimer(name, epochOffset, detector, config.graceDistance(),
                config.sealBytes(), config.stripes(), config.detectDoubleRetire(), weakStalls, weakStalls,
                readBarrier);
        reclaimer.failureHandler(DomainStatistics.failureSink(name, config.failureHandler()));
        this.closer = new DomainCloser(this, epochOffset, layout, reclaimer, stalls, released,
                DomainReaper.CLEANER.register(this,
                        new DomainReaper(name, epochOffset, layout, slots, config.guardBackstop(), reclaimer,
                                released)));
        DomainStatistics.register(this);
    }

    /**
     * A domain with the default configuration: quiescence-tree detection, a background reclaimer,
     * no garbage budget.
     *
     * @return a new open domain
     * @throws IllegalCallerException if the JVM denies this module native access
     *     ({@code --illegal-native-access=deny}); the message names the flag to add
     */
    public static EpochDomain create() {
        return builder().build();
    }

    /**
     * A builder for a domain with options.
     *
     * @return a new builder with the defaults of {@link #create()}
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---- pin ----------------------------------------------------------------------------------

    /**
     * Pins a guard on a slot leased from the domain's pool. Works on any thread, virtual threads
     * included; nested pins lease another slot. The guard may be closed on another thread. The
     * lease is a compare-and-swap on either {@link ReadSide} (two threads may pick one slot); a
     * {@link Participant} pins without one on {@link ReadSide#MEMBARRIER}.
     *
     * @return an open guard; close it (try-with-resources) as soon as the reads are done
     * @throws IllegalStateException if the domain is closed, or every slot of the pool is pinned
     *     ({@link Builder#maxGuards(int)})
     */
    public Guard pin() {
        // allocated before the pin CAS: after it, nothing may fail between the pin and the return
        // of the guard that unpins it (an OutOfMemoryError or StackOverflowError would leak the slot)
        PooledGuard guard = new PooledGuard(this);
        long tid = Thread.currentThread().threadId();
        int active = slots.poolActive();
        int slot = probeStart(tid) & (active - 1);
        long slotOffset = slotBase + ((long) slot << 7);
        long e = SharedRegion.getLongVolatile(epochOffset); // volatile read of E (crossbeam: load epoch)
        // volatile CAS IDLE -> PINNED(e): leases and publishes the pin; the store->load point
        if (e >= 0 && SharedRegion.casLong(slotOffset, Epoch.IDLE, Epoch.pinned(e))) {
            boolean open = false;
            try {
                open = finishPooledPin(guard, slot, slotOffset, e, tid);
            } finally {
                if (!open) {
                    // closed, or an Error after the CAS: undo the pin here, with the calls the pin
                    // itself made at this depth, so that a stack overflow leaves room for the undo
                    // "Owner word"; the same call as the unpin's (see PooledGuard.close())
                    SharedRegion.setLongRelease(slotOffset + DomainLayout.SLOT_OWNER, 0);
                    if (backstopEnabled) {
                        backstop.clear(slot); // release, before the unpin: see GuardBackstop.clear
                    }
                    SharedRegion.setLongRelease(slotOffset, Epoch.IDLE); // release: undo our pin
                    Reference.reachabilityFence(guard); // as at the end of PooledGuard.close()
                }
            }
            return guard;
        }
        pinPooledSlow(guard, tid, probeStart(tid));
        return guard;
    }

    /** Leases and pins a pool slot for {@code guard}, probing and growing the pool; returns the slot. */
    int pinPooledSlot(PooledGuard guard) {
        long tid = Thread.currentThread().threadId();
        return pinPooledSlow(guard, tid, probeStart(tid));
    }

    /**
     * Probes for a free pool slot from {@code hash}: up to {@link #PROBE_LIMIT} slots with an odd
     * stride (double hashing: linear probing would grow clusters of pinned slots and double the pool
     * at low load), then doubles the pool when they were all pinned (amortized O(1) however many
     * guards are open); at capacity it probes every slot before it gives up.
     */
    private int pinPooledSlow(PooledGuard guard, long tid, int hash) {
        while (true) {
            int active = slots.poolActive();
            boolean atCapacity = active >= slots.poolCapacity();
            int probes = atCapacity ? active : Math.min(active, PROBE_LIMIT);
            int start = hash & (active - 1);
            int stride = (hash >>> 16) | 1; // odd: the probes visit every slot, without clustering
            int pinned = 0;
            for (int i = 0; i < probes; i++) {
                int slot = (start + i * stride) & (active - 1);
                long slotOffset = slotBase + ((long) slot << 7);
                long word = SharedRegion.getLongVolatile(slotOffset);
                if (Epoch.isPinned(word)) {
                    pinned++;
                    continue;
                }
                if (word != Epoch.IDLE) {
                    rejoin(slot, slotOffset, word);
                }
                long e = SharedRegion.getLongVolatile(epochOffset);
                if (e < 0) {
                    throw closedException();
                }
                // volatile CAS: lease + publish, as in pin()
                if (SharedRegion.casLong(slotOffset, Epoch.IDLE, Epoch.pinned(e))) {
                    boolean open = false;
                    try {
                        open = finishPooledPin(guard, slot, slotOffset, e, tid);
                    } finally {
                        if (!open) { // as in pin()
                            SharedRegion.setLongRelease(slotOffset + DomainLayout.SLOT_OWNER, 0);
                            if (backstopEnabled) {
                                backstop.clear(slot);
                            }
                            SharedRegion.setLongRelease(slotOffset, Epoch.IDLE);
                            Reference.reachabilityFence(guard);
                        }
                    }
                    return slot;
                }
            }
            if (pinned < probes) {
                continue; // lost races only: some probed slot was free during this pass
            }
            backstop.ensure(Math.min(slots.poolCapacity(), active * 2)); // before the pool grows
            if (!slots.growPool(active) && atCapacity) {
                throw new IllegalStateException("epoch domain '" + name + "': all " + active
                        + " pooled guards are open; raise EpochDomain.builder().maxGuards(...)");
            }
        }
    }

    /**
     * Completes a pooled pin after its CAS; returns true (normally) only with the slot pinned for the
     * caller's guard. Whatever it throws (the domain is closed, or an {@link Error} such as a stack
     * overflow), the caller undoes the pin: it will return no guard.
     */
    private boolean finishPooledPin(PooledGuard guard, int slot, long slotOffset, long e, long tid) {
        guard.pinnedAt(slot, Epoch.pinned(e)); // records the pin for the backstop: see GuardBackstop
        SharedRegion.fenceAfterPin(); // store->load: see SharedRegion.fenceAfterPin
        // volatile re-read of E after the pin CAS: pairs with close()'s CAS of the closed bit and its
        // slot scan (Dekker): either we see the bit, or close() sees this slot pinned.
        if (SharedRegion.getLongVolatile(epochOffset) < 0) {
            throw closedException(); // the caller undoes the pin
        }
        SharedRegion.setLongPlain(slotOffset + DomainLayout.SLOT_OWNER, tid); // see "Owner word"
        if (SharedRegion.getLongPlain(slotOffset + DomainLayout.SLOT_SEEN) != e) {
            firstPinInEpoch(slot, slotOffset, e);
        }
        if (pinSites != null) {
            pinSites[slot] = new PinSite(Thread.currentThread());
        }
        return true;
    }

    /**
     * Releases a pooled slot: owner reset, backstop entry cleared, then release-store IDLE. The
     * caller keeps its guard reachable until this returns (reachabilityFence).
     */
    void unpinPooled(int slot) {
        long slotOffset = slotBase + ((long) slot << 7);
        // see "Owner word"; the same call as the unpin's (see PooledGuard.close())
        SharedRegion.setLongRelease(slotOffset + DomainLayout.SLOT_OWNER, 0);
        if (backstopEnabled) {
            backstop.clear(slot); // release, before the unpin store: see GuardBackstop.clear
        }
        // release: every access inside the guard happens-before a detector's volatile read of IDLE
        SharedRegion.setLongRelease(slotOffset, Epoch.IDLE);
    }

    /** The slot's first pin in epoch {@code e}: record it and let the detector clear its bit. */
    void firstPinInEpoch(int slot, long slotOffset, long e) {
        SharedRegion.setLongPlain(slotOffset + DomainLayout.SLOT_SEEN, e); // owner-only word
        detector.report(slot, e);
    }

    /** Brings an offline (or never used) slot online: count it first, then publish it IDLE. */
    void rejoin(int slot, long slotOffset, long word) {
        detector.arrive(slot);
        boolean joined = false;
        try {
            // volatile CAS after the volatile count increment (CountsCoverOnline)
            joined = SharedRegion.casLong(slotOffset, word, Epoch.IDLE);
        } finally {
            if (!joined) {
                detector.depart(slot); // someone else changed it (or the CAS threw): undo our count
            }
        }
    }

    private static int probeStart(long tid) {
        return (int) ((tid * 0x9E3779B97F4A7C15L) >>> 32);
    }

    // ---- participants -------------------------------------------------------------------------

    /**
     * Registers the calling thread as a long-lived participant that owns one slot: the cheapest way
     * to pin for a platform thread that pins often. Only the calling thread may use it.
     *
     * @return a participant owned by the calling thread; close it when the thread stops pinning
     * @throws IllegalStateException if the domain is closed or every participant slot is leased
     *     ({@link Builder#maxParticipants(int)})
     */
    public Participant register() {
        checkOpen();
        return participants.register(this);
    }

    ParticipantRegistry participants() {
        return participants;
    }

    /** The slots in use, as [from, to) pairs: the pool's active part, then the participants'. */
    int[] slotRanges() {
        int first = layout.poolCapacity();
        return new int[] {0, slots.poolActive(), first, first + slots.participantHighWater()};
    }

    PinSite pinSite(int slot) {
        return pinSites == null ? null : pinSites[slot];
    }

    boolean isParticipantSlot(int slot) {
        return slot >= layout.poolCapacity();
    }

    // ---- retire / defer -----------------------------------------------------------------------

    /**
     * Retires a native segment that the caller has unlinked: {@code allocator.free(segment)} runs
     * once no guard that was open when this call started is still open, on the threads that run
     * deferred actions (see {@link #defer}); a free that throws goes to the failure handler.
     *
     * @param segment a native segment, unlinked from every shared structure
     * @param allocator the allocator that allocated it
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the segment is a heap segment or {@code MemorySegment.NULL},
     *     or the allocator refuses it as not its own ({@link NativeAllocator#markRetired}: with
     *     {@link NativeAllocator#malloc()}, an {@code Arena} segment, a slice, another allocator's)
     * @throws IllegalStateException if the domain is closed, or the allocator refuses the segment as
     *     already retired or freed ({@link NativeAllocator#markRetired}; {@link NativeAllocator#malloc()}
     *     and {@link NativeAllocator#checked()} do, other allocators may not); the segment then still
     *     belongs to the caller, as it was
     * @throws GarbageBudgetExceededException if the garbage budget cannot take it (see
     *     {@link BudgetPolicy}); the segment then still belongs to the caller
     */
    public void retire(MemorySegment segment, NativeAllocator allocator) {
        Allocations.checkNative(segment);
        Objects.requireNonNull(allocator, "allocator");
        checkOpen();
        long bytes = segment.byteSize();
        admit(bytes);
        boolean mark = config.detectDoubleRetire();
        if (mark) {
            allocator.markRetired(segment); // refuses a segment the allocator does not own as live
        }
        if (!membarrierReadSide) {
            // full fence: orders the caller's unlink (a store) before the tag read of E (a load);
            // pairs with the volatile pin CAS of readers (crossbeam's retire rule). The membarrier
            // read side needs none: the bag's tag is read by a reclaiming step after a membarrier
            // that follows the bag's seal (WSeal, RecMb, RecTag in Reclaimer.takeSealed)
            VarHandle.fullFence();
        }
        if (!reclaimer.retire(segment, allocator, bytes)) {
            if (mark) {
                allocator.unmarkRetired(segment); // the segment is the caller's again
            }
            throw closedException();
        }
        afterRetire();
    }

    /**
     * Runs {@code action} once no guard that was open when this call started is still open. It runs
     * on the domain's reclaimer thread, or on a thread that drives reclamation itself: one reclaiming
     * inline ({@link Builder#reclaimInline}), or one inside {@link #synchronize()},
     * {@link #barrier()}, {@link #close()} or a retire blocked by the garbage budget. An action that
     * throws is reported to the domain's {@link ReclaimFailureHandler} (default: logged); the other
     * actions still run.
     *
     * @param action what to run after a grace period
     * @throws NullPointerException if {@code action} is null
     * @throws IllegalStateException if the domain is closed
     */
    public void defer(Runnable action) {
        Objects.requireNonNull(action, "action");
        checkOpen();
        if (!membarrierReadSide) {
            VarHandle.fullFence(); // full fence: as in retire (the membarrier read side: RecMb)
        }
        if (!reclaimer.retire(action, null, 0)) {
            throw closedException();
        }
        afterRetire();
    }

    private void admit(long bytes) {
        long budget = config.budgetBytes();
        if (budget == Long.MAX_VALUE || reclaimer.sealedBytes() + bytes <= budget) {
            return;
        }
        BudgetPolicy policy = config.budgetPolicy();
        if (policy == BudgetPolicy.GROW) {
            budgetOverruns.incrementAndGet();
            return;
        }
        if (bytes > budget || policy == BudgetPolicy.FAIL) {
            throw new GarbageBudgetExceededException("epoch domain '" + name + "': retiring " + bytes
                    + " bytes would exceed the garbage budget of " + budget + " bytes ("
                    + reclaimer.sealedBytes() + " bytes pending), policy=" + policy
                    + (bytes > budget ? "; the segment alone exceeds the budget" : ""));
        }
        if (reclaimer.isReclaimingThread()) {
            budgetOverruns.incrementAndGet(); // called from a free or deferred action: cannot wait here
            return;
        }
        startReclaimerIfNeeded();
        reclaimer.flushAll();
        Waiting.untimed(name, "retire() waiting for the garbage budget", deadline -> reclaimer.driveUntil(
                () -> reclaimer.sealedBytes() + bytes <= budget || isClosed(),
                stalls.failingOnOwnGuardBeforeGivingUp("retire() waiting for the garbage budget"), deadline));
        checkOpen();
    }

    private void afterRetire() {
        if (config.reclaimInline()) {
            if (reclaimer.hasWork()) {
                reclaimer.tryStep(stalls);
            }
        } else if (!reclaimerStarted) {
            startReclaimerIfNeeded();
        }
    }

    private void startReclaimerIfNeeded() {
        if (!config.reclaimInline() && !reclaimerStarted) {
            reclaimer.start();
            reclaimerStarted = true;
        }
    }

    // ---- waiting ------------------------------------------------------------------------------

    /**
     * Blocks until a full grace period has passed: every guard open when this call started has
     * closed. The calling thread drives detection itself.
     *
     * @throws IllegalStateException if the domain is (or becomes) closed, or the calling thread
     *     holds an open guard of this domain, or runs a deferred action of it (waiting would
     *     deadlock)
     * @throws InterruptedWaitException if the calling thread is interrupted while it waits (its
     *     interrupt status is set again); use {@link #trySynchronize(Duration)} to get an
     *     {@link InterruptedException} and a timeout
     */
    public void synchronize() {
        Waiting.untimed(name, "synchronize()", this::synchronizeUntil);
    }

    /**
     * Like {@link #synchronize()}, but gives up after {@code timeout}: the timed, interruptible form.
     * Giving up has no effect on the domain.
     *
     * @param timeout how long to wait at most; zero checks once
     * @return true if a full grace period passed, false if the timeout elapsed first
     * @throws InterruptedException if the calling thread is interrupted while it waits
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException as {@link #synchronize()}
     */
    public boolean trySynchronize(Duration timeout) throws InterruptedException {
        return synchronizeUntil(Waiting.deadline(timeout));
    }

    private boolean synchronizeUntil(long deadline) throws InterruptedException {
        checkOpen();
        checkNotReclaiming("synchronize()");
        if (membarrierReadSide) {
            // a writer (the model leaves synchronize out): after the membarrier, every pin store
            // issued before it is visible, and every load after it sees the caller's unlinks, so a
            // guard open when this call started is pinned at e <= the E read below, visible to every
            // observation of grace period target - 1 (the tagging step's argument, for one item:
            // Reclaimer.takeSealed)
            readBarrier.membarrier();
        } else {
            VarHandle.fullFence(); // full fence: the caller's earlier unlinks are ordered before the read of E
        }
        long target = Epoch.value(SharedRegion.getLongVolatile(epochOffset)) + 2;
        boolean done = reclaimer.driveUntil(() -> epochOrClosed() >= target,
                stalls.failingOnOwnGuardBeforeGivingUp("synchronize()"), deadline);
        checkOpen();
        return done;
    }

    /**
     * Blocks until every segment retired and every action deferred before this call (that
     * happens-before it) has been freed or run.
     *
     * @throws IllegalStateException if the domain is (or becomes) closed, or the calling thread
     *     holds an open guard of this domain, or runs a deferred action of it (waiting would
     *     deadlock)
     * @throws InterruptedWaitException if the calling thread is interrupted while it waits (its
     *     interrupt status is set again); use {@link #awaitBarrier(Duration)} to get an
     *     {@link InterruptedException} and a timeout
     */
    public void barrier() {
        Waiting.untimed(name, "barrier()", this::barrierUntil);
    }

    /**
     * Like {@link #barrier()}, but gives up after {@code timeout}: the timed, interruptible form.
     * Giving up has no effect on what is pending (it is still freed later, as usual).
     *
     * @param timeout how long to wait at most
     * @return true if everything retired or deferred before the call has been freed or run, false if
     *     the timeout elapsed first
     * @throws InterruptedException if the calling thread is interrupted while it waits
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException as {@link #barrier()}
     */
    public boolean awaitBarrier(Duration timeout) throws InterruptedException {
        return barrierUntil(Waiting.deadline(timeout));
    }

    private boolean barrierUntil(long deadline) throws InterruptedException {
        checkOpen();
        checkNotReclaiming("barrier()");
        AtomicBoolean done = new AtomicBoolean();
        reclaimer.flushAll();
        reclaimer.enqueueMarker(() -> done.set(true)); // a no-op if this wait is abandoned
        boolean finished = reclaimer.driveUntil(() -> done.get() || isClosed(),
                stalls.failingOnOwnGuardBeforeGivingUp("barrier()"), deadline);
        if (finished && !done.get()) {
            throw closedException();
        }
        return finished;
    }

    private long epochOrClosed() {
        long e = SharedRegion.getLongVolatile(epochOffset);
        return e < 0 ? Long.MAX_VALUE : e;
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /**
     * Closes the domain: new pins, retires and defers fail from now on; waits until every open guard
     * has closed, then frees everything still pending and stops the reclaimer. Idempotent; closers
     * take turns. While it waits the domain refuses new work ({@link #isClosed()} is true); if the
     * wait fails (the caller's own guard, an interrupt), the domain is reopened, as it was.
     *
     * @throws IllegalStateException if the calling thread holds an open guard of this domain (the
     *     domain stays open), or runs a deferred action of it
     * @throws InterruptedWaitException if the calling thread is interrupted while it waits (its
     *     interrupt status is set again; the domain stays open); use {@link #close(Duration)} to get
     *     an {@link InterruptedException} and a timeout
     */
    @Override
    public void close() {
        Waiting.untimed(name, "close()", this::closeUntil);
    }

    /**
     * Like {@link #close()}, but gives up after {@code timeout}: the timed, interruptible form. A
     * close that gives up (or is interrupted) leaves the domain open and usable, as it was: new work
     * was refused only while it waited.
     *
     * @param timeout how long to wait at most for open guards and a running reclaiming step
     * @return true if the domain is closed and everything pending was freed (also when it was
     *     closed already); false if the timeout elapsed first (the domain is open)
     * @throws InterruptedException if the calling thread is interrupted while it waits (the domain is
     *     open)
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException as {@link #close()}
     */
    public boolean close(Duration timeout) throws InterruptedException {
        return closeUntil(Waiting.deadline(timeout));
    }

    private boolean closeUntil(long deadline) throws InterruptedException {
        checkNotReclaiming("close()");
        return closer.closeUntil(deadline);
    }

    boolean noSlotPinned(GracePeriodDetector.StragglerSink ownGuard) {
        boolean none = scanUnpinned(0, slots.poolActive(), ownGuard);
        int first = layout.poolCapacity();
        return scanUnpinned(first, first + slots.participantHighWater(), ownGuard) && none;
    }

    private boolean scanUnpinned(int from, int to, GracePeriodDetector.StragglerSink ownGuard) {
        boolean none = true;
        for (int slot = from; slot < to; slot++) {
            long word = SharedRegion.getLongVolatile(slotBase + ((long) slot << 7)); // volatile: sees pins
            if (Epoch.isPinned(word)) {
                ownGuard.straggler(slot, word);
                none = false;
            }
        }
        return none;
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return SharedRegion.getLongVolatile(epochOffset) < 0;
    }

    /**
     * The domain's name, used in thread names, exceptions and stall reports.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * A snapshot of the domain's counters.
     *
     * @return the counters, read racily
     */
    public EpochStats stats() {
        long pendingBytes = Math.max(0, reclaimer.retiredBytes() - reclaimer.reclaimedBytes());
        return new EpochStats(Epoch.value(SharedRegion.getLongVolatile(epochOffset)),
                reclaimer.retiredCount(), reclaimer.retiredBytes(), reclaimer.reclaimedCount(),
                reclaimer.reclaimedBytes(), pendingBytes, budgetOverruns.get(), stalls.reported(),
                reclaimer.failures(), slots.poolActive(), slots.participantHighWater(), config.readSide(),
                config.readSideReason());
    }

    /**
     * The gauges of the domain (open guards, oldest guard age, grace periods, pending bytes,
     * retire-to-free lag); see {@link EpochGauges}. Costs a scan of the slots in use.
     *
     * @return the gauges, read racily
     */
    public EpochGauges gauges() {
        return DomainStatistics.gauges(this, stalls, reclaimer);
    }

    /** Fails fast when called from a free or deferred action: the wait would need this very step. */
    private void checkNotReclaiming(String what) {
        if (reclaimer.isReclaimingThread()) {
            throw new IllegalStateException("epoch domain '" + name + "': " + what + " called from a"
                    + " deferred action or a free of the same domain; it would wait for itself");
        }
    }

    void checkOpen() {
        if (SharedRegion.getLongVolatile(epochOffset) < 0) {
            throw closedException();
        }
    }

    IllegalStateException closedException() {
        return new IllegalStateException("epoch domain '" + name + "' is closed");
    }

    long epochValue() {
        return Epoch.value(SharedRegion.getLongVolatile(epochOffset));
    }

    @Override
    public String toString() {
        return "EpochDomain[" + name + ", epoch=" + epochValue() + ", detector=" + config.detector()
                + ", readSide=" + config.readSide() + " (" + config.readSideReason() + ")"
                + (isClosed() ? ", closed" : "") + "]";
    }

    /**
     * What the parts of a domain that outlive it (Cleaner actions, the reclaimer thread) may know of
     * it: never the domain itself, which they would keep reachable.
     */
    record Ref(String name, long slotBase, GracePeriodDetector detector) {
    }

    /** Where a pooled guard was opened (only with pin-site recording). */
    record PinSite(Thread thread, Throwable site) {
        PinSite(Thread thread) {
            this(thread, new Throwable("guard opened here"));
        }
    }

    /**
     * Options of an {@link EpochDomain}. Every option is validated when set; {@link #build()} may be
     * called more than once. Not thread-safe.
     */
    public static final class Builder {

        private String name;
        private Detector detector = Detector.QUIESCENCE_TREE;
        private int maxGuards = 1 << 16;
        private int maxParticipants = 1 << 12;
        private long budgetBytes = Long.MAX_VALUE;
        private BudgetPolicy budgetPolicy = BudgetPolicy.GROW;
        private long stallThresholdNanos = 1_000_000_000L;
        private StallListener stallListener;
        private boolean reclaimInline;
        private boolean recordPinSites;
        private boolean detectDoubleRetire = true;
        private ReclaimFailureHandler failureHandler;
        private boolean checked;
        private boolean guardBackstop = true;
        private int graceDistance = 2;
        private ReadSide readSide = ReadSide.AUTO;
        private Membarrier.Status membarrierStatus;

        private Builder() {
        }

        /**
         * Names the domain (thread names, exceptions, stall reports). Default: {@code epoch-domain-N}.
         *
         * @param name a non-blank name
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank: name='" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * Chooses the grace-period detector. Default: {@link Detector#QUIESCENCE_TREE}.
         *
         * @param detector the detector
         * @return this builder
         */
        public Builder detector(Detector detector) {
            this.detector = Objects.requireNonNull(detector, "detector");
            return this;
        }

        /**
         * The most guards from {@link EpochDomain#pin()} that may be open at once (pinned pooled
         * slots), rounded up to a power of two, at least 16. The pool starts at four slots per
         * processor and doubles when crowded. Reserved address space only: 128 bytes a slot,
         * committed when first used. Default: 65,536.
         *
         * @param maxGuards a positive number, at most 2^24
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxGuards(int maxGuards) {
            if (maxGuards <= 0 || maxGuards > (1 << 24)) {
                throw new IllegalArgumentException("maxGuards must be in [1, 16777216]: maxGuards=" + maxGuards);
            }
            this.maxGuards = Math.max(DomainLayout.LEAF_FANOUT, Integer.highestOneBit(maxGuards - 1) << 1);
            return this;
        }

        /**
         * The most {@link Participant}s registered at once, rounded up to a multiple of 16.
         * Default: 4,096.
         *
         * @param maxParticipants a number in [0, 2^24]
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxParticipants(int maxParticipants) {
            if (maxParticipants < 0 || maxParticipants > (1 << 24)) {
                throw new IllegalArgumentException("maxParticipants must be in [0, 16777216]: maxParticipants="
                        + maxParticipants);
            }
            this.maxParticipants = (maxParticipants + DomainLayout.LEAF_FANOUT - 1) & -DomainLayout.LEAF_FANOUT;
            return this;
        }

        /**
         * Bounds the bytes retired and not yet freed, and says what {@code retire} does when a
         * segment would exceed it. Bytes in partly filled bags are counted once their bag is sealed:
         * the domain keeps one open bag per stripe (twice the processors, rounded up to a power of
         * two) and seals it when it holds a quarter of the budget divided among the stripes (at least
         * 4 KiB, at most 1 MiB), so less than a quarter of the budget (or 4 KiB per stripe, if that is
         * more) can sit uncounted. Default: no budget.
         *
         * @param bytes a positive number of bytes
         * @param policy what to do when the budget is exhausted
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes <= 0}
         */
        public Builder garbageBudget(long bytes, BudgetPolicy policy) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("garbage budget must be positive: bytes=" + bytes);
            }
            this.budgetPolicy = Objects.requireNonNull(policy, "policy");
            this.budgetBytes = bytes;
            return this;
        }

        /**
         * How long a guard may hold a grace period back before it is reported as stalled (to the
         * listener and as a {@code dev.nexus.epoch.StalledGuard} JFR event). Default: 1 second.
         *
         * @param threshold a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder stallThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "threshold");
            if (threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("stall threshold must be positive: threshold=" + threshold);
            }
            this.stallThresholdNanos = threshold.toNanos();
            return this;
        }

        /**
         * Receives stalled-guard reports (and pooled guards released by the backstop). Default:
         * none; each stall is then logged through {@link System.Logger} (logger
         * {@code dev.nexus.epoch}, WARNING, at most one line per domain every 10 seconds). The JFR
         * event is emitted either way.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder stallListener(StallListener listener) {
            this.stallListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Receives frees and deferred actions that throw, instead of the default ERROR log line
         * (logger {@code dev.nexus.epoch}); see {@link ReclaimFailureHandler} for the threads it is
         * called on.
         *
         * @param handler the handler
         * @return this builder
         */
        public Builder reclaimFailureHandler(ReclaimFailureHandler handler) {
            this.failureHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Whether a pooled guard that becomes unreachable without {@code close()} is released (and
         * reported) once a wait for a grace period has met it and a GC has cleared it, instead of
         * holding reclamation back for good. It costs each pooled pin a store of its guard into the
         * domain's table (the guard then escapes, so it is allocated: 40 bytes) and its close a store
         * of null: a pooled pin+close measured about twice as long with it (about 12 ns against 6,
         * {@code PinBenchmark.pooled} and {@code pooledNoBackstop} on the shared 2-core test
         * machine). Off, a dropped pooled guard stops reclamation until the domain is collected, and
         * pooled stall reports name no thread unless pin sites are recorded. Participants have their
         * own backstop either way. Default: true.
         *
         * @param enabled whether to keep the backstop for pooled guards
         * @return this builder
         */
        public Builder guardBackstop(boolean enabled) {
            this.guardBackstop = enabled;
            return this;
        }

        /**
         * Checked mode, for tests and canaries: {@link Guard#bind} returns views of segments scoped
         * to the guard, so that a read after the guard closed (or suspended) throws
         * {@link IllegalStateException} instead of reading memory that may have been freed. It costs
         * a shared arena per guard that binds (made at its first bind, closed with the guard).
         * Default: false ({@code bind} returns the segment itself).
         *
         * @param checked whether guards bind segments to their lifetime
         * @return this builder
         */
        public Builder checked(boolean checked) {
            this.checked = checked;
            return this;
        }

        /**
         * Reclaims on the threads that retire and defer, with no background thread: a retire or
         * defer that finds sealed bags waiting runs one step, unless another thread is running one. A
         * step frees every bag whose grace period has passed and pushes grace-period detection for at
         * most three rounds, so its cost is not bounded: it grows with the garbage that is due, and
         * it runs every deferred action that is due on the retiring thread. Bags are sealed
         * when full (64 items or the seal size in bytes), so the last, partly filled bags wait for
         * more retires, {@code barrier()} or {@code close()}; on {@link ReadSide#MEMBARRIER} sealed
         * bags are also tagged in batches (one {@code membarrier} for up to eight bags), so up to
         * seven sealed bags may wait until more are sealed, or for a thread that waits
         * ({@code synchronize()}, {@code barrier()}, {@code close()}, a budget-blocked retire).
         * Default: false (a background reclaimer thread, started on the first retire or defer, which
         * also seals idle bags within about a millisecond).
         *
         * @param inline whether to reclaim inline
         * @return this builder
         */
        public Builder reclaimInline(boolean inline) {
            this.reclaimInline = inline;
            return this;
        }

        /**
         * Records, for every pooled pin, the thread and the stack where the guard was opened, so that
         * stall reports can say where. Costs a stack capture per pin: for debugging. Default: false.
         *
         * @param record whether to record pin sites
         * @return this builder
         */
        public Builder recordPinSites(boolean record) {
            this.recordPinSites = record;
            return this;
        }

        /**
         * Whether {@code retire} asks the allocator to mark the segment retired
         * ({@link NativeAllocator#markRetired}) and the domain frees it with
         * {@link NativeAllocator#freeRetired}. With {@link NativeAllocator#malloc()} (one
         * compare-and-swap in its table) or {@link NativeAllocator#checked()}, {@code retire} then
         * refuses a second retire, a retire after a free and a segment the allocator does not own,
         * and the allocator refuses a free by hand of a retired segment. Allocators that keep the
         * default methods check nothing either way. Default: true.
         *
         * <p>What {@code false} loses: the allocator is not told about retires, so a double retire
         * or a free by hand of a retired segment is not refused when it happens. With
         * {@code malloc()} the second free of such a pair is still refused (nothing is freed twice),
         * but only on the reclaimer thread, reported as a failed free, and a free by hand before the
         * grace period ends frees memory readers may still use.
         *
         * @param detect whether to detect double retires
         * @return this builder
         */
        public Builder detectDoubleRetire(boolean detect) {
            this.detectDoubleRetire = detect;
            return this;
        }

        /**
         * How participants pin (see {@link ReadSide}). {@link ReadSide#AUTO} chooses when the
         * domain is built, from {@code membarrier}'s probe and the processor; {@link EpochStats#readSide()}
         * and {@link EpochDomain#toString()} say which read side is in use and why. Default:
         * {@link ReadSide#AUTO}.
         *
         * @param readSide the read side
         * @return this builder
         */
        public Builder readSide(ReadSide readSide) {
            this.readSide = Objects.requireNonNull(readSide, "readSide");
            return this;
        }

        /**
         * Test switch, never public: the membarrier probe's answer that {@link #build()} uses instead
         * of {@code Membarrier.get().status()}, to exercise the fallback on a system that supports
         * membarrier. Only an unsupported status may be injected (a supported one would make the
         * domain call a membarrier the system may not have).
         */
        Builder membarrierStatusForTests(Membarrier.Status status) {
            if (status.supported()) {
                throw new IllegalArgumentException("only an unsupported status can be injected: " + status);
            }
            this.membarrierStatus = status;
            return this;
        }

        /**
         * Test switch, never public: frees bags after {@code distance} epochs instead of 2. With 1
         * the domain is broken on purpose (it frees while late pinners may still read); the torture
         * test must catch it.
         */
        Builder brokenGraceDistanceForTests(int distance) {
            this.graceDistance = distance;
            return this;
        }

        /**
         * Builds an open domain.
         *
         * @return a new domain
         * @throws IllegalCallerException if the JVM denies this module native access; the message
         *     names the flag to add
         * @throws IllegalStateException if {@link ReadSide#MEMBARRIER} was asked for and
         *     {@code membarrier} is not supported here (the message gives the probe's reason)
         */
        public EpochDomain build() {
            NativeAccess.ensure(); // before the membarrier probe, which calls native code too
            Membarrier.Status status = membarrierStatus != null ? membarrierStatus : Membarrier.get().status();
            ReadSide resolved;
            String reason;
            switch (readSide) {
                case CAS -> {
                    resolved = ReadSide.CAS;
                    reason = "asked for (readSide(CAS))";
                }
                case MEMBARRIER -> {
                    if (!status.supported()) {
                        throw new IllegalStateException("readSide(MEMBARRIER) asked for, but membarrier is "
                                + status + "; use ReadSide.AUTO or ReadSide.CAS");
                    }
                    resolved = ReadSide.MEMBARRIER;
                    reason = "asked for (readSide(MEMBARRIER)); membarrier " + status;
                }
                default -> {
                    if (status.supported() && TSO && HOTSPOT_COMPILERS) {
                        resolved = ReadSide.MEMBARRIER;
                        reason = "AUTO on x86-64 HotSpot: membarrier " + status;
                    } else {
                        resolved = ReadSide.CAS;
                        reason = "AUTO: " + (!status.supported() ? "membarrier " + status
                                : !TSO ? "membarrier is supported, but the processor is "
                                        + System.getProperty("os.arch")
                                        + ", not the total-store-order x86-64 the protocol's model checks"
                                : "membarrier is supported, but the JVM (" + System.getProperty("java.vm.name")
                                        + ") is not HotSpot with its own compilers, whose compilation of the"
                                        + " opaque pin store docs/memory-model.md relies on");
                    }
                }
            }
            int processors = Runtime.getRuntime().availableProcessors();
            int initialPool = Math.min(maxGuards,
                    Math.max(DomainLayout.LEAF_FANOUT, Integer.highestOneBit(processors * 4 - 1) << 1));
            int stripes = Math.max(2, Integer.highestOneBit(processors * 2 - 1) << 1);
            long sealBytes = budgetBytes == Long.MAX_VALUE ? 1L << 20
                    : Math.max(4096, Math.min(1L << 20, budgetBytes / (4L * stripes)));
            return new EpochDomain(new DomainConfig(name, detector, maxGuards, initialPool,
                    maxParticipants, budgetBytes, budgetPolicy, stallThresholdNanos, stallListener,
                    reclaimInline, recordPinSites, detectDoubleRetire, sealBytes, stripes, graceDistance,
                    failureHandler, checked, guardBackstop, resolved, reason));
        }

        private static final boolean TSO = "amd64".equals(System.getProperty("os.arch"))
                || "x86_64".equals(System.getProperty("os.arch"));

        /**
         * Whether the JVM is HotSpot compiling with C1/C2 (not OpenJ9, not a JVMCI compiler such as
         * Graal): the argument that the reader's loads stay after its opaque store is about those.
         */
        private static final boolean HOTSPOT_COMPILERS = isHotSpotWithItsCompilers();

        private static boolean isHotSpotWithItsCompilers() {
            String vm = System.getProperty("java.vm.name", "");
            boolean hotSpot = (vm.contains("HotSpot") || vm.contains("OpenJDK")) && !vm.contains("J9");
            return hotSpot && !Boolean.getBoolean("jdk.internal.vm.ci.enabled");
        }
    }
}
