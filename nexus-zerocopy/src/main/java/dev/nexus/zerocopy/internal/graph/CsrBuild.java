package dev.nexus.zerocopy.internal.graph;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The two ways of building CSR offsets (and, unsorted, neighbours and permutation) from a source and
 * a destination id column, each read in place from its values buffer. Ids are INT32 or INT64 values
 * (4 or 8 bytes); reads are unaligned-tolerant, as an imported batch's buffers need not be aligned.
 */
public final class CsrBuild {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    /** Largest vertex id: {@code vertices + 1} offsets must be indexable by an int. */
    public static final long MAX_VERTEX_ID = Integer.MAX_VALUE - 2;

    private CsrBuild() {
    }

    /**
     * One id column in place: {@code values} is the whole buffer, the ids start at element
     * {@code first}.
     *
     * @param values the column's values buffer
     * @param first index of the first id in it (the batch's offset)
     * @param width 4 or 8
     * @param name column name, for messages
     */
    public record Ids(MemorySegment values, long first, int width, String name) {

        /**
         * Id of edge {@code e}.
         *
         * @param e edge index (batch row)
         * @return the id
         */
        public long get(int e) {
            long at = (first + e) * width;
            return width == Long.BYTES ? values.get(LONG, at) : values.get(INT, at);
        }

        /**
         * The ids of edges {@code [0, edges)} as a segment view of the buffer (no copy).
         *
         * @param edges edge count
         * @return the view
         */
        public MemorySegment view(int edges) {
            return values.asSlice(first * width, (long) edges * width);
        }
    }

    /** What a scan of the ids found. */
    public record Scan(boolean sorted, long maxId) {
    }

    /**
     * Checks every id ({@code >= 0}, {@code <= MAX_VERTEX_ID}), whether the sources are non-decreasing,
     * and the largest id.
     *
     * @param src source ids
     * @param dst destination ids
     * @param edges edge count
     * @return the scan
     * @throws IllegalArgumentException naming the column, row and value of a negative or too large id
     */
    public static Scan scan(Ids src, Ids dst, int edges) {
        boolean sorted = true;
        long max = -1;
        long previous = 0;
        for (int e = 0; e < edges; e++) {
            long s = check(src, e);
            long d = check(dst, e);
            if (s < previous) {
                sorted = false;
            }
            previous = s;
            max = Math.max(max, Math.max(s, d));
        }
        return new Scan(sorted, max);
    }

    private static long check(Ids ids, int e) {
        long id = ids.get(e);
        if (id < 0 || id > MAX_VERTEX_ID) {
            throw new IllegalArgumentException((id < 0 ? "vertex ids must be >= 0 (dense ids 0..n-1)"
                    : "vertex ids must be <= " + MAX_VERTEX_ID) + ": column '" + ids.name() + "' is " + id
                    + " at edge row " + e);
        }
        return id;
    }

    /**
     * Sorted sources: writes {@code offsets[v]} = first edge of v, {@code offsets[vertices]} = edges.
     *
     * @param src source ids, non-decreasing
     * @param edges edge count
     * @param vertices vertex count
     * @param offsets the offsets region, {@code (vertices + 1) * 4} bytes
     */
    public static void sortedOffsets(Ids src, int edges, int vertices, MemorySegment offsets) {
        int e = 0;
        for (int v = 0; v < vertices; v++) {
            offsets.setAtIndex(ValueLayout.JAVA_INT, v, e);
            while (e < edges && src.get(e) == v) {
                e++;
            }
        }
        offsets.setAtIndex(ValueLayout.JAVA_INT, vertices, e);
        assert e == edges : "sorted offsets cover " + e + " of " + edges + " edges";
    }

    /**
     * Unsorted sources: one stable counting sort. Writes the offsets, the neighbours in CSR order and
     * the permutation (edge row of each position).
     *
     * @param src source ids
     * @param dst destination ids
     * @param edges edge count
     * @param vertices vertex count
     * @param offsets the offsets region
     * @param neighbours the neighbours region, {@code edges * dst.width()} bytes
     * @param permutation the permutation region, {@code edges * 4} bytes
     */
    public static void countingSort(Ids src, Ids dst, int edges, int vertices, MemorySegment offsets,
            MemorySegment neighbours, MemorySegment permutation) {
        offsets.fill((byte) 0);
        for (int e = 0; e < edges; e++) { // degree of v into offsets[v]
            long v = src.get(e);
            offsets.setAtIndex(ValueLayout.JAVA_INT, v, offsets.getAtIndex(ValueLayout.JAVA_INT, v) + 1);
        }
        int sum = 0;
        for (int v = 0; v < vertices; v++) { // inclusive prefix sum: offsets[v] = END of v's range
            sum += offsets.getAtIndex(ValueLayout.JAVA_INT, v);
            offsets.setAtIndex(ValueLayout.JAVA_INT, v, sum);
        }
        offsets.setAtIndex(ValueLayout.JAVA_INT, vertices, edges);
        // walking the edges backwards and pre-decrementing offsets[v] keeps the sort stable and
        // leaves offsets[v] at the START of v's range when done
        int width = dst.width();
        for (int e = edges - 1; e >= 0; e--) {
            long v = src.get(e);
            int position = offsets.getAtIndex(ValueLayout.JAVA_INT, v) - 1;
            offsets.setAtIndex(ValueLayout.JAVA_INT, v, position);
            if (width == Long.BYTES) {
                neighbours.setAtIndex(ValueLayout.JAVA_LONG, position, dst.get(e));
            } else {
                neighbours.setAtIndex(ValueLayout.JAVA_INT, position, (int) dst.get(e));
            }
            permutation.setAtIndex(ValueLayout.JAVA_INT, position, e);
        }
    }
}
