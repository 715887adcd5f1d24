package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.ColumnData;
import dev.nexus.zerocopy.internal.Hold;
import dev.nexus.zerocopy.internal.graph.CsrBuild;
import dev.nexus.zerocopy.internal.graph.CsrLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directed graph in compressed sparse row form over an edge {@link ColumnBatch}: vertex v's
 * neighbours are positions {@code offsets[v] .. offsets[v + 1]} of a neighbour buffer, which is the
 * Arrow {@code List<Int64>} (or {@code List<Int32>}) layout: int32 offsets over a child values buffer.
 *
 * <pre>{@code
 * try (CsrGraph g = CsrGraph.fromEdges(edges, 0, 1)) {       // columns: src, dst (INT64 or INT32)
 *     for (PrimitiveIterator.OfLong it = g.neighbours(v); it.hasNext(); ) {
 *         long w = it.nextLong();
 *     }
 *     double weight = edges.getDouble(2, g.edgeRow(g.firstEdge(v)));  // edge properties
 * }
 * }</pre>
 *
 * <p><b>What is copied.</b> When the edges are sorted by source (non-decreasing), the neighbour buffer
 * <em>is</em> the destination column's values buffer of the edge batch, read in place: nothing of the
 * edges is copied. The only memory allocated is the offsets, {@code (vertices + 1)} int32 values in a
 * sibling segment (64-byte aligned; {@link CsrLayout}), computed in one pass over the source column.
 * Edge properties are the other columns of the edge batch: the edge at neighbour position p is batch
 * row p. When the edges are not sorted, one stable counting sort writes the offsets, a copy of the
 * destination ids in CSR order and a permutation (the batch row of each position) into the sibling
 * segment; the source and every property column stay in place, reached through the permutation
 * ({@link #edgeRow(int)}).
 *
 * <p><b>Ids.</b> Vertex ids are dense: {@code 0 .. vertexCount() - 1}, where {@code vertexCount()}
 * is the largest id plus one. Negative ids and nulls are refused.
 *
 * <p><b>Lifetime.</b> The graph holds its edge batch until closed (the batch's owner may close it
 * meanwhile). {@link #toListBatch(String)} batches hold the graph's memory until they are closed too;
 * the sibling segment goes back through {@link EpochDomain#retire} (a grace period) once the graph
 * and every such batch are closed. A list batch's release reaches the graph through
 * {@link EpochDomain#defer}: close list batches, and let that action run ({@link EpochDomain#barrier()}),
 * before closing the domain; memory handed over while the domain closes is freed once its close has
 * completed, or, when the thread cannot wait for that (the domain's own reclaimer), leaked with a
 * WARNING rather than freed under a reader.
 *
 * <p><b>Progress.</b> Building is one pass over the ids (two and a counting sort when unsorted),
 * blocking only in the allocator. Reads are wait-free and may run on any number of threads once the
 * graph was handed over with a happens-before edge (the build's writes of the sibling segment are
 * published by that edge).
 *
 * <p>Memory effects: the close of the graph and of every list batch happen-before the sibling
 * segment's free (edge 1 of the {@linkplain dev.nexus.epoch epoch package documentation}).
 */
public final class CsrGraph implements AutoCloseable {

    private static final ValueLayout.OfInt OFFSET = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final ColumnBatch edges;
    private final Hold hold;
    private final NativeAllocator allocator;
    private final MemorySegment sibling;
    private final MemorySegment offsets;
    private final MemorySegment neighbours;
    private final MemorySegment permutation;
    private final ColumnType idType;
    private final int width;
    private final int vertices;
    private final int edgeCount;
    private final boolean zeroCopy;
    /** 1 for the graph itself plus one per open list batch; the memory goes at 0. */
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private CsrGraph(ColumnBatch edges, Hold hold, NativeAllocator allocator, MemorySegment sibling,
            MemorySegment offsets, MemorySegment neighbours, MemorySegment permutation, ColumnType idType,
            int vertices, boolean zeroCopy) {
        this.edges = edges;
        this.hold = hold;
        this.allocator = allocator;
        this.sibling = sibling;
        this.offsets = offsets;
        this.neighbours = neighbours;
        this.permutation = permutation;
        this.idType = idType;
        this.width = idType == ColumnType.INT64 ? Long.BYTES : Integer.BYTES;
        this.vertices = vertices;
        this.edgeCount = edges.rows();
        this.zeroCopy = zeroCopy;
    }

    /**
     * A graph over {@code edgeBatch}, its sibling segment from {@link NativeAllocator#malloc()}.
     *
     * @param edgeBatch one edge a row
     * @param srcColumn index of the source id column (INT64 or INT32, no nulls)
     * @param dstColumn index of the destination id column (INT64 or INT32, no nulls)
     * @return the graph; close it
     * @throws NullPointerException if {@code edgeBatch} is null
     * @throws IndexOutOfBoundsException if a column index is out of range
     * @throws IllegalArgumentException if a column is not INT64/INT32, has nulls, or holds a negative
     *     (or too large) id
     * @throws IllegalStateException if the batch is closed and released
     */
    public static CsrGraph fromEdges(ColumnBatch edgeBatch, int srcColumn, int dstColumn) {
        return fromEdges(edgeBatch, srcColumn, dstColumn, NativeAllocator.malloc());
    }

    /**
     * A graph over {@code edgeBatch}, its sibling segment from {@code allocator}.
     *
     * @param edgeBatch one edge a row
     * @param srcColumn index of the source id column (INT64 or INT32, no nulls)
     * @param dstColumn index of the destination id column (INT64 or INT32, no nulls)
     * @param allocator allocates (and, after a grace period, frees) the sibling segment
     * @return the graph; close it
     * @throws NullPointerException if an argument is null
     * @throws IndexOutOfBoundsException if a column index is out of range
     * @throws IllegalArgumentException if a column is not INT64/INT32, has nulls, or holds a negative
     *     (or too large) id
     * @throws IllegalStateException if the batch is closed and released
     */
    public static CsrGraph fromEdges(ColumnBatch edgeBatch, int srcColumn, int dstColumn, NativeAllocator allocator) {
        Objects.requireNonNull(edgeBatch, "edgeBatch");
        Objects.requireNonNull(allocator, "allocator");
        CsrBuild.Ids src = ids(edgeBatch, srcColumn, "source");
        CsrBuild.Ids dst = ids(edgeBatch, dstColumn, "destination");
        Hold hold = BatchAccess.retain(edgeBatch, "graph");
        MemorySegment sibling = null;
        try {
            int edges = edgeBatch.rows();
            CsrBuild.Scan scan = CsrBuild.scan(src, dst, edges);
            int vertices = (int) (scan.maxId() + 1);
            CsrLayout layout = new CsrLayout(vertices, edges, dst.width(), scan.sorted());
            sibling = allocator.allocate(layout.totalBytes(), CsrLayout.ALIGNMENT);
            MemorySegment offsets = sibling.asSlice(CsrLayout.OFFSETS, layout.offsetsBytes());
            MemorySegment neighbours;
            MemorySegment permutation;
            if (scan.sorted()) {
                CsrBuild.sortedOffsets(src, edges, vertices, offsets);
                neighbours = dst.view(edges);
                permutation = MemorySegment.NULL;
            } else {
                neighbours = sibling.asSlice(layout.neighbours(), layout.neighboursBytes());
                permutation = sibling.asSlice(layout.permutation(), (long) edges * Integer.BYTES);
                CsrBuild.countingSort(src, dst, edges, vertices, offsets, neighbours, permutation);
                permutation = permutation.asReadOnly();
            }
            ColumnType idType = edgeBatch.schema().field(dstColumn).type();
            return new CsrGraph(edgeBatch, hold, allocator, sibling, offsets.asReadOnly(), neighbours.asReadOnly(),
                    permutation, idType, vertices, scan.sorted());
        } catch (RuntimeException | Error e) {
            if (sibling != null) {
                allocator.free(sibling); // never published: no reader can hold it
            }
            hold.release();
            throw e;
        }
    }

    private static CsrBuild.Ids ids(ColumnBatch batch, int column, String role) {
        Schema schema = batch.schema();
        Objects.checkIndex(column, schema.size());
        Field field = schema.field(column);
        if (field.type() != ColumnType.INT64 && field.type() != ColumnType.INT32) {
            throw new IllegalArgumentException("the " + role + " column must be INT64 or INT32: column "
                    + column + " '" + field.name() + "' is " + field.type());
        }
        if (batch.nullCount(column) > 0) {
            throw new IllegalArgumentException("the " + role + " column must have no nulls: column " + column
                    + " '" + field.name() + "' has " + batch.nullCount(column));
        }
        int width = field.type() == ColumnType.INT64 ? Long.BYTES : Integer.BYTES;
        return new CsrBuild.Ids(batch.values(column), batch.offset(), width, field.name());
    }

    /**
     * Number of vertices: the largest id plus one (0 without edges).
     *
     * @return the vertex count
     */
    public int vertexCount() {
        return vertices;
    }

    /**
     * Number of edges: the rows of the edge batch.
     *
     * @return the edge count
     */
    public int edgeCount() {
        return edgeCount;
    }

    /**
     * Whether the neighbours are the edge batch's destination column in place (edges sorted by
     * source), rather than a sorted copy.
     *
     * @return true when nothing of the edges was copied
     */
    public boolean isZeroCopy() {
        return zeroCopy;
    }

    /**
     * The type of the neighbour ids (the destination column's): INT64 or INT32.
     *
     * @return the type
     */
    public ColumnType idType() {
        return idType;
    }

    /**
     * Out-degree of {@code v}.
     *
     * @param v a vertex
     * @return its number of neighbours
     * @throws IndexOutOfBoundsException if {@code v} is not a vertex
     */
    public int degree(int v) {
        Objects.checkIndex(v, vertices);
        return offsets.getAtIndex(OFFSET, v + 1L) - offsets.getAtIndex(OFFSET, v);
    }

    /**
     * Position of {@code v}'s first neighbour in the neighbour buffer ({@code offsets[v]}).
     *
     * @param v a vertex
     * @return the position
     * @throws IndexOutOfBoundsException if {@code v} is not a vertex
     */
    public int firstEdge(int v) {
        Objects.checkIndex(v, vertices);
        return offsets.getAtIndex(OFFSET, v);
    }

    /**
     * The {@code i}-th neighbour of {@code v}.
     *
     * @param v a vertex
     * @param i {@code 0 <= i < degree(v)}
     * @return the neighbour's id
     * @throws IndexOutOfBoundsException if {@code v} or {@code i} is out of range
     */
    public long neighbour(int v, int i) {
        int first = firstEdge(v);
        Objects.checkIndex(i, offsets.getAtIndex(OFFSET, v + 1L) - first);
        return neighbourAt(first + i);
    }

    /**
     * The neighbour at a position of the neighbour buffer.
     *
     * @param position {@code 0 <= position < edgeCount()}
     * @return the neighbour's id
     * @throws IndexOutOfBoundsException if {@code position} is out of range
     */
    public long neighbourAt(int position) {
        Objects.checkIndex(position, edgeCount);
        return width == Long.BYTES
                ? neighbours.getAtIndex(LONG, position)
                : neighbours.getAtIndex(INT, position);
    }

    /**
     * The neighbours of {@code v}, in edge order.
     *
     * @param v a vertex
     * @return a primitive iterator over the neighbour ids
     * @throws IndexOutOfBoundsException if {@code v} is not a vertex
     */
    public PrimitiveIterator.OfLong neighbours(int v) {
        int from = firstEdge(v);
        int to = offsets.getAtIndex(OFFSET, v + 1L);
        return new PrimitiveIterator.OfLong() {
            private int position = from;

            @Override
            public boolean hasNext() {
                return position < to;
            }

            @Override
            public long nextLong() {
                if (position >= to) {
                    throw new NoSuchElementException("vertex " + v + " has " + (to - from) + " neighbours");
                }
                return neighbourAt(position++);
            }
        };
    }

    /**
     * The neighbours of {@code v} as a read-only view of the neighbour buffer: {@code degree(v)}
     * values of {@link #idType()} (8 or 4 bytes each, native byte order).
     *
     * @param v a vertex
     * @return the view
     * @throws IndexOutOfBoundsException if {@code v} is not a vertex
     */
    public MemorySegment neighbourSegment(int v) {
        int from = firstEdge(v);
        int to = offsets.getAtIndex(OFFSET, v + 1L);
        return neighbours.asSlice((long) from * width, (long) (to - from) * width);
    }

    /**
     * The whole neighbour buffer, read-only: {@code edgeCount()} ids in CSR order. For sorted edges
     * this is the destination column's values in the edge batch.
     *
     * @return the buffer
     */
    public MemorySegment neighbours() {
        return neighbours;
    }

    /**
     * The offsets, read-only: {@code vertexCount() + 1} int32 values.
     *
     * @return the buffer
     */
    public MemorySegment offsets() {
        return offsets;
    }

    /**
     * The edge batch row of the edge at a neighbour position: its properties are that row's other
     * columns. The identity for sorted edges.
     *
     * @param position {@code 0 <= position < edgeCount()}
     * @return the row
     * @throws IndexOutOfBoundsException if {@code position} is out of range
     */
    public int edgeRow(int position) {
        Objects.checkIndex(position, edgeCount);
        return zeroCopy ? position : permutation.getAtIndex(ValueLayout.JAVA_INT, position);
    }

    /**
     * The edge batch (its columns are the edge properties, see {@link #edgeRow(int)}).
     *
     * @return the batch
     */
    public ColumnBatch edges() {
        return edges;
    }

    /**
     * The adjacency as a batch of one LIST column ({@code vertexCount()} rows, row v = v's neighbours)
     * over the graph's own offsets and neighbour buffers, nothing copied: ready for
     * {@code ArrowExport.exportBatch}. The batch is a read-only view (built like an imported batch:
     * {@link ColumnBatch#isImported()} is true and it has no {@link ColumnBatch#segment()}); it keeps
     * the graph's memory until closed, even after the graph is closed.
     *
     * @param columnName name of the LIST column
     * @return the batch; close it
     * @throws NullPointerException if {@code columnName} is null
     * @throws IllegalStateException if the graph is closed
     */
    public ColumnBatch toListBatch(String columnName) {
        Objects.requireNonNull(columnName, "columnName");
        while (true) {
            int n = references.get();
            if (n == 0 || closed.get()) {
                throw new IllegalStateException("this CSR graph is closed: " + this);
            }
            if (references.compareAndSet(n, n + 1)) {
                break;
            }
        }
        try {
            Schema schema = Schema.of(Field.list(columnName, idType, false));
            ColumnData column = new ColumnData(ColumnType.LIST, idType, vertices, 0, MemorySegment.NULL,
                    offsets, neighbours);
            return BatchAccess.imported(edges.domain(), schema, vertices, List.of(column), this::unreference);
        } catch (RuntimeException | Error e) {
            unreference();
            throw e;
        }
    }

    /**
     * Closes the graph. Its memory (the hold on the edge batch, the sibling segment) goes once every
     * list batch is closed too; the segment through a grace period of the batch's domain. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            unreference();
        }
    }

    @Override
    public String toString() {
        return "CsrGraph[" + vertices + " vertices, " + edgeCount + " edges, "
                + (zeroCopy ? "neighbours in place" : "neighbours sorted into a sibling segment") + "]";
    }

    private void unreference() {
        if (references.decrementAndGet() != 0) {
            return;
        }
        EpochDomain domain = edges.domain();
        try {
            domain.retire(sibling, allocator);
        } catch (IllegalStateException closedDomain) {
            if (!domain.isClosed()) {
                throw closedDomain;
            }
            freeAfterClosedDomain(domain);
        } finally {
            hold.release();
        }
    }

    /**
     * The domain was closed before the sibling segment could be retired through it: free it once the
     * domain's close has completed (every guard that could read it has closed; {@code close()} is
     * idempotent and waits), as {@code ColumnBatch} does for its own memory. If this thread cannot wait
     * (it holds a guard of the domain, or is its reclaimer), the segment is leaked, with a WARNING,
     * rather than freed under a reader.
     */
    private void freeAfterClosedDomain(EpochDomain domain) {
        try {
            domain.close();
        } catch (IllegalStateException cannotWait) {
            System.getLogger("dev.nexus.zerocopy").log(System.Logger.Level.WARNING, this + ": its offsets segment ("
                    + sibling.byteSize() + " bytes) is leaked: epoch domain '" + domain.name() + "' was closed first,"
                    + " and this thread cannot wait for its guards (" + cannotWait.getMessage() + ")");
            return;
        }
        allocator.free(sibling);
    }
}
