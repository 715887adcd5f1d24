package dev.nexus.zerocopy;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A window of a {@link BatchStream}: a range of consecutive stream rows, possibly spanning several
 * batches, seen in place. It is a list of pieces, one per batch it touches, each a zero-copy
 * {@linkplain ColumnBatch#slice(int, int) slice} {@code batch.slice(from, to)} of that batch, plus
 * typed reads by window row ({@code 0 <= row < rows()}) that find the piece for the row.
 *
 * <pre>{@code
 * try (Window w = windows.next()) {
 *     for (ColumnBatch piece : w.pieces()) {             // vectorised: each piece's buffers
 *         MemorySegment prices = piece.values(1);        // whole buffer; rows start at piece.offset()
 *         ...
 *     }
 *     double first = w.getDouble(1, 0);                  // or by window row
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> Each piece holds its batch until the window is closed, whatever the stream
 * and the batch's owner do meanwhile (the stream may retire the batch, its owner may close it: the
 * memory stays). {@link #close()} closes every piece, idempotently, from any thread.
 *
 * <p><b>Progress.</b> Reads are wait-free: a binary search over the pieces (usually few) and the
 * batch's own read. A window is immutable; reads may run on several threads at once once the window
 * has been handed over with a happens-before edge; {@code close()} must happen-after all of them.
 *
 * <p>Memory effects: see {@link BatchStream}.
 */
public final class Window implements AutoCloseable {

    private final ColumnBatch[] pieces;
    /** {@code starts[i]}: window row of piece i's first row; {@code starts[pieces.length] == rows}. */
    private final int[] starts;
    private final long firstRow;
    private final boolean timeWindow;
    private final long startTime;
    private final long endTime;
    private final AtomicBoolean closed = new AtomicBoolean();

    Window(ColumnBatch[] pieces, long firstRow, boolean timeWindow, long startTime, long endTime) {
        this.pieces = pieces;
        this.starts = new int[pieces.length + 1];
        long rows = 0;
        for (int i = 0; i < pieces.length; i++) {
            starts[i] = (int) rows;
            rows += pieces[i].rows();
        }
        assert rows <= Integer.MAX_VALUE : "window of " + rows + " rows";
        starts[pieces.length] = (int) rows;
        this.firstRow = firstRow;
        this.timeWindow = timeWindow;
        this.startTime = startTime;
        this.endTime = endTime;
    }

    /**
     * Rows in the window.
     *
     * @return the row count, {@code >= 1}
     */
    public int rows() {
        return starts[pieces.length];
    }

    /**
     * Stream row index of the window's first row (rows counted from the stream's first row).
     *
     * @return the row index
     */
    public long firstRow() {
        return firstRow;
    }

    /**
     * The pieces, in row order: one zero-copy slice per batch the window touches.
     *
     * @return an unmodifiable list of slices, valid until {@link #close()}
     */
    public List<ColumnBatch> pieces() {
        return List.of(pieces);
    }

    /**
     * Number of pieces.
     *
     * @return the count
     */
    public int pieceCount() {
        return pieces.length;
    }

    /**
     * Piece {@code i}.
     *
     * @param i piece index
     * @return the slice
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public ColumnBatch piece(int i) {
        return pieces[Objects.checkIndex(i, pieces.length)];
    }

    /**
     * Window row of the first row of piece {@code i}.
     *
     * @param i piece index, {@code 0 <= i <= pieceCount()} ({@code pieceCount()} gives {@code rows()})
     * @return the window row
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public int pieceStart(int i) {
        return starts[Objects.checkIndex(i, starts.length)];
    }

    /**
     * Whether this is an event-time window ({@link BatchStream#timeWindows}).
     *
     * @return true for a time window, false for a count window
     */
    public boolean isTimeWindow() {
        return timeWindow;
    }

    /**
     * Start of a time window (inclusive), in event-time units.
     *
     * @return the start
     * @throws IllegalStateException for a count window
     */
    public long startTime() {
        checkTime();
        return startTime;
    }

    /**
     * End of a time window (exclusive), in event-time units.
     *
     * @return the end
     * @throws IllegalStateException for a count window
     */
    public long endTime() {
        checkTime();
        return endTime;
    }

    /**
     * The schema of the stream.
     *
     * @return the schema
     */
    public Schema schema() {
        return pieces[0].schema();
    }

    /**
     * Whether the value is null.
     *
     * @param column column index
     * @param row window row
     * @return true if null
     */
    public boolean isNull(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].isNull(column, row - starts[p]);
    }

    /**
     * An INT8 value.
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public byte getByte(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getByte(column, row - starts[p]);
    }

    /**
     * An INT16 value.
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public short getShort(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getShort(column, row - starts[p]);
    }

    /**
     * An INT32 value.
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public int getInt(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getInt(column, row - starts[p]);
    }

    /**
     * An INT64 value.
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public long getLong(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getLong(column, row - starts[p]);
    }

    /**
     * A FLOAT32 value.
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public float getFloat(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getFloat(column, row - starts[p]);
    }

    /**
     * A FLOAT64 value.
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public double getDouble(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getDouble(column, row - starts[p]);
    }

    /**
     * A BOOL value.
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public boolean getBoolean(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getBoolean(column, row - starts[p]);
    }

    /**
     * A UTF8 value, decoded.
     *
     * @param column column index
     * @param row window row
     * @return the string
     */
    public String getString(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getString(column, row - starts[p]);
    }

    /**
     * A BINARY value, copied.
     *
     * @param column column index
     * @param row window row
     * @return the bytes
     */
    public byte[] getBytes(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getBytes(column, row - starts[p]);
    }

    /**
     * A TIMESTAMP value (microseconds since the Unix epoch, UTC).
     *
     * @param column column index
     * @param row window row
     * @return the value
     */
    public long getTimestamp(int column, int row) {
        int p = pieceOf(row);
        return pieces[p].getTimestamp(column, row - starts[p]);
    }

    /**
     * Closes every piece (each releases its batch). Idempotent; callable from any thread.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeAll(pieces, pieces.length);
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return (timeWindow ? "time window [" + startTime + ", " + endTime + ") " : "count window ")
                + "of " + rows() + " rows from stream row " + firstRow + " in " + pieces.length + " pieces";
    }

    /** Closes {@code pieces[0..count)}, every one even if some throw; rethrows the first failure. */
    static void closeAll(ColumnBatch[] pieces, int count) {
        RuntimeException failure = null;
        for (int i = 0; i < count; i++) {
            try {
                pieces[i].close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private int pieceOf(int row) {
        Objects.checkIndex(row, rows());
        if (pieces.length == 1) {
            return 0;
        }
        int i = Arrays.binarySearch(starts, 0, pieces.length, row);
        return i >= 0 ? i : -i - 2;
    }

    private void checkTime() {
        if (!timeWindow) {
            throw new IllegalStateException("a count window has no event-time bounds: " + this);
        }
    }
}
