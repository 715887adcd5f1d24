package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.internal.graph.CsrLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CSR view against an on-heap model: sorted (zero copy) and unsorted (one counting sort). */
class CsrGraphTest {

    private EpochDomain domain;
    private PoisoningAllocator allocator;

    @BeforeEach
    void open() {
        domain = EpochDomain.builder().name("csr-test").build();
        allocator = new PoisoningAllocator();
    }

    @AfterEach
    void close() {
        domain.close();
        assertThat(allocator.doubleFrees()).isZero();
        assertThat(allocator.live()).as("every segment freed").isZero();
    }

    /** A random edge list: src, dst, weight (= edge index + 0.25, so each edge is identifiable). */
    private record Edges(long[] src, long[] dst, double[] weight, int vertices) {

        static Edges random(long seed, int vertices, int edges, boolean sorted) {
            SplittableRandom random = new SplittableRandom(seed);
            long[] src = new long[edges];
            long[] dst = new long[edges];
            for (int e = 0; e < edges; e++) {
                src[e] = random.nextInt(vertices);
                dst[e] = random.nextInt(vertices);
            }
            src[0] = vertices - 1; // the largest id is present
            if (sorted) {
                Arrays.sort(src);
            }
            double[] weight = new double[edges];
            for (int e = 0; e < edges; e++) {
                weight[e] = e + 0.25;
            }
            return new Edges(src, dst, weight, vertices);
        }

        /** The model: per vertex, the edge indexes out of it, in edge order. */
        List<List<Integer>> adjacency() {
            List<List<Integer>> out = new ArrayList<>();
            for (int v = 0; v < vertices; v++) {
                out.add(new ArrayList<>());
            }
            for (int e = 0; e < src.length; e++) {
                out.get((int) src[e]).add(e);
            }
            return out;
        }
    }

    private ColumnBatch batch(Edges edges, boolean int32) {
        ColumnType idType = int32 ? ColumnType.INT32 : ColumnType.INT64;
        Schema schema = Schema.of(Field.of("src", idType, false), Field.of("dst", idType, false),
                Field.of("weight", ColumnType.FLOAT64, false));
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, schema, edges.src.length)) {
            if (int32) {
                b.setInt32(0, Arrays.stream(edges.src).mapToInt(x -> (int) x).toArray());
                b.setInt32(1, Arrays.stream(edges.dst).mapToInt(x -> (int) x).toArray());
            } else {
                b.setInt64(0, edges.src);
                b.setInt64(1, edges.dst);
            }
            b.setFloat64(2, edges.weight);
            return b.build();
        }
    }

    /** Sorted edges: the neighbours are the dst column in place (address inside the batch), offsets only allocated. */
    @ParameterizedTest(name = "int32={0}")
    @ValueSource(booleans = {false, true})
    void sortedEdgesAreNotCopied(boolean int32) {
        Edges edges = Edges.random(42, 50, 400, true);
        try (ColumnBatch batch = batch(edges, int32)) {
            long before = allocator.allocatedBytes();
            try (CsrGraph g = CsrGraph.fromEdges(batch, 0, 1, allocator)) {
                sortedGraphIsInPlace(g, batch, edges, int32, before);
            }
        }
    }

    private void sortedGraphIsInPlace(CsrGraph g, ColumnBatch batch, Edges edges, boolean int32, long before) {
        assertThat(g.isZeroCopy()).isTrue();
        MemorySegment segment = batch.segment();
        assertThat(g.neighbours().address()).as("neighbours lie inside the edge batch's segment")
                .isBetween(segment.address(), segment.address() + segment.byteSize() - 1);
        assertThat(g.neighbours().address()).isEqualTo(batch.values(1).address());
        assertThat(g.neighbours().byteSize()).isEqualTo(400L * (int32 ? 4 : 8));
        assertThat(allocator.allocatedBytes() - before)
                .as("only the offsets were allocated").isEqualTo(CsrLayout.pad((50 + 1) * 4L));
        checkAgainstModel(g, edges);
    }

    /** Unsorted edges: one stable counting sort; neighbours and permutation match the model. */
    @ParameterizedTest(name = "int32={0}")
    @ValueSource(booleans = {false, true})
    void unsortedEdgesAreSortedOnce(boolean int32) {
        Edges edges = Edges.random(7, 64, 500, false);
        try (ColumnBatch batch = batch(edges, int32); CsrGraph g = CsrGraph.fromEdges(batch, 0, 1, allocator)) {
            assertThat(g.isZeroCopy()).isFalse();
            MemorySegment segment = batch.segment();
            long address = g.neighbours().address();
            assertThat(address >= segment.address() && address < segment.address() + segment.byteSize())
                    .as("a sorted copy, outside the batch").isFalse();
            checkAgainstModel(g, edges);
        }
    }

    /** A BFS over the CSR view visits the vertices at the distances a BFS over the model finds. */
    @ParameterizedTest(name = "sorted={0}")
    @ValueSource(booleans = {false, true})
    void bfsMatchesModel(boolean sorted) {
        Edges edges = Edges.random(99, 300, 700, sorted);
        List<List<Integer>> model = edges.adjacency();
        try (ColumnBatch batch = batch(edges, false); CsrGraph g = CsrGraph.fromEdges(batch, 0, 1)) {
            for (int source : new int[] {0, 17, 299}) {
                int[] expected = new int[edges.vertices];
                Arrays.fill(expected, -1);
                expected[source] = 0;
                ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(source));
                while (!queue.isEmpty()) {
                    int v = queue.poll();
                    for (int e : model.get(v)) {
                        int w = (int) edges.dst[e];
                        if (expected[w] < 0) {
                            expected[w] = expected[v] + 1;
                            queue.add(w);
                        }
                    }
                }
                assertThat(bfs(g, source)).as("distances from %d", source).containsExactly(expected);
            }
        }
    }

    /** BFS over the CSR view: distance of every vertex from {@code source}, -1 when unreachable. */
    static int[] bfs(CsrGraph g, int source) {
        int[] distance = new int[g.vertexCount()];
        Arrays.fill(distance, -1);
        distance[source] = 0;
        int[] queue = new int[g.vertexCount()];
        int head = 0;
        int tail = 0;
        queue[tail++] = source;
        while (head < tail) {
            int v = queue[head++];
            for (PrimitiveIterator.OfLong it = g.neighbours(v); it.hasNext(); ) {
                int w = (int) it.nextLong();
                if (distance[w] < 0) {
                    distance[w] = distance[v] + 1;
                    queue[tail++] = w;
                }
            }
        }
        return distance;
    }

    /** The LIST batch shares the offsets and neighbour buffers and keeps them after the graph closes. */
    @Test
    void listBatchSharesTheBuffers() {
        Edges edges = Edges.random(5, 20, 100, true);
        try (ColumnBatch batch = batch(edges, false)) {
            CsrGraph g = CsrGraph.fromEdges(batch, 0, 1, allocator);
            ColumnBatch list = g.toListBatch("neighbours");
            assertThat(list.schema()).isEqualTo(Schema.of(Field.list("neighbours", ColumnType.INT64, false)));
            assertThat(list.rows()).isEqualTo(g.vertexCount());
            assertThat(list.values(0).address()).isEqualTo(batch.values(1).address());
            assertThat(list.offsets(0).address()).isEqualTo(g.offsets().address());
            long freesBefore = allocator.frees();
            g.close();
            batch.close();
            domain.barrier();
            assertThat(allocator.frees()).as("the list batch keeps graph and edges alive").isEqualTo(freesBefore);
            for (int v = 0; v < g.vertexCount(); v++) {
                assertThat(list.listSize(0, v)).isEqualTo(g.degree(v));
                MemorySegment values = list.listValues(0, v);
                for (int i = 0; i < list.listSize(0, v); i++) {
                    assertThat(values.getAtIndex(ValueLayout.JAVA_LONG, i)).isEqualTo(g.neighbour(v, i));
                }
            }
            list.close();
            domain.barrier();
            domain.barrier();
            assertThat(allocator.frees()).as("offsets and edge batch freed").isEqualTo(freesBefore + 2);
            assertThatThrownBy(() -> g.toListBatch("again")).isInstanceOf(IllegalStateException.class);
        }
    }

    /** The graph holds its edge batch: closing the batch first frees nothing until the graph closes. */
    @Test
    void graphHoldsItsBatch() {
        Edges edges = Edges.random(3, 10, 30, false);
        ColumnBatch batch = batch(edges, false);
        CsrGraph g = CsrGraph.fromEdges(batch, 0, 1, allocator);
        batch.close();
        domain.barrier();
        assertThat(allocator.frees()).isZero();
        checkAgainstModel(g, edges);
        g.close();
        g.close();
        domain.barrier();
        assertThat(allocator.frees()).isEqualTo(2);
    }

    /** Negative ids, nulls, non-integer columns and bad indexes are refused; nothing is left allocated. */
    @Test
    void badInputIsRefused() {
        Edges edges = Edges.random(1, 10, 20, true);
        edges.dst[13] = -4;
        try (ColumnBatch batch = batch(edges, false)) {
            assertThatThrownBy(() -> CsrGraph.fromEdges(batch, 0, 1, allocator))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0")
                    .hasMessageContaining("-4").hasMessageContaining("row 13").hasMessageContaining("'dst'");
            assertThatThrownBy(() -> CsrGraph.fromEdges(batch, 0, 2, allocator))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FLOAT64");
            assertThatThrownBy(() -> CsrGraph.fromEdges(batch, 0, 3, allocator))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(batch.openHolds()).as("no hold left by a refused build").isEmpty();
        }
        Schema nullable = Schema.of(Field.of("src", ColumnType.INT64, false), Field.of("dst", ColumnType.INT64, true));
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, nullable)) {
            b.appendLong(0, 0).appendLong(1, 1).endRow();
            b.appendLong(0, 1).appendNull(1).endRow();
            try (ColumnBatch batch = b.build()) {
                assertThatThrownBy(() -> CsrGraph.fromEdges(batch, 0, 1, allocator))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no nulls");
            }
        }
        domain.barrier();
        assertThat(allocator.live()).isZero();
    }

    /** An empty edge batch is a graph of no vertex; INT32 sources may point at INT64 destinations. */
    @Test
    void emptyAndMixedWidthEdges() {
        Schema schema = Schema.of(Field.of("src", ColumnType.INT32, false), Field.of("dst", ColumnType.INT64, false));
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, schema, 0);
                ColumnBatch empty = b.setInt32(0, new int[0]).setInt64(1, new long[0]).build();
                CsrGraph g = CsrGraph.fromEdges(empty, 0, 1, allocator)) {
            assertThat(g.vertexCount()).isZero();
            assertThat(g.edgeCount()).isZero();
            assertThat(g.offsets().byteSize()).isEqualTo(4);
            assertThatThrownBy(() -> g.degree(0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, schema, 4);
                ColumnBatch mixed = b.setInt32(0, new int[] {2, 0, 2, 1}).setInt64(1, new long[] {0, 5, 1, 2}).build();
                CsrGraph g = CsrGraph.fromEdges(mixed, 0, 1, allocator)) {
            assertThat(g.isZeroCopy()).isFalse();
            assertThat(g.idType()).isEqualTo(ColumnType.INT64);
            assertThat(g.vertexCount()).isEqualTo(6);
            assertThat(g.degree(2)).isEqualTo(2);
            assertThat(g.neighbour(2, 0)).isZero();
            assertThat(g.neighbour(2, 1)).isEqualTo(1);
            assertThat(g.edgeRow(g.firstEdge(2) + 1)).isEqualTo(2);
            assertThat(g.degree(5)).isZero();
        }
    }

    /** Reads outside the graph are refused with IndexOutOfBoundsException. */
    @Test
    void outOfRangeReadsAreRefused() {
        Edges edges = Edges.random(2, 5, 10, true);
        try (ColumnBatch batch = batch(edges, false); CsrGraph g = CsrGraph.fromEdges(batch, 0, 1, allocator)) {
            assertThatThrownBy(() -> g.degree(5)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> g.degree(-1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> g.neighbour(0, g.degree(0))).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> g.edgeRow(10)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    private static void checkAgainstModel(CsrGraph g, Edges edges) {
        List<List<Integer>> model = edges.adjacency();
        assertThat(g.vertexCount()).isEqualTo(edges.vertices);
        assertThat(g.edgeCount()).isEqualTo(edges.src.length);
        int position = 0;
        for (int v = 0; v < edges.vertices; v++) {
            List<Integer> out = model.get(v);
            assertThat(g.degree(v)).as("degree of %d", v).isEqualTo(out.size());
            assertThat(g.firstEdge(v)).isEqualTo(position);
            PrimitiveIterator.OfLong it = g.neighbours(v);
            MemorySegment view = g.neighbourSegment(v);
            int width = g.idType() == ColumnType.INT64 ? 8 : 4;
            assertThat(view.byteSize()).isEqualTo((long) out.size() * width);
            for (int i = 0; i < out.size(); i++) {
                int e = out.get(i);
                long expected = edges.dst[e];
                assertThat(it.nextLong()).isEqualTo(expected);
                assertThat(g.neighbour(v, i)).isEqualTo(expected);
                long viewed = width == 8 ? view.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i)
                        : view.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                assertThat(viewed).isEqualTo(expected);
                int row = g.edgeRow(position + i);
                assertThat(row).as("edge property row, stable order").isEqualTo(e);
                assertThat(g.edges().getDouble(2, row)).isEqualTo(edges.weight[e]);
            }
            assertThat(it.hasNext()).isFalse();
            position += out.size();
        }
    }
}
