package dev.nexus.zerocopy;

import dev.nexus.zerocopy.internal.stream.CursorSet;
import dev.nexus.zerocopy.internal.stream.EventTime;
import dev.nexus.zerocopy.internal.stream.StreamNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;

/**
 * A reader of a {@link BatchStream}'s windows ({@link BatchStream#countWindows},
 * {@link BatchStream#timeWindows}), with its own cursor. {@link #hasNext()} blocks until the next
 * window is complete (all its rows appended) or the stream ends.
 *
 * <p><b>Guarantees.</b> Windows come in order of their start. Each {@link Window} handed out holds
 * its pieces until the caller closes it (close every window). The cursor passes a batch once the next
 * window to hand out starts after the batch: count windows pass batches below the next window's first
 * row; time windows pass batches whose last event time is below the next window's start.
 *
 * <p><b>Progress.</b> Blocking, interruptibly, while the next window is incomplete; otherwise a walk
 * over the batches the window spans (binary searches of the event-time column for time windows), one
 * {@link ColumnBatch#slice slice} per piece, and the stream's lock once per batch passed.
 *
 * <p>Not thread-safe: one thread at a time; hand the reader over with a happens-before edge.
 *
 * <p>Memory effects: see {@link BatchStream}.
 */
public final class WindowReader implements Iterator<Window>, AutoCloseable {

    /*
     * Implementation notes.
     *
     * `node` is the oldest batch the next window may touch and the cursor's position (cursor.needed
     * == node.seq); it only moves forward (moveTo), and only to a node whose predecessors no future
     * window can reach. `lowRow` is a lower bound of the next window's first row (stream row index).
     * Count windows: the next window is [nextRow, nextRow + size). Time windows: [nextStart,
     * nextStart + size), found by seeking the first row >= lowRow whose time is >= nextStart; a window
     * that would be empty moves nextStart to the first grid start whose window contains that row.
     * A wait (or an interrupt during one) leaves the state as it was: the search is redone.
     */

    private final BatchStream stream;
    private final CursorSet.Cursor cursor;
    private final boolean time;
    private final long size;
    private final long slide;
    private final int timeColumn;

    private StreamNode node;
    private long lowRow;
    private long nextRow;
    private long nextStart;
    private boolean started;
    private Window pending;
    private boolean ended;
    private long handedOut;
    private boolean closed;

    WindowReader(BatchStream stream, CursorSet.Cursor cursor, StreamNode start, boolean time, long size,
            long slide) {
        this.stream = stream;
        this.cursor = cursor;
        this.node = start;
        this.time = time;
        this.size = size;
        this.slide = slide;
        this.timeColumn = stream.eventTimeColumn();
        this.lowRow = start.firstRow;
        this.nextRow = start.firstRow;
    }

    /**
     * Whether another window exists; blocks until it is complete or the stream ends.
     *
     * @return false once the stream is finished and no window is left
     * @throws CancellationException if interrupted while waiting; the interrupt status is set again
     *     and the {@link InterruptedException} is the cause
     * @throws IllegalStateException if this reader or the stream is closed
     */
    @Override
    public boolean hasNext() {
        try {
            return prepare();
        } catch (InterruptedException e) {
            throw StreamReader.interrupted(e);
        }
    }

    /**
     * The next window; blocks like {@link #hasNext()}. The caller owns it: close it.
     *
     * @return the window
     * @throws NoSuchElementException if the stream is finished and no window is left
     * @throws CancellationException if interrupted while waiting (interrupt status set again)
     * @throws IllegalStateException if this reader or the stream is closed
     */
    @Override
    public Window next() {
        if (!hasNext()) {
            throw new NoSuchElementException(stream + " is finished: all " + handedOut
                    + " windows were handed out to this reader");
        }
        return take();
    }

    /**
     * The next window, waiting with a checked {@link InterruptedException}.
     *
     * @return the window (the caller closes it), or null once the stream is finished and no window
     *     is left
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if this reader or the stream is closed
     */
    public Window awaitNext() throws InterruptedException {
        return prepare() ? take() : null;
    }

    /**
     * Number of windows handed out.
     *
     * @return the count
     */
    public long handedOut() {
        return handedOut;
    }

    /**
     * Closes the reader and its cursor (a window computed by {@code hasNext()} but not taken is
     * closed too). Windows handed out stay valid until closed. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pending != null) {
            pending.close();
            pending = null;
        }
        stream.closeCursor(cursor, node.seq);
    }

    private Window take() {
        Window window = pending;
        pending = null;
        handedOut++;
        return window;
    }

    private boolean prepare() throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("this window reader of " + stream + " is closed");
        }
        stream.checkOpen();
        if (pending != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        pending = time ? nextTimeWindow() : nextCountWindow();
        ended = pending == null;
        return !ended;
    }

    // ---- count windows --------------------------------------------------------------------------

    private Window nextCountWindow() throws InterruptedException {
        long start = nextRow;
        long end = start + size;
        if (!seekRow(start)) {
            return null;
        }
        List<Piece> pieces = new ArrayList<>();
        StreamNode q = node;
        while (true) {
            addPiece(pieces, q, start, end);
            if (q.endRow() >= end) {
                break;
            }
            StreamNode next = q.nextAcquire();
            if (!stream.awaitFilled(next)) {
                return null; // the stream ended inside the window: only full windows are handed out
            }
            q = next;
        }
        Window window = cut(pieces, start, false, 0, 0);
        nextRow = start + slide;
        lowRow = nextRow;
        skipPassedRows();
        return window;
    }

    /** Moves to the node holding stream row {@code row}; false if the stream ends before it. */
    private boolean seekRow(long row) throws InterruptedException {
        while (true) {
            StreamNode n = node;
            if (!stream.awaitFilled(n)) {
                return false;
            }
            if (row < n.endRow()) {
                return true;
            }
            moveTo(n.nextAcquire());
        }
    }

    /** Without blocking: passes the appended batches that end at or before {@code lowRow}. */
    private void skipPassedRows() {
        StreamNode n = node;
        StreamNode next;
        while ((next = n.nextAcquire()) != null && n.endRow() <= lowRow) {
            n = next;
        }
        moveTo(n);
    }

    // ---- time windows ---------------------------------------------------------------------------

    private Window nextTimeWindow() throws InterruptedException {
        if (!started) {
            long first = seekTime(Long.MIN_VALUE);
            if (first < 0) {
                return null;
            }
            nextStart = EventTime.firstWindowStart(timeAt(first), size, slide);
            started = true;
        }
        while (true) {
            long row = seekTime(nextStart);
            if (row < 0) {
                return null;
            }
            long t = timeAt(row);
            long end = EventTime.windowEnd(nextStart, size);
            if (t >= end) { // empty window: jump to the first window that holds this row
                nextStart = Math.max(nextStart + slide, EventTime.firstWindowStart(t, size, slide));
                continue;
            }
            List<Piece> pieces = new ArrayList<>();
            StreamNode q = node;
            while (true) {
                int from = (int) (Math.max(row, q.firstRow) - q.firstRow);
                if (q.rows() > 0 && q.lastTime() >= end) {
                    int to = EventTime.lowerBound(q.batch(), timeColumn, from, q.rows(), end);
                    addPiece(pieces, q, q.firstRow + from, q.firstRow + to);
                    break;
                }
                addPiece(pieces, q, q.firstRow + from, q.endRow());
                StreamNode next = q.nextAcquire();
                if (!stream.awaitFilled(next)) {
                    break; // finished: the window ends with the stream
                }
                q = next;
            }
            Window window = cut(pieces, row, true, nextStart, end);
            nextStart = nextStart + slide;
            skipPassedTimes();
            return window;
        }
    }

    /**
     * The stream row of the first row at or after {@code lowRow} whose time is {@code >= t}, moving
     * {@code node} to its batch (and {@code lowRow} to it); -1 if the stream ends without one.
     */
    private long seekTime(long t) throws InterruptedException {
        while (true) {
            StreamNode n = node;
            if (!stream.awaitFilled(n)) {
                return -1;
            }
            int from = (int) Math.max(0, lowRow - n.firstRow);
            if (from < n.rows() && n.lastTime() >= t) {
                int row = EventTime.lowerBound(n.batch(), timeColumn, from, n.rows(), t);
                lowRow = n.firstRow + row;
                return lowRow;
            }
            moveTo(n.nextAcquire()); // every row of n is before t: no later window holds it
        }
    }

    /** Without blocking: passes the appended batches whose rows are all before {@code nextStart}. */
    private void skipPassedTimes() {
        StreamNode n = node;
        StreamNode next;
        while ((next = n.nextAcquire()) != null && (n.rows() == 0 || n.lastTime() < nextStart)) {
            n = next;
        }
        if (n != node) {
            lowRow = Math.max(lowRow, n.firstRow);
            moveTo(n);
        }
    }

    private long timeAt(long row) {
        return EventTime.at(node.batch(), timeColumn, (int) (row - node.firstRow));
    }

    // ---- shared -----------------------------------------------------------------------------------

    /** A piece to cut: rows {@code [from, to)} of the node's batch (batch-local). */
    private record Piece(StreamNode node, int from, int to) {
    }

    private static void addPiece(List<Piece> pieces, StreamNode q, long start, long end) {
        long from = Math.max(start, q.firstRow);
        long to = Math.min(end, q.endRow());
        if (to > from) {
            pieces.add(new Piece(q, (int) (from - q.firstRow), (int) (to - q.firstRow)));
        }
    }

    /**
     * Slices the pieces (every node from {@code node} on is still held by the stream: the cursor
     * needs it) into a window; on failure the slices made so far are closed.
     */
    private Window cut(List<Piece> pieces, long firstRow, boolean timeWindow, long start, long end) {
        long rows = 0;
        for (Piece piece : pieces) {
            rows += piece.to - piece.from;
        }
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalStateException("a window of " + stream + " would hold " + rows
                    + " rows, more than " + Integer.MAX_VALUE + ": use smaller windows");
        }
        ColumnBatch[] slices = new ColumnBatch[pieces.size()];
        int made = 0;
        try {
            for (Piece piece : pieces) {
                slices[made] = piece.node.batch().slice(piece.from, piece.to);
                made++;
            }
        } catch (RuntimeException e) {
            try {
                Window.closeAll(slices, made);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new Window(slices, firstRow, timeWindow, start, end);
    }

    private void moveTo(StreamNode n) {
        if (n != node) {
            node = n;
            stream.advance(cursor, n.seq);
        }
    }
}
