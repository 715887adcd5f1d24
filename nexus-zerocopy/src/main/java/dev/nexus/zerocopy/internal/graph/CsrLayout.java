package dev.nexus.zerocopy.internal.graph;

/**
 * The layout of a {@code CsrGraph}'s sibling segment: the one native segment the graph allocates
 * beside its edge batch. Every region starts 64-byte aligned (as Arrow buffers) and is padded to a
 * multiple of 64 bytes.
 *
 * <pre>
 *  sorted edges (neighbours are the edge batch's destination column: nothing else is allocated)
 *  +-------------------------------------------+
 *  | offsets: int32 x (vertices + 1), padded   |  OFFSETS = 0
 *  +-------------------------------------------+
 *
 *  unsorted edges (one counting sort, stable)
 *  +-------------------------------------------+
 *  | offsets: int32 x (vertices + 1), padded   |  OFFSETS = 0
 *  +-------------------------------------------+
 *  | neighbours: edges x (4 or 8 bytes), padded|  neighbours()
 *  +-------------------------------------------+
 *  | permutation: int32 x edges, padded        |  permutation(): edge batch row of each
 *  +-------------------------------------------+                 neighbour position
 * </pre>
 *
 * offsets[v] .. offsets[v + 1] are the positions of v's neighbours: the Arrow List layout (int32
 * offsets over a child values buffer).
 *
 * @param vertices vertex count
 * @param edges edge count
 * @param neighbourBytes bytes per neighbour id (4 for INT32, 8 for INT64)
 * @param sorted whether the edges were sorted by source (no neighbours or permutation region)
 */
public record CsrLayout(int vertices, int edges, int neighbourBytes, boolean sorted) {

    /** Alignment and padding of every region. */
    public static final int ALIGNMENT = 64;

    /** Offset of the offsets region. */
    public static final long OFFSETS = 0;

    /**
     * Validates the record.
     *
     * @throws IllegalArgumentException on a negative count or a width other than 4 or 8
     */
    public CsrLayout {
        if (vertices < 0 || edges < 0 || (neighbourBytes != 4 && neighbourBytes != 8)) {
            throw new IllegalArgumentException("bad CSR layout: vertices=" + vertices + ", edges=" + edges
                    + ", neighbourBytes=" + neighbourBytes);
        }
    }

    /**
     * Bytes of the offsets region without padding.
     *
     * @return {@code (vertices + 1) * 4}
     */
    public long offsetsBytes() {
        return (vertices + 1L) * Integer.BYTES;
    }

    /**
     * Offset of the neighbours region (unsorted only).
     *
     * @return the offset
     * @throws IllegalStateException for a sorted layout
     */
    public long neighbours() {
        checkUnsorted();
        return pad(offsetsBytes());
    }

    /**
     * Bytes of the neighbours without padding.
     *
     * @return {@code edges * neighbourBytes}
     */
    public long neighboursBytes() {
        return (long) edges * neighbourBytes;
    }

    /**
     * Offset of the permutation region (unsorted only).
     *
     * @return the offset
     * @throws IllegalStateException for a sorted layout
     */
    public long permutation() {
        return neighbours() + pad(neighboursBytes());
    }

    /**
     * Total bytes of the segment.
     *
     * @return the size, a multiple of {@link #ALIGNMENT}
     */
    public long totalBytes() {
        return sorted ? pad(offsetsBytes()) : permutation() + pad((long) edges * Integer.BYTES);
    }

    /**
     * Rounds up to a multiple of {@link #ALIGNMENT}.
     *
     * @param bytes a size
     * @return the padded size
     */
    public static long pad(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    private void checkUnsorted() {
        if (sorted) {
            throw new IllegalStateException("a sorted CSR layout has no neighbours or permutation region: "
                    + "the neighbours are the edge batch's destination column");
        }
    }
}
