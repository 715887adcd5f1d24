package dev.nexus.slab;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.epoch.Participant;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * A plain-Java latency harness: the latency of each single {@code insert}, {@code get} and
 * {@code remove} (per operation, one {@link System#nanoTime()} pair around each call, so every figure
 * includes the timer's own cost, printed as the {@code timer} row), while the store grows from empty
 * (a get of a random live record and, every fourth step, a remove and re-insert, after each insert)
 * and in steady state (rounds of get, remove, insert at a random live key), for three stores of
 * 64-byte records:
 * <ul>
 *   <li>{@code slab}: a growing {@link Slab} on {@link NativeAllocator#malloc()}; get pins a
 *       {@link Participant} guard, looks up and reads 8 bytes; remove defers the slot's reuse;</li>
 *   <li>{@code malloc}: one {@code malloc} per record, a handle table of segments; get pins and reads;
 *       remove retires the record through the same epoch domain;</li>
 *   <li>{@code copying}: one native array of records that doubles by allocating, copying and freeing
 *       when full, with a free-index stack; get reads without a guard, as this store has no safe
 *       story for concurrent readers at all (a reader racing a doubling reads freed memory).</li>
 * </ul>
 * Each store runs twice; the second run, with compiled code, is printed. One thread. This is not a
 * JMH benchmark: it moves to {@code nexus-bench} later. The machine's load average is printed with
 * the table, as other processes skew the tails. Run (N live records, M steady-state rounds):
 * <pre>
 * ./mvnw -q -f nexus-slab/pom.xml test-compile exec:exec -Dexec.executable=java \
 *     -Dexec.classpathScope=test \
 *     -Dexec.args="--enable-native-access=ALL-UNNAMED -cp %classpath dev.nexus.slab.SlabLatencyHarness [N] [M]"
 * </pre>
 * ({@code java} must be a JDK 25; {@code ./mvnw} prints the one it found with {@code -v}.)
 */
public final class SlabLatencyHarness {

    private static final long RECORD = 64;

    private SlabLatencyHarness() {
    }

    /** A store of 64-byte records keyed by {@code long}. Not thread-safe. */
    private interface Store extends AutoCloseable {

        String name();

        long insert(long value);

        long get(long key);

        void remove(long key);

        @Override
        void close();
    }

    /**
     * Runs the harness.
     *
     * @param args optional: live records (default 1,048,576), steady-state rounds (default 2,000,000)
     */
    public static void main(String[] args) {
        int live = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        System.out.printf(Locale.ROOT, "SlabLatencyHarness: %,d live records of %d bytes, %,d steady rounds;"
                + " JDK %s, %d cpus; latency per operation in ns (includes one nanoTime pair)%n",
                live, RECORD, rounds, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("load average at start: " + loadAverage());
        System.out.printf(Locale.ROOT, "%-8s %-7s %-7s %10s %8s %8s %8s %10s%n",
                "store", "phase", "op", "count", "p50", "p99", "p99.9", "max");
        try (EpochDomain domain = EpochDomain.builder().name("harness").build()) {
            Participant participant = domain.register();
            List<String> names = List.of("slab", "malloc", "copying");
            for (String name : names) {
                Result result = null;
                for (int run = 0; run < 2; run++) { // the first run warms up the JIT
                    result = measure(open(name, domain, participant, live), live, rounds, domain);
                }
                result.print(name);
            }
            participant.close();
        }
        System.out.println("load average at end: " + loadAverage());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown (" + e + ")";
        }
    }

    private static Store open(String name, EpochDomain domain, Participant participant, int live) {
        return switch (name) {
            case "slab" -> new SlabStore(domain, participant);
            case "malloc" -> new MallocStore(domain, participant, live);
            case "copying" -> new CopyingStore(live);
            default -> throw new IllegalArgumentException("unknown store: " + name);
        };
    }

    private static Result measure(Store store, int live, int rounds, EpochDomain domain) {
        Result result = new Result();
        long[] keys = new long[live];
        try (store) {
            for (int i = 0; i < 10_000; i++) {
                long t0 = System.nanoTime();
                long t1 = System.nanoTime();
                result.timer.recordValue(t1 - t0);
            }
            SplittableRandom random = new SplittableRandom(42);
            long sum = 0;
            for (int n = 0; n < live; n++) { // growth: from empty to 'live' records, one more per step
                long t0 = System.nanoTime();
                keys[n] = store.insert(n);
                long t1 = System.nanoTime();
                result.growInsert.recordValue(t1 - t0);
                int i = random.nextInt(n + 1);
                t0 = System.nanoTime();
                sum += store.get(keys[i]);
                t1 = System.nanoTime();
                result.growGet.recordValue(t1 - t0);
                if ((n & 3) == 0) { // a quarter of the steps also replace a record
                    t0 = System.nanoTime();
                    store.remove(keys[i]);
                    t1 = System.nanoTime();
                    keys[i] = store.insert(n);
                    long t2 = System.nanoTime();
                    result.growRemove.recordValue(t1 - t0);
                    result.growInsert.recordValue(t2 - t1);
                }
            }
            for (int r = 0; r < rounds; r++) { // steady state: the size stays at 'live'
                int i = random.nextInt(live);
                long t0 = System.nanoTime();
                sum += store.get(keys[i]);
                long t1 = System.nanoTime();
                store.remove(keys[i]);
                long t2 = System.nanoTime();
                keys[i] = store.insert(r);
                long t3 = System.nanoTime();
                result.get.recordValue(t1 - t0);
                result.remove.recordValue(t2 - t1);
                result.steadyInsert.recordValue(t3 - t2);
            }
            if (sum == 42) {
                System.out.print(""); // keeps the reads alive
            }
        }
        domain.barrier();
        return result;
    }

    /** The histograms of one run. */
    private static final class Result {
        final Histogram timer = histogram();
        final Histogram growInsert = histogram();
        final Histogram growGet = histogram();
        final Histogram growRemove = histogram();
        final Histogram steadyInsert = histogram();
        final Histogram get = histogram();
        final Histogram remove = histogram();

        private static Histogram histogram() {
            return new Histogram(60_000_000_000L, 3);
        }

        void print(String store) {
            row(store, "-", "timer", timer);
            row(store, "growth", "insert", growInsert);
            row(store, "growth", "get", growGet);
            row(store, "growth", "remove", growRemove);
            row(store, "steady", "insert", steadyInsert);
            row(store, "steady", "get", get);
            row(store, "steady", "remove", remove);
        }

        private static void row(String store, String phase, String op, Histogram h) {
            System.out.printf(Locale.ROOT, "%-8s %-7s %-7s %,10d %8d %8d %8d %,10d%n", store, phase, op,
                    h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue());
        }
    }

    /** The slab: grows slab by slab, never copies. */
    private static final class SlabStore implements Store {
        private final Participant participant;
        private final Slab slab;

        SlabStore(EpochDomain domain, Participant participant) {
            this.participant = participant;
            this.slab = Slab.builder(domain).slotSize(RECORD).build();
        }

        @Override
        public String name() {
            return "slab";
        }

        @Override
        public long insert(long value) {
            return slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, value));
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
    private static final class MallocStore implements Store {
        private final EpochDomain domain;
        private final Participant participant;
        private final NativeAllocator malloc = NativeAllocator.malloc();
        private final MemorySegment[] table;
        private final int[] free;
        private int freeTop;
        private int next;

        MallocStore(EpochDomain domain, Participant participant, int live) {
            this.domain = domain;
            this.participant = participant;
            this.table = new MemorySegment[live + 1];
            this.free = new int[live + 1];
        }

        @Override
        public String name() {
            return "malloc";
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

    /** A native array of records that doubles by copying. */
    private static final class CopyingStore implements Store {
        private final NativeAllocator malloc = NativeAllocator.malloc();
        private MemorySegment data;
        private long capacity = 1024;
        private final int[] free;
        private int freeTop;
        private long next;

        CopyingStore(int live) {
            this.data = malloc.allocate(capacity * RECORD, 64);
            this.free = new int[live + 1];
        }

        @Override
        public String name() {
            return "copying";
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
