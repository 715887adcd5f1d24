package dev.nexus.epoch.internal;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * Collects retired items into bags, hands sealed bags to one reclaiming step at a time, drives grace
 * periods while garbage waits, and frees bags whose tag is two epochs old.
 *
 * <p>Progress: {@link #retire} holds a stripe for a few stores; it waits only when all stripes (two
 * per processor) are held at once, and then only for those few stores. A reclaiming step runs under a try-lock and is never waited for by retire or pin;
 * {@link #driveUntil} blocks its caller only.
 */
public final class Reclaimer implements Bag.ReclaimSink {

    /*
     * Implementation notes.
     *
     * Retire: the caller issues VarHandle.fullFence() after its unlink; the tag is a volatile read
     * of E made afterwards, under the stripe's lock. A bag is tagged with the largest tag of its
     * items, so every item waits at least as long as its own tag demands.
     *
     * Membarrier read side (ReadBarrier.isMembarrier()): retire issues no fence, and the per-item
     * read of E is only the closed check (its value may be too old to be a tag). A bag is sealed by
     * detaching it under its stripe's lock and handing it over (WSeal; close's flushAll must either
     * find the bag sealed or the retire must find the closed bit), with no system call. A step
     * then tags the bags handed over so far at once (in batches of several bags unless a thread
     * waits: takeSealed): it takes them from the queue (RecTake), calls one membarrier (RecMb),
     * reads E once and raises each taken bag's tag to it (RecTag), in that order
     * (tla/QuiescenceTree.tla, "Why one tag per batch, after one membarrier, is safe, with no
     * membarrier in fqs"; a bag handed over after the membarrier waits for the next batch:
     * BrokenBatchIncludesLateBag).
     * The writer's unlink happens-before the poll that takes its bag (the queue's release offer and
     * acquire poll, and the stripe lock when another thread sealed the bag; on x86-64, where this
     * side runs, a store seen by one processor is seen by all),
     * so it precedes the membarrier as the model requires. Untagged bags are never freed; if the
     * membarrier fails (the kernel refusing a call it accepted at registration), they stay untagged
     * and the next step tries again: nothing is lost, and the failure is logged.
     *
     * Stripes: bags are striped by a hash of the thread id, each stripe a one-word try-lock held
     * for a few stores. A retiring thread probes the other stripes rather than wait for one. The
     * reclaimer seals partly filled stripes when it has nothing else to do
     * (liveness without any further call by the user).
     *
     * The waiting deque is touched only under stepLock. Marker bags (barrier) run after every
     * ordinary bag that is reclaimable in the same pass; ordinary bags sealed before a marker have a
     * tag <= the marker's, so they are reclaimable whenever the marker is.
     */

    private static final long FLUSH_DELAY_NANOS = 1_000_000;
    /** Membarrier read side: bags tagged together after one membarrier, unless a step is urgent. */
    static final int TAG_BATCH_BAGS = 8;
    /** Membarrier read side: steps a partial batch may wait before it is tagged anyway. */
    static final int MAX_DEFERRED_STEPS = 256;
    /** The reclaimer thread's back-off from which its steps are urgent (tag partial batches). */
    private static final long URGENT_BACKOFF_NANOS = 40_000;
    private static final long MIN_BACKOFF_NANOS = 10_000;
    private static final long MAX_BACKOFF_NANOS = 1_000_000;

    private final String name;
    private final long epochOffset;
    private final GracePeriodDetector detector;
    private final int graceDistance;
    private final long sealBytes;
    private final Stripe[] stripes;
    private final int stripeMask;
    private final MpscUnboundedAtomicArrayQueue<Bag> sealed = new MpscUnboundedAtomicArrayQueue<>(256);
    private final ArrayDeque<Bag> waiting = new ArrayDeque<>();
    /** Membarrier read side: bags taken from {@code sealed} whose tag is not read yet; under stepLock. */
    private final ArrayDeque<Bag> untagged = new ArrayDeque<>();
    /** Steps that left a partial batch untagged since the last tag; under stepLock. */
    private int deferredSteps;
    /**
     * One reclaiming step at a time. A lock that parks, not a spin flag: its holder may be a virtual
     * thread that unmounts inside a blocking deferred action, and a closer spinning for it could
     * occupy the carrier the holder needs to finish. Steps take it with tryLock (never wait);
     * close waits for it. Unlock happens-before the next successful lock: publishes the step's
     * writes (the waiting deque, progressed, waitingBags) to the next step.
     */
    private final ReentrantLock stepLock = new ReentrantLock();
    private final AtomicLong sealedBytes = new AtomicLong();
    private final AtomicLong membarrierFailures = new AtomicLong();
    private final AtomicLong stepFailures = new AtomicLong();
    /** Whether retire marked segments (NativeAllocator.markRetired): then freed with freeRetired. */
    private final boolean freeRetired;
    private final GracePeriodDetector.StragglerSink stallSink;
    private final Runnable epochObserver;
    private final ReadBarrier barrier;

    private final LongAdder retiredCount = new LongAdder();
    private final LongAdder retiredBytes = new LongAdder();
    private final LongAdder reclaimedCount = new LongAdder();
    private final LongAdder reclaimedBytes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LagRecorder lag = new LagRecorder();

    private static final System.Logger LOG = System.getLogger("dev.nexus.epoch");

    /** Set before the domain is shared (final-like); must not reach the domain. */
    private BiConsumer<Object, Throwable> failureHandler = (item, failure) -> LOG.log(
            System.Logger.Level.ERROR, "epoch domain: reclaiming " + item + " failed", failure);

    /** The thread running a step (and so the frees and deferred actions), or null. */
    private volatile Thread stepOwner;
    /** Whether the last step freed something or saw the epoch move; guarded by stepLock. */
    private boolean progressed;
    /** Set once by {@link #stop()}: the thread is never (re)started afterwards. */
    private boolean stopped;

    /** Bags in {@code waiting} and {@code untagged}; written under stepLock, read racily by waiters. */
    private volatile int waitingBags;
    /**
     * Bags in {@code waiting} only (tagged); written under stepLock. Inline reclamation runs a step
     * for these and for newly sealed bags, not for a partial batch left untagged on purpose: a step
     * per retire for it would cost what batching saves.
     */
    private volatile int taggedBags;
    /** Set by the reclaimer thread before it parks with nothing to do; retire wakes it. */
    private volatile boolean sleeping;
    private volatile boolean running;
    /** Set once by {@link #abandon}; read by the reclaimer thread. */
    private volatile Abandoned abandoned;
    private Thread thread;

    /**
     * A reclaimer.
     *
     * @param name the domain's name, for the thread and messages
     * @param epochOffset region offset of {@code E}
     * @param detector the detector to drive
     * @param graceDistance epochs a tag must age before its bag is freed (2; 1 only in broken tests)
     * @param sealBytes bytes after which a bag is sealed even if not full
     * @param stripes number of bag stripes, a power of two
     * @param detectDoubleRetire whether retire marked segments with {@code NativeAllocator.markRetired},
     *     so that they are freed with {@code freeRetired} rather than {@code free}
     * @param stallSink receives stragglers seen while driving grace periods
     * @param epochObserver called after each step, so the owner can note epoch changes
     */
    public Reclaimer(String name, long epochOffset, GracePeriodDetector detector, int graceDistance,
            long sealBytes, int stripes, boolean detectDoubleRetire,
            GracePeriodDetector.StragglerSink stallSink, Runnable epochObserver) {
        this(name, epochOffset, detector, graceDistance, sealBytes, stripes, detectDoubleRetire, stallSink,
                epochObserver, ReadBarrier.cas());
    }

    /**
     * A reclaimer for a read side: on the membarrier read side, bags are tagged in batches by the
     * reclaiming step, after one membarrier per batch (see the implementation notes).
     *
     * @param name the domain's name, for the thread and messages
     * @param epochOffset region offset of {@code E}
     * @param detector the detector to drive
     * @param graceDistance epochs a tag must age before its bag is freed (2; 1 only in broken tests)
     * @param sealBytes bytes after which a bag is sealed even if not full
     * @param stripes number of bag stripes, a power of two
     * @param detectDoubleRetire whether retire marked segments with {@code NativeAllocator.markRetired}
     * @param stallSink receives stragglers seen while driving grace periods
     * @param epochObserver called after each step, so the owner can note epoch changes
     * @param barrier the domain's read side
     */
    public Reclaimer(String name, long epochOffset, GracePeriodDetector detector, int graceDistance,
            long sealBytes, int stripes, boolean detectDoubleRetire,
            GracePeriodDetector.StragglerSink stallSink, Runnable epochObserver, ReadBarrier barrier) {
        this.barrier = barrier;
        this.name = name;
        this.epochOffset = epochOffset;
        this.detector = detector;
        this.graceDistance = graceDistance;
        this.sealBytes = sealBytes;
        this.stripes = new Stripe[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new Stripe();
        }
        this.stripeMask = stripes - 1;
        this.freeRetired = detectDoubleRetire;
        this.stallSink = stallSink;
        this.epochObserver = epochObserver;
    }

    // ---- retire ----------------------------------------------------------------------------------

    /**
     * Adds an item to a bag. The caller has unlinked it and, on the CAS read side, issued
     * {@code VarHandle.fullFence()} (the membarrier read side needs no fence here: see the notes).
     *
     * @param item a {@link MemorySegment} (with {@code allocator}) or a {@link Runnable}
     * @return false if the domain was found closed (nothing was added)
     */
    public boolean retire(Object item, NativeAllocator allocator, long weight) {
        int start = probe();
        for (int i = 0; ; i++) {
            Stripe stripe = stripes[(start + i) & stripeMask];
            if (!stripe.tryLock()) {
                if (i > stripeMask) {
                    Thread.onSpinWait(); // every stripe held: their holders are inside a few stores
                }
                continue;
            }
            try {
                // volatile read after the caller's fullFence: the tag (crossbeam's rule); under the
                // stripe lock, so close(), which flushes every stripe after setting the closed bit,
                // either sees this item or this read sees the closed bit
                long e = SharedRegion.getLongVolatile(epochOffset);
                if (Epoch.isClosed(e)) {
                    return false;
                }
                Bag bag = stripe.bag;
                if (bag.add(item, allocator, weight, Epoch.value(e)) || bag.bytes() >= sealBytes) {
                    stripe.bag = new Bag();
                    seal(bag);
                }
            } finally {
                stripe.unlock();
            }
            counted(weight);
            return true;
        }
    }

    private void counted(long weight) {
        retiredCount.increment();
        retiredBytes.add(weight);
        if (sleeping) {
            wake();
        }
    }

    private void seal(Bag bag) {
        // WSeal: the caller detached the bag under its stripe's lock; on the membarrier read side its
        // tag is read later, by a step, after a membarrier (takeSealed)
        sealedBytes.addAndGet(bag.bytes());
        sealed.offer(bag);
    }

    private static int probe() {
        long id = Thread.currentThread().threadId();
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40);
    }

    /** Seals every partly filled bag (waits for stripes held by retiring threads: tiny sections). */
    public void flushAll() {
        for (Stripe stripe : stripes) {
            while (!stripe.tryLock()) {
                Thread.onSpinWait();
            }
            try {
                flushLocked(stripe);
            } finally {
                stripe.unlock();
            }
        }
    }

    private void flushIdleStripes() {
        for (Stripe stripe : stripes) {
            if (stripe.bag.size() > 0 && stripe.tryLock()) { // racy size read: a hint only
                try {
                    flushLocked(stripe);
                } finally {
                    stripe.unlock();
                }
            }
        }
    }

    private void flushLocked(Stripe stripe) {
        if (stripe.bag.size() > 0) {
            Bag bag = stripe.bag;
            stripe.bag = new Bag();
            seal(bag);
        }
    }

    private boolean anyUnsealed() {
        for (Stripe stripe : stripes) {
            if (stripe.bag.size() > 0) { // racy read: a hint only
                return true;
            }
        }
        return false;
    }

    /** Enqueues a barrier marker: {@code action} runs once everything sealed before it is reclaimed. */
    public void enqueueMarker(Runnable action) {
        VarHandle.fullFence(); // orders the preceding flush before the tag read, as in retire
        long e = Epoch.value(SharedRegion.getLongVolatile(epochOffset));
        sealed.offer(Bag.marker(action, e));
        wake();
    }

    // ---- reclaiming steps ------------------------------------------------------------------------

    /**
     * Runs one reclaiming step if no other thread is running one: frees reclaimable bags and drives
     * grace periods while garbage waits.
     *
     * @return false if another thread held the step
     */
    public boolean tryStep(GracePeriodDetector.StragglerSink stragglers) {
        return tryStep(stragglers, false);
    }

    /**
     * As {@link #tryStep(GracePeriodDetector.StragglerSink)}; {@code urgent}: a thread waits for this
     * step's outcome, so on the membarrier read side every sealed bag is tagged now rather than
     * batched with later ones (see takeSealed).
     */
    private boolean tryStep(GracePeriodDetector.StragglerSink stragglers, boolean urgent) {
        // one step at a time; a deferred action of this very step that reclaims inline (a retire
        // from inside it) must not re-enter the step: the lock is reentrant, so check first
        if (stepLock.isHeldByCurrentThread() || !stepLock.tryLock()) {
            return false;
        }
        stepOwner = Thread.currentThread();
        try {
            stepLocked(stragglers, urgent);
        } finally {
            stepOwner = null;
            stepLock.unlock();
        }
        epochObserver.run();
        return true;
    }

    private void stepLocked(GracePeriodDetector.StragglerSink stragglers, boolean urgent) {
        takeSealed(urgent);
        long e = SharedRegion.getLongVolatile(epochOffset);
        int before = waiting.size();
        long epochBefore = e;
        freeReclaimable(Epoch.value(e));
        for (int round = 0; round < 3 && !waiting.isEmpty() && !Epoch.isClosed(e); round++) {
            if (!detector.forceQuiescentState(Epoch.value(e), stragglers)) {
                break;
            }
            e = SharedRegion.getLongVolatile(epochOffset);
            freeReclaimable(Epoch.value(e));
        }
        taggedBags = waiting.size();
        waitingBags = waiting.size() + untagged.size();
        progressed = waiting.size() < before || e != epochBefore;
    }

    /**
     * Moves the bags handed over since the last step to the waiting deque. On the membarrier read
     * side it tags them first, as one batch: every bag is taken before the membarrier (RecMb), and
     * the one read of E after it (RecTag) raises each tag; bags handed over later wait for the next
     * batch. A batch is tagged once it holds {@link #TAG_BATCH_BAGS} bags, after
     * {@link #MAX_DEFERRED_STEPS} steps, or at once when the step is urgent (a thread waits on it,
     * or the reclaimer thread backs off): a membarrier costs microseconds, so a retire-heavy thread
     * would otherwise pay one per bag. If the membarrier throws, the batch stays untagged (never
     * freed) for the next step.
     */
    private void takeSealed(boolean urgent) {
        ArrayDeque<Bag> into = barrier.isMembarrier() ? untagged : waiting;
        for (Bag bag; (bag = sealed.relaxedPoll()) != null; ) { // acquire: see the notes
            into.addLast(bag);
        }
        if (untagged.isEmpty()) {
            return;
        }
        if (!urgent && untagged.size() < TAG_BATCH_BAGS && ++deferredSteps < MAX_DEFERRED_STEPS) {
            return; // batch more: a later step tags these with the bags sealed meanwhile
        }
        deferredSteps = 0;
        try {
            // RecTake happened above. RecMb: after every taken bag's unlinks (they happen-before
            // the polls above), before the tag read: every reader that could still load an item of
            // the batch has its pin visible when this returns
            barrier.membarrier();
        } catch (RuntimeException failure) {
            membarrierFailed(failure);
            return;
        }
        // RecTag: volatile read of E; a later read can only be larger, which only delays. Raises
        // markers too: a bag taken before a marker then never has a larger tag than the marker
        long tag = Epoch.value(SharedRegion.getLongVolatile(epochOffset));
        for (Bag bag; (bag = untagged.pollFirst()) != null; ) {
            bag.raiseTag(tag);
            waiting.addLast(bag);
        }
    }

    private void membarrierFailed(RuntimeException failure) {
        long n = membarrierFailures.incrementAndGet();
        if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th... failure: logged, not flooded
            LOG.log(System.Logger.Level.ERROR, "epoch domain '" + name + "': membarrier failed (" + n
                    + " time(s) so far); " + untagged.size() + " sealed bag(s) stay untagged and are"
                    + " not freed until a membarrier succeeds", failure);
        }
    }

    private void stepFailed(RuntimeException failure) {
        long n = stepFailures.incrementAndGet();
        if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th... failure: logged, not flooded
            LOG.log(System.Logger.Level.ERROR, "epoch domain '" + name + "': a reclaiming step failed (" + n
                    + " time(s) so far); the reclaimer thread goes on", failure);
        }
    }

    /** Reclaiming steps of the reclaimer thread that threw (none in normal operation). */
    public long stepFailures() {
        return stepFailures.get();
    }

    /** Membarrier read side: failed membarrier calls of the tagging step (none where it works). */
    public long membarrierFailures() {
        return membarrierFailures.get();
    }

    private void freeReclaimable(long e) {
        List<Bag> markers = null;
        for (Iterator<Bag> it = waiting.iterator(); it.hasNext(); ) {
            Bag bag = it.next();
            if (!Epoch.isReclaimable(e, bag.tag(), graceDistance)) {
                continue;
            }
            it.remove();
            if (bag.isMarker()) {
                if (markers == null) {
                    markers = new ArrayList<>();
                }
                markers.add(bag);
            } else {
                sealedBytes.addAndGet(-bag.bytes());
                bag.reclaim(this);
                lag.record(System.nanoTime() - bag.firstAdded()); // the bag's oldest item
            }
        }
        if (markers != null) {
            for (Bag marker : markers) {
                marker.reclaim(this);
            }
        }
    }

    /**
     * Frees everything regardless of epochs. Only for {@code close()}, after it saw every slot
     * quiescent with the domain closed.
     */
    public void reclaimAll() {
        stepLock.lock(); // parks while a step runs (see stepLock)
        try {
            reclaimAllLocked();
        } finally {
            stepLock.unlock();
        }
    }

    /**
     * Takes the step lock for a close, waiting (parked) until {@code deadline} (a
     * {@link System#nanoTime()} value; {@link Long#MAX_VALUE}: no deadline) at most.
     *
     * @return whether the lock is now held by the caller; then call {@link #reclaimAllLocked()} and
     *     {@link #unlockAfterClose()}
     * @throws InterruptedException if the caller is interrupted while it waits
     */
    public boolean lockForClose(long deadline) throws InterruptedException {
        if (stepLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("reclaimer of '" + name + "': close from inside a step");
        }
        if (stepLock.tryLock()) {
            return true; // no wait, so no interrupt check
        }
        if (deadline == Long.MAX_VALUE) {
            stepLock.lockInterruptibly(); // parks while a step runs (see stepLock)
            return true;
        }
        return stepLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Frees everything regardless of epochs; the caller holds the step lock ({@link #lockForClose}). */
    public void reclaimAllLocked() {
        assert stepLock.isHeldByCurrentThread();
        stepOwner = Thread.currentThread();
        try {
            flushAll();
            for (Bag bag; (bag = sealed.relaxedPoll()) != null; ) {
                waiting.addLast(bag);
            }
            waiting.addAll(untagged); // every slot was seen quiescent: tags no longer matter
            untagged.clear();
            freeReclaimable(Long.MAX_VALUE / 2);
            taggedBags = waiting.size();
            waitingBags = waiting.size();
        } finally {
            stepOwner = null;
        }
    }

    /** Releases the step lock taken by {@link #lockForClose}. */
    public void unlockAfterClose() {
        stepLock.unlock();
    }

    /**
     * Drives reclamation from the calling thread until {@code done} holds or {@code deadline} (a
     * {@link System#nanoTime()} value; {@link Long#MAX_VALUE}: no deadline) passes: runs steps when free, otherwise pushes the grace
     * period itself, backing off (spin, yield, then park) while nothing changes.
     *
     * @return true once {@code done} holds; false if the deadline passed first
     * @throws InterruptedException if the caller is (or gets) interrupted before {@code done} holds;
     *     the interrupt status is cleared, as usual with this exception
     * @throws IllegalStateException from {@code stragglers} (a caller waiting on its own guard)
     */
    public boolean driveUntil(BooleanSupplier done, GracePeriodDetector.StragglerSink stragglers,
            long deadline) throws InterruptedException {
        for (int round = 0; !done.getAsBoolean(); round++) {
            tryStep(stragglers, true); // frees what is due, if no other thread is stepping
            long e = SharedRegion.getLongVolatile(epochOffset);
            if (!Epoch.isClosed(e)) {
                // the waiter pushes the grace period itself, with or without garbage waiting
                detector.forceQuiescentState(Epoch.value(e), stragglers);
            }
            if (done.getAsBoolean()) {
                return true;
            }
            boolean interrupted = Thread.interrupted();
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (interrupted || left <= 0) {
                try {
                    stragglers.beforeGivingUp(); // a misuse is reported before the interrupt or timeout
                } catch (RuntimeException misuse) {
                    if (interrupted) {
                        Thread.currentThread().interrupt(); // not consumed by the misuse report
                    }
                    throw misuse;
                }
                if (interrupted) {
                    throw new InterruptedException("interrupted while waiting on epoch domain '" + name + "'");
                }
                return false;
            }
            if (round < 64) {
                Thread.onSpinWait();
            } else if (round < 128) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(Math.min(left,
                        Math.min(MAX_BACKOFF_NANOS, 1000L << Math.min(10, round - 128))));
            }
        }
        return true;
    }

    // ---- the reclaimer thread --------------------------------------------------------------------

    /** Whether the calling thread is running a reclaiming step (a free or a deferred action). */
    public boolean isReclaimingThread() {
        return stepOwner == Thread.currentThread();
    }

    /**
     * Whether sealed bags wait to be taken or freed (inline reclamation runs a step then); a partial
     * batch left untagged on the membarrier read side does not count: it waits for more sealed bags
     * or a waiting thread (see takeSealed).
     */
    public boolean hasWork() {
        return taggedBags > 0 || !sealed.isEmpty();
    }

    /** Starts the background reclaimer thread if it is not running and was never stopped. */
    public synchronized void start() {
        if (thread != null || stopped) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("nexus-reclaimer-" + name).unstarted(this::loop);
        thread.start();
    }

    /**
     * The domain became unreachable without being closed (its closed bit is set): the background
     * thread (started for this if need be) waits until {@code quiescent} holds, frees everything
     * pending, runs {@code drained} and ends; if {@code quiescent} does not hold within
     * {@code patienceNanos}, it ends without freeing and runs {@code gaveUp}. Neither callback may
     * reach the domain.
     */
    public void abandon(BooleanSupplier quiescent, Runnable drained, Runnable gaveUp, long patienceNanos) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            abandoned = new Abandoned(quiescent, drained, gaveUp, System.nanoTime() + patienceNanos);
        }
        start();
        wake();
    }

    /** An abandoned domain's last orders (see {@link #abandon}). */
    private record Abandoned(BooleanSupplier quiescent, Runnable drained, Runnable gaveUp, long deadline) {
    }

    /** In the reclaimer thread: carries out {@link #abandon}; returns whether the thread must end. */
    private boolean drainAbandoned(Abandoned orders) {
        if (orders.quiescent().getAsBoolean()) {
            reclaimAll();
            orders.drained().run();
        } else if (System.nanoTime() - orders.deadline() >= 0) {
            orders.gaveUp().run();
        } else {
            return false;
        }
        synchronized (this) {
            running = false;
            stopped = true;
        }
        return true;
    }

    /** Whether the background thread was started. */
    public synchronized boolean started() {
        return thread != null;
    }

    /** Stops the background thread and waits for it. */
    public void stop() {
        Thread t;
        synchronized (this) {
            t = thread;
            running = false;
            stopped = true;
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        LockSupport.unpark(t);
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void loop() {
        long backoff = MIN_BACKOFF_NANOS;
        while (running) {
            Abandoned orders = abandoned;
            if (orders != null && drainAbandoned(orders)) {
                return;
            }
            boolean progress;
            try {
                // urgent once the loop backs off: nothing else moves, so batching would only delay
                progress = tryStep(stallSink, backoff >= URGENT_BACKOFF_NANOS)
                        && progressed; // progressed: written by this step
            } catch (RuntimeException failure) {
                // a step that throws (a membarrier the kernel refuses in the offlining handshake,
                // whose slot then stays online) must not end the thread: log, back off, go on
                stepFailed(failure);
                progress = false;
            }
            if (waitingBags == 0 && sealed.isEmpty()) {
                backoff = MIN_BACKOFF_NANOS;
                if (anyUnsealed()) {
                    LockSupport.parkNanos(FLUSH_DELAY_NANOS);
                    flushIdleStripes();
                    continue;
                }
                sleeping = true;
                if (sealed.isEmpty() && !anyUnsealed() && running) {
                    LockSupport.parkNanos(100_000_000L);
                }
                sleeping = false;
            } else {
                // garbage waits for grace periods: back off only while they make no progress
                backoff = progress ? MIN_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, backoff * 2);
                LockSupport.parkNanos(backoff);
                if (backoff == MAX_BACKOFF_NANOS) {
                    flushIdleStripes(); // garbage keeps waiting: let partly filled bags join it
                }
            }
            Thread.interrupted(); // the reclaimer is stopped through 'running', not interrupts
        }
    }

    // ---- accounting ------------------------------------------------------------------------------

    @Override
    public void free(MemorySegment segment, NativeAllocator allocator) {
        if (freeRetired) {
            allocator.freeRetired(segment);
        } else {
            allocator.free(segment);
        }
    }

    @Override
    public void reclaimed(long weight) {
        reclaimedCount.increment();
        reclaimedBytes.add(weight);
    }

    @Override
    public void failed(Object item, Throwable failure) {
        failures.increment();
        try {
            failureHandler.accept(item, failure);
        } catch (RuntimeException | Error handlerFailure) {
            handlerFailure.addSuppressed(failure);
            LOG.log(System.Logger.Level.ERROR, "epoch domain '" + name
                    + "': the reclaim failure handler threw", handlerFailure);
        }
    }

    /**
     * Sets who hears of frees and actions that throw (see {@code ReclaimFailureHandler}); call
     * before the domain is shared. Default: an ERROR through {@link System.Logger}.
     */
    public void failureHandler(BiConsumer<Object, Throwable> handler) {
        this.failureHandler = handler;
    }

    /** Bytes in sealed bags not yet freed (the budget is checked against this). */
    public long sealedBytes() {
        return sealedBytes.get();
    }

    /** Bags sealed and waiting for their grace period, as of the last step. */
    public int waitingBags() {
        return waitingBags;
    }

    /** Whether nothing is sealed, waiting or in a stripe (racy: a snapshot). */
    public boolean isEmpty() {
        return waitingBags == 0 && sealed.isEmpty() && !anyUnsealed();
    }

    /** Items retired or deferred so far. */
    public long retiredCount() {
        return retiredCount.sum();
    }

    /** Bytes retired so far. */
    public long retiredBytes() {
        return retiredBytes.sum();
    }

    /** Items freed or run so far. */
    public long reclaimedCount() {
        return reclaimedCount.sum();
    }

    /** Bytes freed so far. */
    public long reclaimedBytes() {
        return reclaimedBytes.sum();
    }

    /**
     * Retire-to-free lags, one sample per freed bag: the age of its oldest item when the bag was
     * freed (an upper bound on the lag of each of its items).
     */
    public LagRecorder lag() {
        return lag;
    }

    /** Items whose free or action threw. */
    public long failures() {
        return failures.sum();
    }

    /** A stripe: one bag behind a one-word try-lock. */
    private static final class Stripe {

        /** Guarded by {@code locked}. */
        Bag bag = new Bag();

        @SuppressWarnings("unused") // accessed through LOCKED
        private volatile int locked;

        boolean tryLock() {
            // acquire on success (CAS is volatile): sees the previous holder's bag writes
            return (int) LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1);
        }

        void unlock() {
            LOCKED.setRelease(this, 0); // release: publishes this holder's bag writes to the next
        }

        // VarHandle mechanics
        private static final VarHandle LOCKED;

        static {
            try {
                LOCKED = MethodHandles.lookup().findVarHandle(Stripe.class, "locked", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
