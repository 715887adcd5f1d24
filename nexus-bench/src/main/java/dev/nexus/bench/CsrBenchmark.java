package dev.nexus.bench;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.CsrGraph;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.PrimitiveIterator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/**
 * Neighbour scans over a graph of {@code vertices} vertices and {@code degree * vertices} random edges
 * (INT64 ids, sorted by source): one operation visits every vertex, in id order ({@code SEQUENTIAL})
 * or in a fixed random order ({@code RANDOM}), and sums the ids of its neighbours. Contenders:
 * <ul>
 *   <li>{@code CSR_VIEW}: {@link CsrGraph} over the edge batch (no copy: the neighbours are the
 *       destination column in place), read through {@link CsrGraph#offsets()} and
 *       {@link CsrGraph#neighbours()} segments;
 *   <li>{@code CSR_ITERATOR}: the same graph through {@link CsrGraph#neighbours(int)} (a primitive
 *       iterator per vertex, bounds-checked reads);
 *   <li>{@code HEAP_ADJACENCY}: the baseline, an on-heap {@code long[][]} adjacency list (one array
 *       per vertex) built from the same edges.
 * </ul>
 * Run: {@code java -jar nexus-bench/target/benchmarks.jar CsrBenchmark -rf json -rff csr.json};
 * smaller: {@code -p vertices=65536}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
@State(Scope.Benchmark)
public class CsrBenchmark {

    /** How the neighbours are read. */
    public enum Contender {
        /** Offsets and neighbours as segments. */
        CSR_VIEW,
        /** The CSR graph's primitive iterator. */
        CSR_ITERATOR,
        /** An on-heap {@code long[][]}. */
        HEAP_ADJACENCY
    }

    /** Order in which vertices are visited. */
    public enum Order {
        /** 0, 1, 2, ... */
        SEQUENTIAL,
        /** A fixed random permutation. */
        RANDOM
    }

    /** Number of vertices. */
    @Param({"262144"})
    public int vertices;

    /** Average out-degree. */
    @Param({"16"})
    public int degree;

    /** The contender. */
    @Param
    public Contender contender;

    /** The visiting order. */
    @Param
    public Order order;

    private EpochDomain domain;
    private ColumnBatch edges;
    private CsrGraph graph;
    private long[][] adjacency;
    private int[] visit;

    /** Builds the edge batch, the CSR view and the heap adjacency. */
    @Setup(Level.Trial)
    public void setUp() {
        domain = EpochDomain.builder().name("csr-bench").build();
        SplittableRandom random = new SplittableRandom(1);
        int m = vertices * degree;
        long[] src = new long[m];
        long[] dst = new long[m];
        for (int e = 0; e < m; e++) {
            src[e] = random.nextInt(vertices);
            dst[e] = random.nextInt(vertices);
        }
        Arrays.sort(src);
        src[m - 1] = vertices - 1;
        Schema schema = Schema.of(Field.of("src", ColumnType.INT64, false), Field.of("dst", ColumnType.INT64, false));
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, NativeAllocator.malloc(), schema, m)) {
            edges = b.setInt64(0, src).setInt64(1, dst).build();
        }
        graph = CsrGraph.fromEdges(edges, 0, 1);
        if (!graph.isZeroCopy()) {
            throw new IllegalStateException("the edges are sorted: the CSR view must not copy them");
        }
        int[] counts = new int[vertices];
        for (long s : src) {
            counts[(int) s]++;
        }
        adjacency = new long[vertices][];
        for (int v = 0; v < vertices; v++) {
            adjacency[v] = new long[counts[v]];
        }
        int[] fill = new int[vertices];
        for (int e = 0; e < m; e++) {
            int s = (int) src[e];
            adjacency[s][fill[s]++] = dst[e];
        }
        visit = new int[vertices];
        for (int v = 0; v < vertices; v++) {
            visit[v] = v;
        }
        if (order == Order.RANDOM) {
            for (int i = vertices - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = visit[i];
                visit[i] = visit[j];
                visit[j] = t;
            }
        }
    }

    /** Closes the graph, the batch and the domain. */
    @TearDown(Level.Trial)
    public void tearDown() {
        graph.close();
        edges.close();
        domain.close();
    }

    /**
     * Visits every vertex and sums its neighbours' ids.
     *
     * @return the sum (consumed by JMH)
     */
    @Benchmark
    public long scanNeighbours() {
        return switch (contender) {
            case CSR_VIEW -> scanView();
            case CSR_ITERATOR -> scanIterator();
            case HEAP_ADJACENCY -> scanHeap();
        };
    }

    private long scanView() {
        MemorySegment offsets = graph.offsets();
        MemorySegment neighbours = graph.neighbours();
        long sum = 0;
        for (int v : visit) {
            int from = offsets.getAtIndex(ValueLayout.JAVA_INT, v);
            int to = offsets.getAtIndex(ValueLayout.JAVA_INT, v + 1L);
            for (int p = from; p < to; p++) {
                sum += neighbours.getAtIndex(ValueLayout.JAVA_LONG, p);
            }
        }
        return sum;
    }

    private long scanIterator() {
        long sum = 0;
        for (int v : visit) {
            for (PrimitiveIterator.OfLong it = graph.neighbours(v); it.hasNext(); ) {
                sum += it.nextLong();
            }
        }
        return sum;
    }

    private long scanHeap() {
        long sum = 0;
        for (int v : visit) {
            for (long w : adjacency[v]) {
                sum += w;
            }
        }
        return sum;
    }
}
