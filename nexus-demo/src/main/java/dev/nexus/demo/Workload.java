package dev.nexus.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The demo's workload: writer threads replace the values of uniformly random keys at a fixed total
 * rate (or as fast as they can), platform and virtual reader threads look up uniformly random keys
 * and read and check the whole value, timing every read. The calling thread samples the cache once
 * every 100 ms and reports progress once a second.
 *
 * <p>A fixed write rate makes the strategies comparable: each gets the same garbage to reclaim, and
 * the readers' throughput and latency show what reclamation costs them. A strategy that cannot
 * sustain the rate shows it in its writes/s; its writers then run flat out.
 *
 * <p>Virtual readers yield after every {@value #BATCH} reads, as a request handler would between
 * requests; without it a CPU-bound virtual thread keeps its carrier and the others never run.
 *
 * @param keys the key space of the cache
 * @param valueSize bytes per value
 * @param writers writer threads (platform)
 * @param writeRate values replaced per second by all writers together; 0 for as fast as they can
 * @param platformReaders platform reader threads
 * @param virtualReaders virtual reader threads
 */
record Workload(int keys, int valueSize, int writers, int writeRate, int platformReaders,
        int virtualReaders) {

    /** Reads between two updates of the shared read counter (and two yields of a virtual reader). */
    static final int BATCH = 64;

    /** Writes between two checks of a writer's schedule (and sleeps when ahead of it). */
    static final int WRITE_PACE = 16;

    /** How long stopped threads get to finish their last batch before the run is declared stuck. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Validates the shape; the command line validates first, with option names in its messages. */
    Workload {
        if (keys <= 0 || valueSize <= 0 || writers <= 0 || writeRate < 0 || platformReaders < 0
                || virtualReaders < 0 || platformReaders + virtualReaders == 0) {
            throw new IllegalArgumentException("a workload needs keys, a value size, writers and readers: "
                    + "keys=" + keys + ", valueSize=" + valueSize + ", writers=" + writers + ", writeRate="
                    + writeRate + ", platformReaders=" + platformReaders + ", virtualReaders=" + virtualReaders);
        }
    }

    /**
     * Runs the workload against {@code cache} for {@code duration}, then stops and joins every
     * thread. The cache is left open: the caller closes it.
     *
     * @throws IllegalStateException if a thread does not stop within {@link #STOP_TIMEOUT} (a hang);
     *     the cache must then not be closed
     * @throws InterruptedException if the calling thread is interrupted; the threads are stopped
     */
    RunResult run(Strategy strategy, OffHeapCache cache, Duration duration, ProgressPrinter progress)
            throws InterruptedException {
        Run run = new Run(cache);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                int writer = i;
                threads.add(Thread.ofPlatform().name("demo-writer-" + i).start(() -> run.write(writer)));
            }
            for (int i = 0; i < platformReaders; i++) {
                long seed = 2L * i;
                threads.add(Thread.ofPlatform().name("demo-platform-reader-" + i)
                        .start(() -> run.read(seed, false)));
            }
            for (int i = 0; i < virtualReaders; i++) {
                long seed = 2L * i + 1;
                threads.add(Thread.ofVirtual().name("demo-virtual-reader-" + i)
                        .start(() -> run.read(seed, true)));
            }
            long start = System.nanoTime();
            run.go.countDown();
            monitor(strategy, run, start, duration.toNanos(), progress);
            run.running = false;
            double elapsed = (System.nanoTime() - start) / 1e9;
            progress.finish();
            joinAll(threads);
            Histogram latency = run.latency; // merged by the readers before they ended: join orders it
            return new RunResult(strategy, elapsed, run.reads.sum(), run.writes.sum(), run.retries.sum(),
                    run.errors.sum(), run.peakPendingBytes, latency.getMean(),
                    latency.getValueAtPercentile(99), new ArrayList<>(run.failures));
        } finally {
            run.running = false;
            run.go.countDown();
        }
    }

    /** Samples the pending bytes every 100 ms and reports once a second, until the deadline. */
    private static void monitor(Strategy strategy, Run run, long start, long durationNanos,
            ProgressPrinter progress) throws InterruptedException {
        long deadline = start + durationNanos;
        long lastReport = start;
        long lastReads = 0;
        long lastWrites = 0;
        long seconds = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return;
            }
            long nextReport = lastReport + REPORT_NANOS;
            TimeUnit.NANOSECONDS.sleep(Math.min(SAMPLE_NANOS, Math.min(deadline - now, nextReport - now)));
            long pending = run.cache.pendingBytes();
            run.peakPendingBytes = Math.max(run.peakPendingBytes, pending);
            now = System.nanoTime();
            if (now - nextReport >= 0) {
                long reads = run.reads.sum();
                long writes = run.writes.sum();
                double interval = (now - lastReport) / 1e9;
                seconds++;
                progress.report(strategy.label(), seconds, (reads - lastReads) / interval,
                        (writes - lastWrites) / interval, pending, run.cache.epoch());
                lastReport = now;
                lastReads = reads;
                lastWrites = writes;
            }
        }
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement frame : thread.getStackTrace()) {
                    stack.append("\n\tat ").append(frame);
                }
                throw new IllegalStateException("thread '" + thread.getName() + "' did not stop within "
                        + STOP_TIMEOUT.toSeconds() + " s of the stop signal; it is at:" + stack);
            }
        }
    }

    /** The shared state of one run. */
    private final class Run {
        final OffHeapCache cache;
        final CountDownLatch go = new CountDownLatch(1);
        final LongAdder reads = new LongAdder();
        final LongAdder writes = new LongAdder();
        final LongAdder retries = new LongAdder();
        final LongAdder errors = new LongAdder();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        /** Merged latencies of finished readers; guarded by {@code this}. */
        final Histogram latency = new Histogram(2);
        /** Written and read by the monitoring thread only. */
        long peakPendingBytes;
        /** The stop signal: read once per batch by every thread. */
        volatile boolean running = true;

        Run(OffHeapCache cache) {
            this.cache = cache;
        }

        void write(int writer) {
            try {
                go.await();
                SplittableRandom random = new SplittableRandom(-1L - writer);
                long version = (long) writer << 48;
                // each writer takes its share of the rate, checking its schedule every WRITE_PACE writes
                double nanosPerWrite = writeRate == 0 ? 0 : 1e9 * writers / writeRate;
                long start = System.nanoTime();
                long done = 0;
                while (running) {
                    cache.replace(random.nextInt(keys), ++version);
                    writes.increment(); // per write: a slow strategy (arena) manages only hundreds a second
                    if (++done % WRITE_PACE == 0) {
                        // behind schedule (the strategy cannot keep up): no wait, the writer runs flat out
                        long due = start + (long) (done * nanosPerWrite);
                        for (long wait; running && (wait = due - System.nanoTime()) > 0; ) {
                            LockSupport.parkNanos(Math.min(wait, SAMPLE_NANOS));
                        }
                    }
                }
            } catch (Throwable t) {
                fail(t);
            }
        }

        void read(long seed, boolean yieldBetweenBatches) {
            try (OffHeapCache.Reader reader = cache.reader()) {
                go.await();
                SplittableRandom random = new SplittableRandom(seed);
                Histogram local = new Histogram(2);
                try {
                    while (running) {
                        long bad = 0;
                        for (int i = 0; i < BATCH; i++) {
                            int key = random.nextInt(keys);
                            long t0 = System.nanoTime();
                            boolean intact = reader.read(key);
                            local.recordValue(System.nanoTime() - t0);
                            bad += intact ? 0 : 1;
                        }
                        reads.add(BATCH);
                        if (bad != 0) {
                            errors.add(bad);
                        }
                        if (yieldBetweenBatches) {
                            Thread.yield();
                        }
                    }
                } finally {
                    retries.add(reader.retries());
                    synchronized (this) {
                        latency.add(local);
                    }
                }
            } catch (Throwable t) {
                fail(t);
            }
        }

        void fail(Throwable t) {
            failures.add(t);
            errors.increment();
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
