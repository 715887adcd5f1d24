package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.BatchLifetime;
import dev.nexus.zerocopy.internal.Bitmaps;
import dev.nexus.zerocopy.internal.ColumnData;
import dev.nexus.zerocopy.internal.Hold;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An immutable batch of rows stored column by column in the Arrow columnar layout: for a built batch,
 * every buffer lives in one native {@link MemorySegment} ({@link #segment()}) laid out as described in
 * {@code docs/zerocopy.md} ("Layout"). A batch never moves and never changes once built; readers read
 * it in place, a {@link #slice} is a view with no copy, and its memory goes back through the epoch
 * domain ({@code domain.retire}, after a grace period) once the batch is closed and every hold on it
 * (slices, exports, streams) is released.
 *
 * <p>Caller assumptions: a reader that may race with {@link #close()} reads inside a guard of the
 * batch's domain ({@code try (Guard g = domain.pin()) {...}}), pinned before it could have seen the
 * batch closed; a reader outside any guard must hold the batch open (not close it, or hold a slice)
 * while it reads. Reads do not check whether the batch is closed (a pinned reader may still read a
 * closed batch); they check the column index, the column type and the row.
 *
 * <p>Thread safety: a built batch is safe to read from any number of threads; {@code close()} and
 * slicing are thread-safe. Builders are not thread-safe (one thread builds).
 *
 * <p>Progress: reads are wait-free; {@code slice} is lock-free; {@code close()} is lock-free except
 * for handing the memory to the domain, which blocks as {@code domain.retire} does (only with a garbage
 * budget whose policy is BLOCK) or, if the domain was closed first, until its guards have closed.
 *
 * <p>Memory effects: {@code build()} happens-before every read of the batch by a thread that obtained
 * it through a happens-before edge (a safe publication); reads inside a guard happen-before the memory
 * is freed ({@code NoReclaimWhilePinned} of {@code dev.nexus.epoch}, since the memory is retired
 * through the domain after {@code close()} and the last release); see the
 * {@linkplain dev.nexus.epoch package documentation of dev.nexus.epoch}.
 */
public final class ColumnBatch implements AutoCloseable {

    /*
     * Implementation notes.
     *
     * A batch object is a view: (columns' whole buffers, offset, rows). The root batch (built, imported
     * or mapped) owns a BatchLifetime; each slice shares it and owns one Hold on it, released by the
     * slice's close(). The lifetime hands the memory to the domain exactly once (see BatchLifetime).
     * Null counts of a slice are counted from the bitmap on first use (a benign race: two threads may
     * both count and store the same value in the AtomicLongArray).
     */

    private static final long UNKNOWN = -1;

    private final EpochDomain domain;
    private final Schema schema;
    private final int rows;
    private final int offset;
    private final ColumnData[] columns;
    private final MemorySegment segment;
    private final boolean imported;
    private final BatchLifetime lifetime;
    private final Hold ownHold;
    private final AtomicLongArray nullCounts;

    ColumnBatch(EpochDomain domain, Schema schema, int rows, int offset, ColumnData[] columns,
                MemorySegment segment, boolean imported, BatchLifetime lifetime, Hold ownHold) {
        this.domain = domain;
        this.schema = schema;
        this.rows = rows;
        this.offset = offset;
        this.columns = columns;
        this.segment = segment;
        this.imported = imported;
        this.lifetime = lifetime;
        this.ownHold = ownHold;
        this.nullCounts = new AtomicLongArray(columns.length);
        for (int c = 0; c < columns.length; c++) {
            nullCounts.set(c, ownHold == null ? columns[c].nullCount() : UNKNOWN);
        }
    }

    /**
     * A row-wise builder: append each row's values column by column, then {@link Builder#endRow()}.
     *
     * @param domain the epoch domain that will reclaim the batch's memory
     * @param allocator where the batch's segment is allocated (and freed after a grace period)
     * @param schema the columns
     * @return a new builder
     */
    public static Builder builder(EpochDomain domain, NativeAllocator allocator, Schema schema) {
        return new RowBuilder(Objects.requireNonNull(domain, "domain"), Objects.requireNonNull(allocator,
                "allocator"), Objects.requireNonNull(schema, "schema"));
    }

    /**
     * A column-wise builder of exactly {@code rows} rows: each column is given whole, from an array or
     * a segment, with bulk copies.
     *
     * @param domain the epoch domain that will reclaim the batch's memory
     * @param allocator where the batch's segment is allocated
     * @param schema the columns
     * @param rows the number of rows, {@code >= 0}
     * @return a new builder
     * @throws IllegalArgumentException if {@code rows < 0}
     */
    public static ColumnarBuilder columnar(EpochDomain domain, NativeAllocator allocator, Schema schema, int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0: rows=" + rows);
        }
        return new ColumnWiseBuilder(Objects.requireNonNull(domain, "domain"), Objects.requireNonNull(allocator,
                "allocator"), Objects.requireNonNull(schema, "schema"), rows);
    }

    // ---- shape ---------------------------------------------------------------------------------

    /**
     * The columns.
     *
     * @return the schema
     */
    public Schema schema() {
        return schema;
    }

    /**
     * The number of rows of this batch (of this view, for a slice).
     *
     * @return the row count
     */
    public int rows() {
        return rows;
    }

    /**
     * The first row of this batch inside its buffers: 0 for a built batch, {@code from} (summed over
     * nested slices) for a slice. Row {@code r} of this batch is element {@code offset() + r} of the
     * buffers returned by {@link #validity}, {@link #values} and {@link #offsets}.
     *
     * @return the offset in rows
     */
    public int offset() {
        return offset;
    }

    /**
     * The one native segment holding every buffer of a built (or shared-memory mapped) batch, header
     * included, read-only; a slice returns its root batch's segment.
     *
     * @return the segment
     * @throws IllegalStateException if the batch was imported from an Arrow producer (its buffers are
     *     the producer's, not one segment)
     */
    public MemorySegment segment() {
        if (segment == null) {
            throw new IllegalStateException(lifetime.label() + " was imported from an Arrow producer: its buffers"
                    + " belong to the producer and are not one segment; use validity/offsets/values(col)");
        }
        return segment;
    }

    /**
     * Whether the memory belongs to another producer (an Arrow import or a shared-memory mapping).
     *
     * @return true if imported or mapped
     */
    public boolean isImported() {
        return imported;
    }

    /**
     * The epoch domain that reclaims this batch's memory.
     *
     * @return the domain
     */
    public EpochDomain domain() {
        return domain;
    }

    // ---- typed reads --------------------------------------------------------------------------

    /**
     * Reads an INT8 value (0 for a null row).
     *
     * @param col the column index
     * @param row the row, in {@code [0, rows())}
     * @return the value
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not INT8
     */
    public byte getByte(int col, int row) {
        return columns[typed(col, "getByte", ColumnType.INT8, null)].values()
                .get(ValueLayout.JAVA_BYTE, at(row));
    }

    /**
     * Reads an INT16 value (0 for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the value
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not INT16
     */
    public short getShort(int col, int row) {
        return columns[typed(col, "getShort", ColumnType.INT16, null)].values()
                .get(ValueLayout.JAVA_SHORT_UNALIGNED, at(row) * 2);
    }

    /**
     * Reads an INT32 value (0 for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the value
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not INT32
     */
    public int getInt(int col, int row) {
        return columns[typed(col, "getInt", ColumnType.INT32, null)].values()
                .get(ValueLayout.JAVA_INT_UNALIGNED, at(row) * 4);
    }

    /**
     * Reads an INT64 value, or the raw microseconds of a TIMESTAMP (0 for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the value
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not INT64 or TIMESTAMP
     */
    public long getLong(int col, int row) {
        return columns[typed(col, "getLong", ColumnType.INT64, ColumnType.TIMESTAMP)].values()
                .get(ValueLayout.JAVA_LONG_UNALIGNED, at(row) * 8);
    }

    /**
     * Reads a FLOAT32 value (0 for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the value
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not FLOAT32
     */
    public float getFloat(int col, int row) {
        return columns[typed(col, "getFloat", ColumnType.FLOAT32, null)].values()
                .get(ValueLayout.JAVA_FLOAT_UNALIGNED, at(row) * 4);
    }

    /**
     * Reads a FLOAT64 value (0 for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the value
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not FLOAT64
     */
    public double getDouble(int col, int row) {
        return columns[typed(col, "getDouble", ColumnType.FLOAT64, null)].values()
                .get(ValueLayout.JAVA_DOUBLE_UNALIGNED, at(row) * 8);
    }

    /**
     * Reads a BOOL value (false for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the value
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not BOOL
     */
    public boolean getBoolean(int col, int row) {
        return Bitmaps.get(columns[typed(col, "getBoolean", ColumnType.BOOL, null)].values(), at(row));
    }

    /**
     * Reads a TIMESTAMP value: microseconds since the Unix epoch, UTC (0 for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the microseconds
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not TIMESTAMP
     */
    public long getTimestamp(int col, int row) {
        return columns[typed(col, "getTimestamp", ColumnType.TIMESTAMP, null)].values()
                .get(ValueLayout.JAVA_LONG_UNALIGNED, at(row) * 8);
    }

    /**
     * Reads a UTF8 value, decoded (a copy).
     *
     * @param col the column index
     * @param row the row
     * @return the string, or null for a null row
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not UTF8
     */
    public String getString(int col, int row) {
        byte[] bytes = variable(typed(col, "getString", ColumnType.UTF8, null), row);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Reads the bytes of a BINARY or UTF8 value (a copy).
     *
     * @param col the column index
     * @param row the row
     * @return the bytes, or null for a null row
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not BINARY or UTF8
     */
    public byte[] getBytes(int col, int row) {
        return variable(typed(col, "getBytes", ColumnType.BINARY, ColumnType.UTF8), row);
    }

    private byte[] variable(int col, int row) {
        long r = at(row);
        if (isNullAt(col, r)) {
            return null;
        }
        ColumnData data = columns[col];
        int start = data.offsets().get(ValueLayout.JAVA_INT_UNALIGNED, r * 4);
        int end = data.offsets().get(ValueLayout.JAVA_INT_UNALIGNED, r * 4 + 4);
        return data.values().asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The number of elements of a LIST row (0 for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the list's size
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not LIST
     */
    public int listSize(int col, int row) {
        ColumnData data = columns[typed(col, "listSize", ColumnType.LIST, null)];
        long r = at(row);
        return data.offsets().get(ValueLayout.JAVA_INT_UNALIGNED, r * 4 + 4)
                - data.offsets().get(ValueLayout.JAVA_INT_UNALIGNED, r * 4);
    }

    /**
     * The child values of a LIST row, in place: a read-only segment of {@code listSize * width} bytes
     * (empty for a null row).
     *
     * @param col the column index
     * @param row the row
     * @return the values, read-only, no copy
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     * @throws IllegalArgumentException if the column is not LIST
     */
    public MemorySegment listValues(int col, int row) {
        ColumnData data = columns[typed(col, "listValues", ColumnType.LIST, null)];
        long r = at(row);
        long width = data.childType().byteWidth();
        int start = data.offsets().get(ValueLayout.JAVA_INT_UNALIGNED, r * 4);
        int end = data.offsets().get(ValueLayout.JAVA_INT_UNALIGNED, r * 4 + 4);
        return data.values().asSlice(start * width, (end - start) * width);
    }

    /**
     * Whether a row is null.
     *
     * @param col the column index
     * @param row the row
     * @return true if null (never for a column without a validity bitmap)
     * @throws IndexOutOfBoundsException if {@code col} or {@code row} is out of range
     */
    public boolean isNull(int col, int row) {
        return isNullAt(Objects.checkIndex(col, columns.length), at(row));
    }

    private boolean isNullAt(int col, long physicalRow) {
        ColumnData data = columns[col];
        return data.hasValidity() && !Bitmaps.get(data.validity(), physicalRow);
    }

    /**
     * The number of null rows in a column of this batch (of this view, for a slice).
     *
     * @param col the column index
     * @return the null count
     * @throws IndexOutOfBoundsException if {@code col} is out of range
     */
    public long nullCount(int col) {
        Objects.checkIndex(col, columns.length);
        long count = nullCounts.get(col);
        if (count == UNKNOWN) {
            ColumnData data = columns[col];
            count = data.hasValidity() ? rows - Bitmaps.countSet(data.validity(), offset, rows) : 0;
            nullCounts.set(col, count); // benign race: every thread stores the same count
        }
        return count;
    }

    // ---- buffers ------------------------------------------------------------------------------

    /**
     * The validity bitmap of a column, whole (row {@code r} is bit {@code offset() + r}), read-only.
     *
     * @param col the column index
     * @return the bitmap, or {@code MemorySegment.NULL} if the column has none (not nullable)
     * @throws IndexOutOfBoundsException if {@code col} is out of range
     */
    public MemorySegment validity(int col) {
        return columns[Objects.checkIndex(col, columns.length)].validity();
    }

    /**
     * The values buffer of a column, whole, read-only: fixed-width values, the BOOL bitmap, the bytes of
     * UTF8/BINARY, or the child values of a LIST.
     *
     * @param col the column index
     * @return the buffer
     * @throws IndexOutOfBoundsException if {@code col} is out of range
     */
    public MemorySegment values(int col) {
        return columns[Objects.checkIndex(col, columns.length)].values();
    }

    /**
     * The int32 offsets of a UTF8, BINARY or LIST column, whole ({@code offset() + rows() + 1} or more
     * entries), read-only.
     *
     * @param col the column index
     * @return the offsets
     * @throws IndexOutOfBoundsException if {@code col} is out of range
     * @throws IllegalArgumentException if the column has no offsets (a fixed-width type)
     */
    public MemorySegment offsets(int col) {
        return columns[typed(col, "offsets", ColumnType.UTF8, ColumnType.BINARY, ColumnType.LIST)].offsets();
    }

    // ---- views and lifetime --------------------------------------------------------------------

    /**
     * A view of rows {@code [from, to)}, with no copy. The slice holds this batch's memory until the
     * slice is closed; closing this batch does not invalidate the slice.
     *
     * @param from the first row, inclusive
     * @param to the last row, exclusive
     * @return the slice (close it when done)
     * @throws IndexOutOfBoundsException if {@code [from, to)} is not inside {@code [0, rows())}
     * @throws IllegalStateException if the batch was closed and every hold on it released
     */
    public ColumnBatch slice(int from, int to) {
        Objects.checkFromToIndex(from, to, rows);
        Hold hold = lifetime.retain("slice");
        return new ColumnBatch(domain, schema, to - from, offset + from, columns, segment, imported, lifetime, hold);
    }

    /**
     * Whether this batch (this view, for a slice) was closed.
     *
     * @return true once {@link #close()} was called
     */
    public boolean isClosed() {
        return ownHold != null ? ownHold.isReleased() : lifetime.isClosed();
    }

    /**
     * The holds on this batch's memory still open (slices, exports, streams, windows), with where each
     * was taken, oldest first; shared by a batch and its slices.
     *
     * @return a snapshot
     */
    public List<HoldInfo> openHolds() {
        return lifetime.openHolds();
    }

    /**
     * Closes this batch; idempotent. A slice releases its hold on the batch. A batch hands its memory to
     * the epoch domain ({@code retire}, or for an imported batch the producer's release through
     * {@code defer}) once it is closed and every hold is released; holds still open are logged (DEBUG,
     * with where they were taken) and counted in {@link ZeroCopyStats}. If the domain is already closed,
     * the memory is freed once the domain's close has completed (every guard closed); a thread that
     * cannot wait for that (it holds a guard of the domain) leaks it instead, with a WARNING.
     *
     * @throws RuntimeException what the domain throws when it cannot take the memory (a garbage budget
     *     exceeded with policy FAIL); the memory then stays allocated
     */
    @Override
    public void close() {
        if (ownHold != null) {
            ownHold.release();
        } else {
            lifetime.close();
        }
    }

    @Override
    public String toString() {
        return "ColumnBatch[" + lifetime.label() + (ownHold != null ? ", slice [" + offset + ", +" + rows + ")" : "")
                + (isClosed() ? ", closed" : "") + "]";
    }

    // ---- checks -------------------------------------------------------------------------------

    private long at(int row) {
        return offset + (long) Objects.checkIndex(row, rows);
    }

    private int typed(int col, String op, ColumnType expected, ColumnType alternative) {
        ColumnType type = columns[Objects.checkIndex(col, columns.length)].type();
        if (type != expected && type != alternative) {
            throw wrongType(col, op, expected + (alternative == null ? "" : " or " + alternative));
        }
        return col;
    }

    private int typed(int col, String op, ColumnType a, ColumnType b, ColumnType c) {
        ColumnType type = columns[Objects.checkIndex(col, columns.length)].type();
        if (type != a && type != b && type != c) {
            throw wrongType(col, op, a + ", " + b + " or " + c);
        }
        return col;
    }

    private IllegalArgumentException wrongType(int col, String op, String expected) {
        Field field = schema.field(col);
        return new IllegalArgumentException(op + " needs a column of type " + expected + ": column " + col
                + " '" + field.name() + "' is " + field.type());
    }

    // ---- for the module's other classes ------------------------------------------------------

    ColumnData columnData(int col) {
        return columns[Objects.checkIndex(col, columns.length)];
    }

    BatchLifetime lifetime() {
        return lifetime;
    }

    static {
        BatchAccess.register(new ColumnBatchBridge());
    }

    // ---- builders -----------------------------------------------------------------------------

    /**
     * Builds a batch row by row: for each row, set every column exactly once (a value or
     * {@link #appendNull}), then {@link #endRow()}; finally {@link #build()}. Values are kept in on-heap
     * scratch buffers and copied into the batch's one segment by {@code build()}. Not thread-safe.
     *
     * <p>Each append checks the column index, the column's type and that the column is not set yet in
     * this row, and changes nothing when it throws. After {@code build()} or {@code close()} every
     * append throws {@link IllegalStateException}.
     */
    public sealed interface Builder extends AutoCloseable permits RowBuilder {

        /**
         * Sets an INT8 column of the current row.
         *
         * @param col the column index
         * @param value the value
         * @return this builder
         * @throws IndexOutOfBoundsException if {@code col} is not a column
         * @throws IllegalArgumentException if the column is not INT8
         * @throws IllegalStateException if the column is already set in this row, or the builder was
         *     built or closed
         */
        Builder appendByte(int col, byte value);

        /**
         * Sets an INT16 column of the current row; see {@link #appendByte} for the exceptions.
         *
         * @param col the column index
         * @param value the value
         * @return this builder
         */
        Builder appendShort(int col, short value);

        /**
         * Sets an INT32 column of the current row; see {@link #appendByte} for the exceptions.
         *
         * @param col the column index
         * @param value the value
         * @return this builder
         */
        Builder appendInt(int col, int value);

        /**
         * Sets an INT64 (or TIMESTAMP, as microseconds) column of the current row; see
         * {@link #appendByte} for the exceptions.
         *
         * @param col the column index
         * @param value the value
         * @return this builder
         */
        Builder appendLong(int col, long value);

        /**
         * Sets a FLOAT32 column of the current row; see {@link #appendByte} for the exceptions.
         *
         * @param col the column index
         * @param value the value
         * @return this builder
         */
        Builder appendFloat(int col, float value);

        /**
         * Sets a FLOAT64 column of the current row; see {@link #appendByte} for the exceptions.
         *
         * @param col the column index
         * @param value the value
         * @return this builder
         */
        Builder appendDouble(int col, double value);

        /**
         * Sets a BOOL column of the current row; see {@link #appendByte} for the exceptions.
         *
         * @param col the column index
         * @param value the value
         * @return this builder
         */
        Builder appendBoolean(int col, boolean value);

        /**
         * Sets a TIMESTAMP column of the current row; see {@link #appendByte} for the exceptions.
         *
         * @param col the column index
         * @param micros microseconds since the Unix epoch, UTC
         * @return this builder
         */
        Builder appendTimestamp(int col, long micros);

        /**
         * Sets a UTF8 column of the current row (null appends a null); see {@link #appendByte} and
         * {@link #appendNull} for the exceptions.
         *
         * @param col the column index
         * @param value the string, or null
         * @return this builder
         */
        Builder appendString(int col, String value);

        /**
         * Sets a BINARY column of the current row (copied; null appends a null); see
         * {@link #appendByte} and {@link #appendNull} for the exceptions.
         *
         * @param col the column index
         * @param value the bytes, or null
         * @return this builder
         */
        Builder appendBytes(int col, byte[] value);

        /**
         * Sets a LIST column with an INT64 or TIMESTAMP child of the current row (copied; null appends a
         * null); see {@link #appendByte} for the exceptions (the child type must match).
         *
         * @param col the column index
         * @param values the elements, or null
         * @return this builder
         */
        Builder appendList(int col, long[] values);

        /**
         * Sets a LIST column with an INT32 child; see {@link #appendList(int, long[])}.
         *
         * @param col the column index
         * @param values the elements, or null
         * @return this builder
         */
        Builder appendList(int col, int[] values);

        /**
         * Sets a LIST column with an INT16 child; see {@link #appendList(int, long[])}.
         *
         * @param col the column index
         * @param values the elements, or null
         * @return this builder
         */
        Builder appendList(int col, short[] values);

        /**
         * Sets a LIST column with an INT8 child; see {@link #appendList(int, long[])}.
         *
         * @param col the column index
         * @param values the elements, or null
         * @return this builder
         */
        Builder appendList(int col, byte[] values);

        /**
         * Sets a LIST column with a FLOAT64 child; see {@link #appendList(int, long[])}.
         *
         * @param col the column index
         * @param values the elements, or null
         * @return this builder
         */
        Builder appendList(int col, double[] values);

        /**
         * Sets a LIST column with a FLOAT32 child; see {@link #appendList(int, long[])}.
         *
         * @param col the column index
         * @param values the elements, or null
         * @return this builder
         */
        Builder appendList(int col, float[] values);

        /**
         * Sets a column of the current row to null.
         *
         * @param col the column index
         * @return this builder
         * @throws IndexOutOfBoundsException if {@code col} is not a column
         * @throws IllegalArgumentException if the column is not nullable
         * @throws IllegalStateException if the column is already set in this row, or the builder was
         *     built or closed
         */
        Builder appendNull(int col);

        /**
         * Ends the current row.
         *
         * @return this builder
         * @throws IllegalStateException if a column is not set in this row (the message names them;
         *     the row stays open), or the builder was built or closed
         */
        Builder endRow();

        /**
         * The number of rows ended so far.
         *
         * @return the row count
         */
        int rows();

        /**
         * Seals the rows ended so far into a batch in one native segment and frees the scratch
         * buffers. A failure frees whatever it allocated.
         *
         * @return the batch (close it when done)
         * @throws IllegalStateException if a row was started and not ended, the builder was built or
         *     closed, or the domain is closed
         */
        ColumnBatch build();

        /** Drops the scratch buffers if the batch was never built; idempotent. */
        @Override
        void close();
    }

    /**
     * Builds a batch of a fixed number of rows column by column, each column given whole with bulk
     * copies (a million rows are one call per column, not a million). Every column must be given once;
     * a nullable column without {@code setValidity} has no nulls (except UTF8/BINARY from arrays with
     * null elements). Arrays and segments are copied when given. Not thread-safe.
     *
     * <p>Every setter checks the column index, the column's type, the length ({@code rows} values)
     * and that the column is not set yet, and changes nothing when it throws.
     */
    public sealed interface ColumnarBuilder extends AutoCloseable permits ColumnWiseBuilder {

        /**
         * Sets an INT8 column.
         *
         * @param col the column index
         * @param values {@code rows} values
         * @return this builder
         * @throws IndexOutOfBoundsException if {@code col} is not a column
         * @throws IllegalArgumentException if the type or the length does not match
         * @throws IllegalStateException if the column was set already, or the builder was built or closed
         */
        ColumnarBuilder setInt8(int col, byte[] values);

        /**
         * Sets an INT16 column; see {@link #setInt8} for the exceptions.
         *
         * @param col the column index
         * @param values {@code rows} values
         * @return this builder
         */
        ColumnarBuilder setInt16(int col, short[] values);

        /**
         * Sets an INT32 column; see {@link #setInt8} for the exceptions.
         *
         * @param col the column index
         * @param values {@code rows} values
         * @return this builder
         */
        ColumnarBuilder setInt32(int col, int[] values);

        /**
         * Sets an INT64 or TIMESTAMP column; see {@link #setInt8} for the exceptions.
         *
         * @param col the column index
         * @param values {@code rows} values
         * @return this builder
         */
        ColumnarBuilder setInt64(int col, long[] values);

        /**
         * Sets a FLOAT32 column; see {@link #setInt8} for the exceptions.
         *
         * @param col the column index
         * @param values {@code rows} values
         * @return this builder
         */
        ColumnarBuilder setFloat32(int col, float[] values);

        /**
         * Sets a TIMESTAMP column (microseconds since the Unix epoch, UTC); see {@link #setInt8} for
         * the exceptions.
         *
         * @param col the column index
         * @param micros {@code rows} values
         * @return this builder
         */
        ColumnarBuilder setTimestamp(int col, long[] micros);

        /**
         * Sets a FLOAT64 column; see {@link #setInt8} for the exceptions.
         *
         * @param col the column index
         * @param values {@code rows} values
         * @return this builder
         */
        ColumnarBuilder setFloat64(int col, double[] values);

        /**
         * Sets a BOOL column; see {@link #setInt8} for the exceptions.
         *
         * @param col the column index
         * @param values {@code rows} values
         * @return this builder
         */
        ColumnarBuilder setBool(int col, boolean[] values);

        /**
         * Sets a UTF8 column; a null element is a null row (the column must be nullable, and
         * {@code setValidity} must not be called for it). See {@link #setInt8} for the exceptions.
         *
         * @param col the column index
         * @param values {@code rows} strings or nulls
         * @return this builder
         */
        ColumnarBuilder setUtf8(int col, String[] values);

        /**
         * Sets a BINARY column; null elements as in {@link #setUtf8}.
         *
         * @param col the column index
         * @param values {@code rows} byte arrays or nulls
         * @return this builder
         */
        ColumnarBuilder setBinary(int col, byte[][] values);

        /**
         * Sets a fixed-width column from raw values in native byte order: {@code rows * byteWidth}
         * bytes, or for BOOL a bitmap of {@code ceil(rows / 8)} bytes (LSB first).
         *
         * @param col the column index
         * @param values at least that many bytes (the rest is ignored)
         * @return this builder
         * @throws IllegalArgumentException if the column is not fixed-width or the segment is too short
         */
        ColumnarBuilder setFixed(int col, MemorySegment values);

        /**
         * Sets a UTF8, BINARY or LIST column from Arrow buffers: {@code rows + 1} int32 offsets
         * (non-decreasing, in elements of the child type for a LIST) into {@code data}.
         *
         * @param col the column index
         * @param offsets at least {@code (rows + 1) * 4} bytes of offsets
         * @param data the bytes (UTF8, BINARY) or child values (LIST) the offsets point into
         * @return this builder
         * @throws IllegalArgumentException if the column has no offsets, or the offsets are decreasing
         *     or point outside {@code data}
         */
        ColumnarBuilder setVariable(int col, MemorySegment offsets, MemorySegment data);

        /**
         * Sets which rows of a nullable column are present.
         *
         * @param col the column index
         * @param valid {@code rows} flags, true = present
         * @return this builder
         * @throws IllegalArgumentException if the column is not nullable and a flag is false, or the
         *     length is not {@code rows}
         * @throws IllegalStateException if validity was set already for the column
         */
        ColumnarBuilder setValidity(int col, boolean[] valid);

        /**
         * Sets which rows of a nullable column are present from an Arrow bitmap (LSB first, bit set =
         * present).
         *
         * @param col the column index
         * @param bitmap at least {@code ceil(rows / 8)} bytes
         * @return this builder
         * @throws IllegalArgumentException as {@link #setValidity(int, boolean[])}
         * @throws IllegalStateException if validity was set already for the column
         */
        ColumnarBuilder setValidity(int col, MemorySegment bitmap);

        /**
         * Seals the columns into a batch in one native segment. A failure frees whatever it allocated.
         *
         * @return the batch
         * @throws IllegalStateException if a column was not set (the message names them), the builder
         *     was built or closed, or the domain is closed
         */
        ColumnBatch build();

        /** Drops what was given if the batch was never built; idempotent. */
        @Override
        void close();
    }
}
