package dev.nexus.epoch.internal;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
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
    private final AtomicBoolean stepLock = new AtomicBoolean();
    private final AtomicLong sealedBytes = new AtomicLong();
    /** Whether retire marked segments (NativeAllocator.markRetired): then freed with freeRetired. */
    private final boolean freeRetired;
    private final GracePeriodDetector.StragglerSink stallSink;
    private final Runnable epochObserver;

    private final LongAdder retiredCount = new LongAdder();
    private final LongAdder retiredBytes = new LongAdder();
    private final LongAdder reclaimedCount = new LongAdder();
    private final LongAdder reclaimedBytes = new LongAdder();
    private final LongAdder failures = new LongAdder();

    /** The thread running a step (and so the frees and deferred actions), or null. */
    private volatile Thread stepOwner;
    /** Whether the last step freed something or saw the epoch move; guarded by stepLock. */
    private boolean progressed;
    /** Set once by {@link #stop()}: the thread is never (re)started afterwards. */
    private boolean stopped;

    /** Number of bags in {@code waiting}; written under stepLock, read racily by waiters. */
    private volatile int waitingBags;
    /** Set by the reclaimer thread before it parks with nothing to do; retire wakes it. */
    private volatile boolean sleeping;
    private volatile boolean running;
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
     * Adds an item to a bag. The caller has unlinked it and issued {@code VarHandle.fullFence()}.
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
        // volatile CAS: one step at a time; its release (set(false)) publishes the step's writes
        if (!stepLock.compareAndSet(false, true)) {
            return false;
        }
        stepOwner = Thread.currentThread();
        try {
            stepLocked(stragglers);
        } finally {
            stepOwner = null;
            stepLock.set(false);
        }
        epochObserver.run();
        return true;
    }

    private void stepLocked(GracePeriodDetector.StragglerSink stragglers) {
        for (Bag bag; (bag = sealed.relaxedPoll()) != null; ) {
            waiting.addLast(bag);
        }
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
        waitingBags = waiting.size();
        progressed = waiting.size() < before || e != epochBefore;
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
        flushAll();
        while (!stepLock.compareAndSet(false, true)) {
            Thread.onSpinWait();
        }
        try {
            for (Bag bag; (bag = sealed.relaxedPoll()) != null; ) {
                waiting.addLast(bag);
            }
            freeReclaimable(Long.MAX_VALUE / 2);
            waitingBags = waiting.size();
        } finally {
            stepLock.set(false);
        }
    }

    /**
     * Drives reclamation from the calling thread until {@code done} holds: runs steps when free,
     * otherwise pushes the grace period itself. Uninterruptible; the interrupt status is kept.
     *
     * @throws IllegalStateException from {@code stragglers} (a caller waiting on its own guard)
     */
    public void driveUntil(BooleanSupplier done, GracePeriodDetector.StragglerSink stragglers) {
        boolean interrupted = false;
        try {
            for (int round = 0; !done.getAsBoolean(); round++) {
                tryStep(stragglers); // frees what is due, if no other thread is stepping
                long e = SharedRegion.getLongVolatile(epochOffset);
                if (!Epoch.isClosed(e)) {
                    // the waiter pushes the grace period itself, with or without garbage waiting
                    detector.forceQuiescentState(Epoch.value(e), stragglers);
                }
                if (done.getAsBoolean()) {
                    return;
                }
                if (round < 64) {
                    Thread.onSpinWait();
                } else if (round < 128) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(Math.min(MAX_BACKOFF_NANOS, 1000L << Math.min(10, round - 128)));
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the reclaimer thread --------------------------------------------------------------------

    /** Whether the calling thread is running a reclaiming step (a free or a deferred action). */
    public boolean isReclaimingThread() {
        return stepOwner == Thread.currentThread();
    }

    /** Whether sealed bags wait to be taken or freed (inline reclamation runs a step then). */
    public boolean hasWork() {
        return waitingBags > 0 || !sealed.isEmpty();
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
            boolean progress = tryStep(stallSink) && progressed; // progressed: written by this step
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
        Thread current = Thread.currentThread();
        current.getUncaughtExceptionHandler().uncaughtException(current,
                new IllegalStateException("epoch domain '" + name + "': reclaiming " + item + " failed",
                        failure));
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
