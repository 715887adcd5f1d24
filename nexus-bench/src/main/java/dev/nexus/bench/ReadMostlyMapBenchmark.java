package dev.nexus.bench;

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
 * look a random key up and read the whole value, one writer replaces values at a set rate. Each
 * contender keeps readers safe its own way ({@link Contender}); {@code LEAKY}, which never frees, is
 * the upper bound every other contender is compared with.
 *
 * <p>Reported: reader throughput ({@code read}, ops/µs summed over the readers), writer throughput
 * ({@code write}, ops/µs: the achieved rate, lower than asked when the writer cannot keep up), reads
 * that had to start over ({@code readRetries}, a total), and the peak of bytes replaced and not yet
 * freed during the measurement iterations ({@code peakPendingBytes}, a {@code # nexus-bench:} line in
 * the log and a record in {@code aux.jsonl}). Readers of epoch domains pin through their own
 * {@link dev.nexus.epoch.Participant}.
 *
 * <p>Two readers and the writer share the two cores of the reference machine: the writer mostly
 * parks ({@link Pacer}), the epoch domain's reclaimer thread wakes when garbage waits.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar ReadMostlyMapBenchmark
 * -rf json -rff map.json}; one contender and rate: {@code -p contender=NEXUS_TREE
 * -p writesPerSecond=100000}; with a profiler: {@code -prof gc} or {@code -prof perfnorm}; reader and
 * writer counts: {@code -tg 2,1} (readers, writer).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ReadMostlyMapBenchmark {

    /** Who keeps readers safe; see {@link ValueTable.Kind} for each. */
    public enum Contender {
        /** Epoch domain, quiescence-tree detector. */
        NEXUS_TREE,
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
        @Param({"1000", "100000"})
        int writesPerSecond;

        /** Keys in the table (a power of two). */
        @Param("1024")
        int keys;

        /** Bytes of each value (a multiple of 8). */
        @Param("64")
        int valueBytes;

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

    /** A reader thread's context (its participant, for epoch domains) and its retry count. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Reader {

        ValueTable.Reader context;
        private long retriesBefore;
        private int random;

        @Setup(Level.Trial)
        public void open(Table table) {
            context = table.table.participantReader(); // on the reader's own thread
            random = (int) (System.nanoTime() | 1);
        }

        @Setup(Level.Iteration)
        public void iteration() {
            retriesBefore = context.retries;
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

    @Benchmark
    @Group("map")
    @GroupThreads(2)
    public long read(Table table, Reader reader) {
        ValueTable values = table.table;
        return values.read(reader.context, reader.nextKey(values.mask));
    }

    @Benchmark
    @Group("map")
    @GroupThreads(1)
    public void write(Table table, Writer writer) {
        writer.pacer.awaitTurn();
        ValueTable values = table.table;
        int key = writer.key = (writer.key + 0x9E3779B9) & values.mask; // Weyl sequence: every key in turn
        values.replace(key, ++writer.stamp);
        if (table.measuring) {
            table.peakPendingBytes = Math.max(table.peakPendingBytes, values.pendingBytes());
        }
    }
}
