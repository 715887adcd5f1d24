package dev.nexus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * A read-mostly map of off-heap values: a fixed key space whose values are native segments; readers
 * look random keys up and read the whole values, one writer replaces values at a set rate. Each
 * contender keeps readers safe its own way ({@link Contender}); {@code LEAKY}, which never frees, is
 * the upper bound every other contender is compared with.
 *
 * <p>Two groups, each a reader/writer mix that fits the two cores of the reference machine (the writer
 * mostly parks, {@link Pacer}; the epoch domain's reclaimer thread wakes when garbage waits):
 * {@code oneReader} (one reader, one writer: the "≥ 0.9× leaky" target of DESIGN.md section 7) and
 * {@code twoReaders} (two readers, one writer: the "≥ 2× a reference count" target). Per group,
 * {@code valueBytes} (64: where the pin's cost shows; 1024: where reading the value dominates) and
 * {@code readsPerOp} (1: a guard per read; 16: one guard over 16 reads for the contenders that can
 * share one, the epoch domain and the read lock; the others still protect each value on its own).
 *
 * <p>Reported, per group: reader throughput ({@code oneReaderRead}/{@code twoReadersRead}, operations
 * per µs summed over the readers; one operation is {@code readsPerOp} reads), writer throughput
 * ({@code ...Write}, the achieved rate), reads that had to start over ({@code readRetries}, a total),
 * and the peak of bytes replaced and not yet freed during the measurement iterations
 * ({@code peakPendingBytes}, a {@code # nexus-bench:} line in the log and a record in
 * {@code aux.jsonl}), and each reader's CPU time per read in each measurement iteration
 * ({@code cpuNanosPerRead} in {@code aux.jsonl}: wall-clock throughput on a shared machine mostly
 * measures how often the reader was descheduled; CPU time per read does not). Readers of epoch
 * domains pin through their own
 * {@link dev.nexus.epoch.Participant}.
 *
 * <p>Why 10 iterations in one fork: the report quotes a ratio only when both 99.9% errors are under
 * 10% of their scores and the error bars do not overlap. With n iterations JMH's error is
 * {@code t(0.9995, n-1) · s / √n}: 18·s for n = 3 (no run on a shared machine has s under 0.6%),
 * 1.5·s for n = 10, so iteration-to-iteration noise up to about 6% still gives a usable error.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar ReadMostlyMapBenchmark -rf json
 * -rff map.json}; the quick form of {@code scripts/bench --quick --only map}: {@code -p
 * contender=NEXUS_TREE,NEXUS_TREE_CAS,LEAKY,REFCOUNT -wi 2 -w 500ms -i 12 -r 500ms}; one group and shape:
 * {@code ReadMostlyMapBenchmark.oneReader -p valueBytes=64 -p readsPerOp=1}; another writer rate:
 * {@code -p writesPerSecond=100000}; with a profiler: {@code -prof gc} or {@code -prof perfnorm}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ReadMostlyMapBenchmark {

    /** Who keeps readers safe; see {@link ValueTable.Kind} for each. */
    public enum Contender {
        /** Epoch domain, quiescence-tree detector, default read side (membarrier where supported). */
        NEXUS_TREE,
        /** Epoch domain, quiescence-tree detector, CAS read side: the baseline of the membarrier side. */
        NEXUS_TREE_CAS,
        /** Epoch domain, flat-scan detector. */
        NEXUS_FLAT,
        /** Never frees: the upper bound. */
        LEAKY,
        /** A reference count per value. */
        REFCOUNT,
        /** One read-write lock over the table. */
        RWLOCK,
        /** One shared arena per value, closed on replace. */
        ARENA_PER_VALUE
    }

    /** The table, shared by the group's readers and writer. */
    @State(Scope.Group)
    public static class Table {

        @Param
        Contender contender;

        /** Values replaced per second by the writer. */
        @Param("1000")
        int writesPerSecond;

        /** Keys in the table (a power of two). */
        @Param("1024")
        int keys;

        /** Bytes of each value (a multiple of 8). */
        @Param({"64", "1024"})
        int valueBytes;

        /** Reads per benchmark operation: 1, or a batch under one guard where the contender can share one. */
        @Param({"1", "16"})
        int readsPerOp;

        ValueTable table;
        volatile boolean measuring;
        long peakPendingBytes;

        @Setup(Level.Trial)
        public void open() {
            table = ValueTable.create(ValueTable.Kind.valueOf(contender.name()), keys, valueBytes);
        }

        @Setup(Level.Iteration)
        public void iteration(IterationParams iteration) {
            measuring = iteration.getType() == IterationType.MEASUREMENT;
        }

        @TearDown(Level.Trial)
        public void close(BenchmarkParams params) {
            table.close();
            AuxOutput.record(params, "peakPendingBytes", peakPendingBytes, "B");
        }
    }

    /**
     * A reader thread's context (its participant, for epoch domains), its keys, its retry count, and
     * the CPU time it spent per read in each measurement iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Reader {

        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        ValueTable.Reader context;
        int[] batch;
        /** Operations this thread completed; plain, owner-only. */
        long ops;
        private long retriesBefore;
        private int random;
        private BenchmarkParams params;
        private boolean measuring;
        private long opsBefore;
        private long cpuBefore;

        @Setup(Level.Trial)
        public void open(Table table, BenchmarkParams params) {
            context = table.table.participantReader(); // on the reader's own thread
            batch = new int[table.readsPerOp];
            random = (int) (System.nanoTime() | 1);
            this.params = params;
        }

        @Setup(Level.Iteration)
        public void iteration(IterationParams iteration) {
            retriesBefore = context.retries;
            measuring = iteration.getType() == IterationType.MEASUREMENT;
            opsBefore = ops;
            cpuBefore = THREADS.getCurrentThreadCpuTime(); // on the reader's own thread (Scope.Thread)
        }

        /**
         * Records this reader's CPU nanoseconds per read over the iteration ({@code cpuNanosPerRead}
         * in {@code aux.jsonl}, one record per reader and measurement iteration). Unlike the JMH score,
         * which divides by wall time, it does not count the time the reader was descheduled: on a
         * machine shared with other jobs that time is most of the noise.
         */
        @TearDown(Level.Iteration)
        public void iterationDone() {
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuBefore;
            long reads = (ops - opsBefore) * batch.length;
            if (measuring && reads > 0 && cpu > 0) {
                AuxOutput.record(params, "cpuNanosPerRead", (double) cpu / reads, "ns");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            context.close();
        }

        /** Reads that started over during the iteration (a total, not a rate). */
        public long readRetries() {
            return context.retries - retriesBefore;
        }

        int nextKey(int mask) {
            int x = random; // xorshift32
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            random = x;
            return x & mask;
        }
    }

    /** The writer's pace and its stamp counter. */
    @State(Scope.Thread)
    public static class Writer {

        Pacer pacer;
        long stamp;
        int key;

        @Setup(Level.Iteration)
        public void iteration(Table table) {
            if (pacer == null) {
                pacer = new Pacer(table.writesPerSecond);
            }
            pacer.reset();
        }
    }

    /** One reader operation: {@code readsPerOp} random keys, looked up and read whole. */
    static long readOp(Table table, Reader reader) {
        ValueTable values = table.table;
        reader.ops++;
        int[] keys = reader.batch;
        if (keys.length == 1) {
            return values.read(reader.context, reader.nextKey(values.mask));
        }
        for (int i = 0; i < keys.length; i++) {
            keys[i] = reader.nextKey(values.mask);
        }
        return values.readBatch(reader.context, keys);
    }

    /** One paced replacement, and the peak of pending bytes while measuring. */
    static void writeOp(Table table, Writer writer) {
        writer.pacer.awaitTurn();
        ValueTable values = table.table;
        int key = writer.key = (writer.key + 0x9E3779B9) & values.mask; // Weyl sequence: every key in turn
        values.replace(key, ++writer.stamp);
        if (table.measuring) {
            table.peakPendingBytes = Math.max(table.peakPendingBytes, values.pendingBytes());
        }
    }

    /**
     * The reader of group {@code oneReader}.
     *
     * @param table the group's table
     * @param reader the thread's reader state
     * @return the sum of the words read (consumed by JMH)
     */
    @Benchmark
    @Group("oneReader")
    @GroupThreads(1)
    public long oneReaderRead(Table table, Reader reader) {
        return readOp(table, reader);
    }

    /**
     * The writer of group {@code oneReader}.
     *
     * @param table the group's table
     * @param writer the thread's pace
     */
    @Benchmark
    @Group("oneReader")
    @GroupThreads(1)
    public void oneReaderWrite(Table table, Writer writer) {
        writeOp(table, writer);
    }

    /**
     * A reader of group {@code twoReaders}.
     *
     * @param table the group's table
     * @param reader the thread's reader state
     * @return the sum of the words read (consumed by JMH)
     */
    @Benchmark
    @Group("twoReaders")
    @GroupThreads(2)
    public long twoReadersRead(Table table, Reader reader) {
        return readOp(table, reader);
    }

    /**
     * The writer of group {@code twoReaders}.
     *
     * @param table the group's table
     * @param writer the thread's pace
     */
    @Benchmark
    @Group("twoReaders")
    @GroupThreads(1)
    public void twoReadersWrite(Table table, Writer writer) {
        writeOp(table, writer);
    }
}
