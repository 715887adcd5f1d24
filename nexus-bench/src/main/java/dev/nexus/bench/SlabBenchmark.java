package dev.nexus.bench;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.epoch.Participant;
import dev.nexus.slab.Slab;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
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
 * The latency of each single {@code insert}, {@code get} and {@code remove} on a store of 64-byte
 * off-heap records (per operation: one {@link System#nanoTime()} pair around each call, recorded in
 * an HdrHistogram, so every figure includes the timer's own cost, recorded as {@code timer.p50}), in
 * two phases, one JMH invocation each ({@link Mode#SingleShotTime}; the JMH score is the time of the
 * whole phase, the percentiles are the point):
 * <ul>
 *   <li>{@code growth}: from an empty store to {@code records} live records, one insert per step,
 *       then a get of a random live record, and every fourth step a remove and re-insert of it;
 *   <li>{@code steady}: the store is filled to {@code records} outside the timing, then
 *       {@code records} rounds of get, remove, insert at a random live key: the size stays put.
 * </ul>
 * Contenders ({@code contender}):
 * <ul>
 *   <li>{@code SLAB}: a growing {@link Slab} on {@link NativeAllocator#malloc()}: grows by whole slabs
 *       and never copies; get pins a {@link Participant} guard, looks up and reads 8 bytes; remove
 *       defers the slot's reuse to a grace period of the domain;
 *   <li>{@code MALLOC}: one {@code malloc} per record and a table of segments indexed by key; get pins
 *       and reads; remove retires the record through the same domain (as safe for readers as the
 *       slab);
 *   <li>{@code COPYING_ARRAY}: one native array of records that doubles, when full, by allocating a
 *       segment twice as large, copying and freeing the old one, with a free-index stack; get reads
 *       without a guard, as this store has no safe story for concurrent readers (a reader racing a
 *       doubling reads freed memory). Its doubling is the multi-millisecond insert that the slab
 *       avoids.
 * </ul>
 * At the end of each trial the percentiles p50/p99/p99.9/max (µs) and the count of each operation
 * over the measurement invocations are printed as {@code # nexus-bench:} lines and appended to
 * {@code aux.jsonl} (metrics {@code insert.p999}, {@code get.max}, ...). One thread, a fresh store per
 * invocation; the JIT compiles during the warmup invocations and, before them, during one untimed pass
 * of both phases on a quarter of the records (so that even a run without warmup, as
 * {@code scripts/bench --smoke}, times compiled code).
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar SlabBenchmark -rf json -rff slab.json}
 * (results directory for the percentiles: environment variable {@code NEXUS_BENCH_OUT}); smaller:
 * {@code -p records=262144}; one contender: {@code -p contender=COPYING_ARRAY}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class SlabBenchmark {

    /** Bytes of each record. */
    static final long RECORD = 64;

    /** The store under test. */
    public enum Contender {
        /** A growing {@link Slab}: new slabs, never a copy. */
        SLAB,
        /** One {@code malloc} per record, a table of segments, removal through {@code retire}. */
        MALLOC,
        /** A native array of records doubled by copying. */
        COPYING_ARRAY
    }

    /** A store of 64-byte records keyed by {@code long}. Not thread-safe. */
    interface Store extends AutoCloseable {

        long insert(long value);

        long get(long key);

        void remove(long key);

        @Override
        void close();
    }

    /** The store, the domain, the keys and the histograms of one trial. */
    @State(Scope.Thread)
    public static class Run {

        @Param
        Contender contender;

        /** Live records at the end of growth and during steady state. */
        @Param({"1048576"})
        int records;

        final Histogram insert = histogram();
        final Histogram get = histogram();
        final Histogram remove = histogram();
        final Histogram measuredInsert = histogram();
        final Histogram measuredGet = histogram();
        final Histogram measuredRemove = histogram();
        final Histogram timer = histogram();

        EpochDomain domain;
        Participant participant;
        Store store;
        long[] keys;
        long sink;

        private static Histogram histogram() {
            return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        }

        @Setup(Level.Trial)
        public void open() {
            domain = EpochDomain.builder().name("slab-bench").build();
            participant = domain.register();
            keys = new long[records];
            for (int i = 0; i < 10_000; i++) {
                long t0 = System.nanoTime();
                long t1 = System.nanoTime();
                timer.recordValue(t1 - t0);
            }
            // One untimed pass of both phases on a throwaway store of a quarter of the records, so
            // that the store's code is compiled before the first timed invocation even without
            // warmup iterations (smoke mode); the figures of this pass are discarded.
            long[] scratch = new long[Math.max(1, records / 4)];
            try (Store warm = newStore(scratch.length)) {
                sink += growthPhase(warm, scratch, insert, get, remove);
                sink += steadyPhase(warm, scratch, insert, get, remove);
            }
            domain.barrier();
        }

        private Store newStore(int capacity) {
            return switch (contender) {
                case SLAB -> new SlabStore(domain, participant);
                case MALLOC -> new MallocStore(domain, participant, capacity);
                case COPYING_ARRAY -> new CopyingStore(capacity);
            };
        }

        /** A fresh store; full (untimed) for the steady phase, empty for growth. */
        @Setup(Level.Invocation)
        public void fresh(BenchmarkParams params) {
            store = newStore(records);
            if (params.getBenchmark().endsWith(".steady")) {
                for (int n = 0; n < records; n++) {
                    keys[n] = store.insert(n);
                }
            }
            insert.reset();
            get.reset();
            remove.reset();
        }

        @TearDown(Level.Invocation)
        public void discard(IterationParams iteration) {
            store.close();
            store = null;
            domain.barrier(); // frees what the invocation retired before the next one starts
            if (iteration.getType() == IterationType.MEASUREMENT) {
                measuredInsert.add(insert);
                measuredGet.add(get);
                measuredRemove.add(remove);
            }
        }

        @TearDown(Level.Trial)
        public void close(BenchmarkParams params) {
            participant.close();
            domain.close();
            record(params, "insert", measuredInsert);
            record(params, "get", measuredGet);
            record(params, "remove", measuredRemove);
            AuxOutput.record(params, "timer.p50", timer.getValueAtPercentile(50) / 1000.0, "us");
            if (sink == 42) {
                System.out.print(""); // keeps the reads alive
            }
        }

        private static void record(BenchmarkParams params, String op, Histogram h) {
            double us = 1000.0;
            AuxOutput.record(params, op + ".p50", h.getValueAtPercentile(50) / us, "us");
            AuxOutput.record(params, op + ".p99", h.getValueAtPercentile(99) / us, "us");
            AuxOutput.record(params, op + ".p999", h.getValueAtPercentile(99.9) / us, "us");
            AuxOutput.record(params, op + ".max", h.getMaxValue() / us, "us");
            AuxOutput.record(params, op + ".count", h.getTotalCount(), "ops");
        }
    }

    /** From empty to {@code records} live records: insert, get, and every fourth step a replace. */
    @Benchmark
    public long growth(Run run) {
        long sum = growthPhase(run.store, run.keys, run.insert, run.get, run.remove);
        run.sink += sum;
        return sum;
    }

    /** {@code records} rounds of get, remove, insert at a random live key; the size stays put. */
    @Benchmark
    public long steady(Run run) {
        long sum = steadyPhase(run.store, run.keys, run.insert, run.get, run.remove);
        run.sink += sum;
        return sum;
    }

    static long growthPhase(Store store, long[] keys, Histogram insert, Histogram get, Histogram remove) {
        SplittableRandom random = new SplittableRandom(42);
        long sum = 0;
        for (int n = 0; n < keys.length; n++) {
            long t0 = System.nanoTime();
            keys[n] = store.insert(n);
            long t1 = System.nanoTime();
            insert.recordValue(t1 - t0);
            int i = random.nextInt(n + 1);
            t0 = System.nanoTime();
            sum += store.get(keys[i]);
            t1 = System.nanoTime();
            get.recordValue(t1 - t0);
            if ((n & 3) == 0) {
                t0 = System.nanoTime();
                store.remove(keys[i]);
                t1 = System.nanoTime();
                keys[i] = store.insert(n);
                long t2 = System.nanoTime();
                remove.recordValue(t1 - t0);
                insert.recordValue(t2 - t1);
            }
        }
        return sum;
    }

    static long steadyPhase(Store store, long[] keys, Histogram insert, Histogram get, Histogram remove) {
        SplittableRandom random = new SplittableRandom(43);
        long sum = 0;
        for (int r = 0; r < keys.length; r++) {
            int i = random.nextInt(keys.length);
            long t0 = System.nanoTime();
            sum += store.get(keys[i]);
            long t1 = System.nanoTime();
            store.remove(keys[i]);
            long t2 = System.nanoTime();
            keys[i] = store.insert(r);
            long t3 = System.nanoTime();
            get.recordValue(t1 - t0);
            remove.recordValue(t2 - t1);
            insert.recordValue(t3 - t2);
        }
        return sum;
    }

    /** The slab: grows slab by slab, never copies. */
    static final class SlabStore implements Store {
        private final Participant participant;
        private final Slab slab;
        private long value;
        private final Consumer<MemorySegment> init = slot -> slot.set(ValueLayout.JAVA_LONG, 0, value);

        SlabStore(EpochDomain domain, Participant participant) {
            this.participant = participant;
            this.slab = Slab.builder(domain).name("bench").slotSize(RECORD).build();
        }

        @Override
        public long insert(long value) {
            this.value = value;
            long key = slab.insert(init);
            if (key == Slab.FULL) {
                throw new IllegalStateException("slab full");
            }
            return key;
        }

        @Override
        public long get(long key) {
            try (Guard _ = participant.pin()) {
                return slab.get(key).get(ValueLayout.JAVA_LONG, 0);
            }
        }

        @Override
        public void remove(long key) {
            slab.remove(key);
        }

        @Override
        public void close() {
            slab.close();
        }
    }

    /** One malloc per record; removal retires the record through the domain. */
    static final class MallocStore implements Store {
        private final EpochDomain domain;
        private final Participant participant;
        private final NativeAllocator malloc = NativeAllocator.malloc();
        private final MemorySegment[] table;
        private final int[] free;
        private int freeTop;
        private int next;

        MallocStore(EpochDomain domain, Participant participant, int records) {
            this.domain = domain;
            this.participant = participant;
            this.table = new MemorySegment[records + 1];
            this.free = new int[records + 1];
        }

        @Override
        public long insert(long value) {
            MemorySegment record = malloc.allocate(RECORD);
            record.set(ValueLayout.JAVA_LONG, 0, value);
            int index = freeTop > 0 ? free[--freeTop] : next++;
            table[index] = record;
            return index;
        }

        @Override
        public long get(long key) {
            try (Guard _ = participant.pin()) {
                return table[(int) key].get(ValueLayout.JAVA_LONG, 0);
            }
        }

        @Override
        public void remove(long key) {
            MemorySegment record = table[(int) key];
            table[(int) key] = null;
            free[freeTop++] = (int) key;
            domain.retire(record, malloc);
        }

        @Override
        public void close() {
            for (MemorySegment record : table) {
                if (record != null) {
                    malloc.free(record);
                }
            }
        }
    }

    /** A native array of records that doubles by copying into a new malloc'd segment. */
    static final class CopyingStore implements Store {
        private final NativeAllocator malloc = NativeAllocator.malloc();
        private MemorySegment data;
        private long capacity = 1024;
        private final int[] free;
        private int freeTop;
        private long next;

        CopyingStore(int records) {
            this.data = malloc.allocate(capacity * RECORD, 64);
            this.free = new int[records + 1];
        }

        @Override
        public long insert(long value) {
            long index;
            if (freeTop > 0) {
                index = free[--freeTop];
            } else {
                if (next == capacity) {
                    MemorySegment bigger = malloc.allocate(2 * capacity * RECORD, 64);
                    MemorySegment.copy(data, 0, bigger, 0, capacity * RECORD);
                    malloc.free(data);
                    data = bigger;
                    capacity *= 2;
                }
                index = next++;
            }
            data.set(ValueLayout.JAVA_LONG, index * RECORD, value);
            return index;
        }

        @Override
        public long get(long key) {
            return data.get(ValueLayout.JAVA_LONG, key * RECORD);
        }

        @Override
        public void remove(long key) {
            free[freeTop++] = (int) key;
        }

        @Override
        public void close() {
            malloc.free(data);
        }
    }
}
