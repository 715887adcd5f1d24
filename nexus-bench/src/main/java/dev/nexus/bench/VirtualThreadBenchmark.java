package dev.nexus.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Virtual-thread readers: one operation is a wave of {@code virtualThreads} new virtual threads, each
 * of which pins (through the pool: {@code domain.pin()}) around a lookup and a 64-byte read
 * {@value #READS_PER_THREAD} times; every {@value #BLOCKER_EVERY}th thread blocks for
 * {@value #BLOCK_MICROS} µs (a sleep, standing for I/O) in the middle of its first read, either keeping
 * its guard pinned ({@code blocking=HOLD}) or suspending it ({@code SUSPEND}:
 * {@code guard.suspend()}, sleep, {@code guard.resume()}, look the key up again). Meanwhile a platform
 * writer thread replaces {@value #WRITES_PER_SECOND} values a second and retires the old ones.
 *
 * <p>Reported: waves per second (the score), pinned reads per second ({@code reads}, an
 * {@code @AuxCounters} rate) and the peak of bytes retired and not yet freed during the measurement
 * iterations ({@code peakPendingBytes}, in the log and {@code aux.jsonl}): the pending-garbage bound.
 * A guard held across a block holds back every grace period meanwhile; a suspended one does not.
 * {@code REFCOUNT} is the baseline: a reference per value, kept or released the same way.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar VirtualThreadBenchmark
 * -rf json -rff virtual.json}; one variant: {@code -p contender=NEXUS_TREE -p blocking=SUSPEND}; with a
 * profiler: {@code -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class VirtualThreadBenchmark {

    static final int KEYS = 1024;
    static final int VALUE_BYTES = 64;
    static final int READS_PER_THREAD = 16;
    static final int BLOCKER_EVERY = 10;
    static final long BLOCK_MICROS = 100;
    static final long WRITES_PER_SECOND = 20_000;

    /** Who keeps readers safe. */
    public enum Contender {
        /** Epoch domain, quiescence-tree detector, pooled guards. */
        NEXUS_TREE,
        /** Epoch domain, flat-scan detector, pooled guards. */
        NEXUS_FLAT,
        /** A reference count per value. */
        REFCOUNT
    }

    /** What a blocking reader does with its protection while it blocks. */
    public enum Blocking {
        /** Keeps it: the guard stays pinned, the reference stays counted. */
        HOLD,
        /** Gives it up: {@code suspend()}/{@code resume()}, or release and re-acquire. */
        SUSPEND
    }

    /** The table, its writer thread and the peak of pending bytes. */
    @State(Scope.Benchmark)
    public static class World {

        @Param
        Contender contender;

        @Param
        Blocking blocking;

        @Param({"10000"})
        int virtualThreads;

        ValueTable table;
        private Thread writer;
        private volatile boolean running = true;
        private volatile boolean measuring;
        private volatile long peakPendingBytes;
        final LongAdder checksum = new LongAdder();

        @Setup(Level.Trial)
        public void open() {
            table = ValueTable.create(ValueTable.Kind.valueOf(contender.name()), KEYS, VALUE_BYTES);
            writer = Thread.ofPlatform().daemon().name("writer").start(this::writeLoop);
        }

        private void writeLoop() {
            Pacer pacer = new Pacer(WRITES_PER_SECOND);
            long stamp = 0;
            long peak = 0;
            while (running) {
                pacer.awaitTurn();
                table.replace(ThreadLocalRandom.current().nextInt(KEYS), ++stamp);
                if (measuring) {
                    peak = Math.max(peak, table.pendingBytes());
                    peakPendingBytes = peak;
                }
            }
        }

        @Setup(Level.Iteration)
        public void iteration(IterationParams iteration) {
            measuring = iteration.getType() == IterationType.MEASUREMENT;
        }

        @TearDown(Level.Trial)
        public void close(BenchmarkParams params) {
            running = false;
            IdleThreads.joinUninterruptibly(writer);
            table.close();
            AuxOutput.record(params, "peakPendingBytes", peakPendingBytes, "B");
        }
    }

    /** Pinned reads completed, as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Reads {

        public long reads;

        @Setup(Level.Iteration)
        public void reset() {
            reads = 0;
        }
    }

    @Benchmark
    public long wave(World world, Reads reads) {
        int count = world.virtualThreads;
        CountDownLatch done = new CountDownLatch(count);
        ValueTable table = world.table;
        boolean suspend = world.blocking == Blocking.SUSPEND;
        for (int i = 0; i < count; i++) {
            boolean blocker = i % BLOCKER_EVERY == 0;
            Thread.ofVirtual().start(() -> {
                ValueTable.Reader reader = table.pooledReader();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long sum = blocker
                        ? table.readBlocking(reader, random.nextInt(KEYS), suspend, VirtualThreadBenchmark::block)
                        : table.read(reader, random.nextInt(KEYS));
                for (int r = 1; r < READS_PER_THREAD; r++) {
                    sum += table.read(reader, random.nextInt(KEYS));
                }
                world.checksum.add(sum);
                done.countDown();
            });
        }
        IdleThreads.awaitUninterruptibly(done);
        reads.reads += (long) count * READS_PER_THREAD;
        return world.checksum.sum();
    }

    private static void block() {
        try {
            Thread.sleep(Duration.ofNanos(BLOCK_MICROS * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reader interrupted while blocked", e);
        }
    }
}
