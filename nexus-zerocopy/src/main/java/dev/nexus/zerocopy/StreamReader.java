package dev.nexus.zerocopy;

import dev.nexus.zerocopy.internal.stream.CursorSet;
import dev.nexus.zerocopy.internal.stream.StreamNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * A reader of a {@link BatchStream}'s batches, with its own cursor: {@link #next()} returns the batches
 * in append order, {@link #hasNext()} blocks until a batch is appended or the stream is finished. As
 * an {@code Iterator<ColumnBatch>} that is also {@link AutoCloseable} it is what
 * {@code ArrowExport.exportStream(schema, iterator, arrowArrayStream)} consumes.
 *
 * <p><b>Guarantees.</b> The batch returned by {@code next()} stays readable (the stream keeps its
 * hold) until the following {@code next()} or {@link #close()} of this reader; then the cursor has
 * passed it, and the stream retires it once every other cursor has too. To keep a batch longer, take
 * a {@link ColumnBatch#slice(int, int) slice} of it before moving on.
 *
 * <p><b>Progress.</b> {@code next()} of an appended batch is a lock-free acquire load plus the
 * stream's lock to move the cursor; {@code hasNext()} and {@link #awaitNext()} block until a batch is
 * appended or the stream finished; {@link #awaitNext(Duration)} waits at most its timeout.
 *
 * <p>Not thread-safe: one thread at a time; hand the reader over with a happens-before edge.
 *
 * <p>Memory effects: see {@link BatchStream}.
 */
public final class StreamReader implements Iterator<ColumnBatch>, AutoCloseable {

    private final BatchStream stream;
    private final CursorSet.Cursor cursor;
    /** The node of the next batch to return (the stream's tail while none is appended). */
    private StreamNode position;
    private long returned;
    private boolean closed;

    StreamReader(BatchStream stream, CursorSet.Cursor cursor, StreamNode start) {
        this.stream = stream;
        this.cursor = cursor;
        this.position = start;
    }

    /**
     * Whether a next batch exists; blocks until a batch is appended or the stream is finished.
     *
     * @return false once the stream is finished and every batch returned
     * @throws CancellationException if the thread is interrupted while waiting; its interrupt status
     *     is set again and the {@link InterruptedException} is the cause
     * @throws IllegalStateException if this reader or the stream is closed
     */
    @Override
    public boolean hasNext() {
        checkOpen();
        try {
            return stream.awaitFilled(position);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /**
     * The next batch; blocks like {@link #hasNext()}. The previous batch returned is passed.
     *
     * @return the next batch, readable until the next call of {@code next()} or {@code close()}
     * @throws NoSuchElementException if the stream is finished and every batch was returned
     * @throws CancellationException if interrupted while waiting (interrupt status set again)
     * @throws IllegalStateException if this reader or the stream is closed
     */
    @Override
    public ColumnBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException(stream + " is finished: all " + returned
                    + " batches were returned to this reader");
        }
        return take();
    }

    /**
     * The next batch, waiting for it with a checked {@link InterruptedException}.
     *
     * @return the next batch, or null once the stream is finished and every batch was returned
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if this reader or the stream is closed
     */
    public ColumnBatch awaitNext() throws InterruptedException {
        checkOpen();
        return stream.awaitFilled(position) ? take() : null;
    }

    /**
     * The next batch, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return the next batch, or null once the stream is finished and every batch was returned
     * @throws InterruptedException if interrupted while waiting
     * @throws TimeoutException if no batch was appended and the stream not finished in time
     * @throws IllegalStateException if this reader or the stream is closed
     */
    public ColumnBatch awaitNext(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        checkOpen();
        int state = stream.awaitFilled(position, Math.max(0, timeout.toNanos()));
        if (state < 0) {
            throw new TimeoutException("no batch appended to " + stream + " within " + timeout);
        }
        return state > 0 ? take() : null;
    }

    private ColumnBatch take() {
        StreamNode node = position;
        StreamNode next = node.nextAcquire();
        assert next != null : "take() before the node is filled";
        // the cursor still needs node.seq - 1 (or less) here, so node cannot be retired under us;
        // moving it to node.seq passes the previous batch and protects this one
        stream.advance(cursor, node.seq);
        position = next;
        returned++;
        return node.batch();
    }

    /**
     * Number of batches this reader has returned.
     *
     * @return the count
     */
    public long returned() {
        return returned;
    }

    /**
     * The stream read.
     *
     * @return the stream
     */
    public BatchStream stream() {
        return stream;
    }

    /**
     * Closes the reader: its cursor passes the last batch returned (which may then be retired).
     * Batches not yet returned stay for other cursors. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stream.closeCursor(cursor, position.seq);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this reader of " + stream + " is closed");
        }
        stream.checkOpen();
    }

    static CancellationException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        CancellationException cancelled = new CancellationException("interrupted while waiting for a batch");
        cancelled.initCause(e);
        return cancelled;
    }
}
