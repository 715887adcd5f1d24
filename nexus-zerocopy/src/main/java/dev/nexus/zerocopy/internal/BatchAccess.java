package dev.nexus.zerocopy.internal;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.HoldInfo;
import dev.nexus.zerocopy.Schema;
import java.util.List;
import java.util.Objects;

/**
 * The bridge through which the module's other packages (the C Data Interface, the stream, the graph)
 * reach what {@link ColumnBatch} does not export: its column buffers, holds on its memory, and batches
 * over foreign memory. Not exported from the module. {@code ColumnBatch} registers the implementation
 * when it is initialised (a "shared secrets" bridge, as in the JDK).
 */
public final class BatchAccess {

    /** What {@code ColumnBatch} implements for this bridge. */
    public interface Bridge {
        /**
         * See {@link BatchAccess#column}.
         *
         * @param batch a batch
         * @param col a column index
         * @return its data
         */
        ColumnData column(ColumnBatch batch, int col);

        /**
         * See {@link BatchAccess#retain}.
         *
         * @param batch a batch
         * @param kind what holds it
         * @return the hold
         */
        Hold retain(ColumnBatch batch, String kind);

        /**
         * See {@link BatchAccess#imported(EpochDomain, Schema, int, int, List, Runnable)}.
         *
         * @param domain the domain
         * @param schema the schema
         * @param rows the rows
         * @param offset the first row in the buffers
         * @param columns the buffers
         * @param releaseToProducer the release
         * @return the batch
         */
        ColumnBatch imported(EpochDomain domain, Schema schema, int rows, int offset, List<ColumnData> columns,
                             Runnable releaseToProducer);

        /**
         * See {@link BatchAccess#openHolds}.
         *
         * @param batch a batch
         * @return its open holds
         */
        List<HoldInfo> openHolds(ColumnBatch batch);
    }

    private static volatile Bridge bridge;

    private BatchAccess() {
    }

    /**
     * Called once by {@code ColumnBatch}'s static initialiser.
     *
     * @param implementation the bridge
     */
    public static void register(Bridge implementation) {
        bridge = Objects.requireNonNull(implementation, "implementation");
    }

    private static Bridge bridge() {
        Bridge b = bridge;
        if (b == null) {
            try {
                // initialises ColumnBatch, whose static initialiser registers the bridge
                Class.forName(ColumnBatch.class.getName(), true, ColumnBatch.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("ColumnBatch is not loadable", e);
            }
            b = bridge;
        }
        return b;
    }

    /**
     * The buffers of one column as {@code batch} sees them: whole buffers, the batch's rows being the
     * {@code length} rows from {@code batch.offset()}; {@code nullCount} counts the nulls among them.
     *
     * @param batch a batch (a slice included)
     * @param col a column index
     * @return the column's data
     * @throws IndexOutOfBoundsException if {@code col} is not a column
     */
    public static ColumnData column(ColumnBatch batch, int col) {
        return bridge().column(batch, col);
    }

    /**
     * Takes a hold on {@code batch}'s memory: the memory is not handed to the epoch domain before the
     * hold is released, even if the batch is closed. Records where the hold was taken, for
     * {@link #openHolds} and the close-time report.
     *
     * @param batch a batch (a hold on a slice holds the memory of the whole batch)
     * @param kind what holds it: {@code "export"}, {@code "stream"}, {@code "window"}...
     * @return the hold; {@link Hold#release()} is idempotent, thread-safe and never throws
     * @throws IllegalStateException if the batch is closed and every hold on it was released already
     */
    public static Hold retain(ColumnBatch batch, String kind) {
        Objects.requireNonNull(kind, "kind");
        return bridge().retain(Objects.requireNonNull(batch, "batch"), kind);
    }

    /**
     * A read-only batch over foreign memory (an Arrow producer's buffers). The buffers are read in
     * place; once the batch is closed and every hold released, {@code releaseToProducer} runs exactly
     * once, through {@code domain.defer} (after a grace period, so no reader pinned before the close
     * sees the producer's memory go). If this method throws, nothing was taken over: the caller still
     * owns the memory and must release it itself.
     *
     * @param domain the domain whose grace period delays the release
     * @param schema the schema the columns must match
     * @param rows the number of rows (each column's {@code length} must equal it)
     * @param columns one data per field, types matching, buffers large enough for {@code rows} rows, null
     *     counts exact or -1 (unknown: counted from the bitmap on first use)
     * @param releaseToProducer gives the memory back to its producer; it should not throw (a throw is
     *     reported by the domain to its handler)
     * @return the batch; {@link ColumnBatch#isImported()} is true and {@code segment()} throws
     * @throws IllegalArgumentException if a column does not match the schema or its buffers are too
     *     small for {@code rows}
     * @throws IllegalStateException if the domain is closed
     */
    public static ColumnBatch imported(EpochDomain domain, Schema schema, int rows, List<ColumnData> columns,
                                       Runnable releaseToProducer) {
        return imported(domain, schema, rows, 0, columns, releaseToProducer);
    }

    /**
     * As {@link #imported(EpochDomain, Schema, int, List, Runnable)}, for buffers whose first row is at
     * {@code offset} in every column (an Arrow array with a non-zero {@code offset}).
     *
     * @param domain the domain whose grace period delays the release
     * @param schema the schema the columns must match
     * @param rows the number of rows
     * @param offset the first row of the batch inside every column's buffers, {@code >= 0}
     * @param columns one data per field
     * @param releaseToProducer gives the memory back to its producer
     * @return the batch
     * @throws IllegalArgumentException if a column does not match the schema or its buffers are too
     *     small for {@code offset + rows} rows
     * @throws IllegalStateException if the domain is closed
     */
    public static ColumnBatch imported(EpochDomain domain, Schema schema, int rows, int offset,
                                       List<ColumnData> columns, Runnable releaseToProducer) {
        return bridge().imported(Objects.requireNonNull(domain, "domain"), Objects.requireNonNull(schema, "schema"),
                rows, offset, List.copyOf(columns), Objects.requireNonNull(releaseToProducer, "releaseToProducer"));
    }

    /**
     * The holds on {@code batch}'s memory still open (of the whole batch, slices included), oldest
     * first.
     *
     * @param batch a batch
     * @return a snapshot
     */
    public static List<HoldInfo> openHolds(ColumnBatch batch) {
        return bridge().openHolds(Objects.requireNonNull(batch, "batch"));
    }
}
