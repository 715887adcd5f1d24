package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.Hold;
import dev.nexus.zerocopy.internal.stream.CursorSet;
import dev.nexus.zerocopy.internal.stream.EventTime;
import dev.nexus.zerocopy.internal.stream.StreamNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only sequence of sealed {@link ColumnBatch}es of one {@link Schema}, read by many readers,
 * each at its own pace through its own cursor: {@link #reader()} hands out the batches one by one,
 * {@link #countWindows} and {@link #timeWindows} hand out tumbling or sliding windows as row ranges
 * across batches ({@link Window}), without copying a row.
 *
 * <pre>{@code
 * BatchStream stream = BatchStream.create(domain, schema, "ts");   // "ts": the event-time column
 * try (WindowReader windows = stream.timeWindows(60_000_000, 10_000_000)) {   // 1 min every 10 s
 *     // another thread: stream.append(batch); batch.close(); ... stream.finish();
 *     while (windows.hasNext()) {
 *         try (Window w = windows.next()) {
 *             for (int row = 0; row < w.rows(); row++) { sum += w.getDouble(1, row); }
 *         }
 *     }
 * }
 * stream.close();
 * }</pre>
 *
 * <p><b>Caller assumptions.</b> Every appended batch has exactly the stream's schema. The caller keeps
 * ownership of the batches it appends and closes them when it likes (right after {@code append} is
 * fine): the stream takes its own hold on each batch, so the batch's memory stays until the stream
 * lets go of it too. A reader ({@link StreamReader}, {@link WindowReader}) is used by one thread at a
 * time; handing it to another thread needs a happens-before edge (DuckDB's worker threads calling an
 * exported stream's {@code get_next} in turn satisfy this).
 *
 * <p><b>Guarantees.</b>
 * <ul>
 *   <li>Every reader sees every batch appended after the oldest batch the stream still held when the
 *       reader was opened, in append order, exactly once.</li>
 *   <li>Retirement: the stream releases its hold on a batch (its memory then goes back through the
 *       {@linkplain EpochDomain epoch domain} once the batch is closed and every other hold is
 *       released) as soon as every open cursor has passed it. A {@link StreamReader} has passed a
 *       batch once {@code next()} returned a later one, or it was closed; a {@link WindowReader} once
 *       the next window it will hand out starts after it. A {@link Window} already handed out holds
 *       its own pieces until it is closed. While no cursor is open, batches are kept: a cursor opened
 *       later starts at the oldest batch the stream still holds.</li>
 *   <li>With an event-time column, {@link #append} refuses a batch whose event time is null or
 *       decreases (within the batch, or from the last row appended before).</li>
 *   <li>{@link #close()} releases the stream's holds on every batch it still has. Readers then fail
 *       with {@link IllegalStateException}; windows already handed out stay valid until closed.</li>
 * </ul>
 *
 * <p><b>Progress.</b> {@link #append}, {@link #finish}, {@link #close}, opening and closing a reader,
 * and each move of a cursor past a batch take the stream's lock briefly (blocking, O(number of open
 * cursors)). A reader whose next batch is already appended reads it without the lock (one acquire
 * load); {@code hasNext()} blocks, interruptibly, until a batch is appended, or the stream is finished
 * or closed. The event-time check of {@code append} reads the column once, outside the lock.
 *
 * <p><b>Memory effects.</b> Actions of an appending thread before {@code append(b)} happen-before
 * every read of {@code b} by a reader that got it from this stream (the link of the batch is a
 * release store that the reader's acquire load pairs with, and {@code b} is immutable once built).
 * A reader's reads of a batch before its cursor passes the batch happen-before the stream's release
 * of its hold (the move and the release are ordered by the stream's lock), hence before the batch's
 * memory is freed (the release goes through {@link EpochDomain#retire}, edge 1 of the
 * {@linkplain dev.nexus.epoch epoch package documentation}). {@code finish()} happens-before a
 * reader's {@code hasNext()} returning false for it. A reader that keeps reading a batch after its
 * cursor passed it is protected only by a guard it opened before the batch was retired.
 *
 * <p>Thread-safety: {@code append}, {@code finish}, {@code close} and opening readers may be called
 * from any threads concurrently. A single reader is not thread-safe.
 */
public final class BatchStream implements AutoCloseable {

    /*
     * Implementation notes.
     *
     * The batches form a singly linked list of StreamNodes that always ends in an empty tail node;
     * append fills the tail and links a new one with a release store (StreamNode.fill), so readers
     * walk the list with acquire loads and no lock. `head` is the oldest node whose batch the stream
     * still holds. Each reader owns a CursorSet.Cursor: the lowest batch index it may still touch.
     * Every cursor move runs under `lock`, recomputes the minimum over the open cursors (the
     * watermark, monotone) and unlinks the nodes below it; their holds are released after the lock is
     * dropped (a release may retire memory, and retire may block on a garbage budget).
     *
     * Waiting: a reader whose node is the tail waits on `changed` under `lock`; append, finish and
     * close signal it under the same lock, so a wakeup cannot be lost (the reader re-checks the link
     * under the lock before waiting).
     *
     * Invariants (under lock): head.seq >= watermark or head == tail; every node from head to the
     * node before tail holds the stream's hold; nodes below head hold none.
     */

    private static final AtomicLong STREAM_IDS = new AtomicLong();

    private final EpochDomain domain;
    private final Schema schema;
    private final String name;
    private final int eventTimeColumn;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final CursorSet cursors = new CursorSet();

    // guarded by lock
    private StreamNode head;
    private StreamNode tail;
    private long lastEventTime = Long.MIN_VALUE;
    private long retiredBatches;
    private boolean finished;
    /** Written under lock; read without it by readers (volatile) to fail fast after close. */
    private volatile boolean closed;

    private BatchStream(EpochDomain domain, Schema schema, String eventTime) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.name = "stream-" + STREAM_IDS.incrementAndGet();
        if (eventTime == null) {
            this.eventTimeColumn = -1;
        } else {
            int column = schema.indexOf(eventTime);
            ColumnType type = schema.field(column).type();
            if (type != ColumnType.TIMESTAMP && type != ColumnType.INT64) {
                throw new IllegalArgumentException("the event-time column must be TIMESTAMP or INT64: column '"
                        + eventTime + "' is " + type);
            }
            this.eventTimeColumn = column;
        }
        this.head = new StreamNode(0, 0);
        this.tail = head;
    }

    /**
     * A stream of batches of {@code schema}, without event time (count windows only).
     *
     * @param domain the epoch domain of the batches
     * @param schema the schema every appended batch must have
     * @return a new open stream
     * @throws NullPointerException if an argument is null
     */
    public static BatchStream create(EpochDomain domain, Schema schema) {
        return new BatchStream(domain, schema, null);
    }

    /**
     * A stream of batches of {@code schema} whose column {@code eventTimeColumn} (TIMESTAMP or INT64)
     * is the event time: checked non-null and non-decreasing on append, and the time of
     * {@link #timeWindows}.
     *
     * @param domain the epoch domain of the batches
     * @param schema the schema every appended batch must have
     * @param eventTimeColumn name of the event-time column
     * @return a new open stream
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the schema has no such column, or it is neither TIMESTAMP
     *     nor INT64
     */
    public static BatchStream create(EpochDomain domain, Schema schema, String eventTimeColumn) {
        return new BatchStream(domain, schema, Objects.requireNonNull(eventTimeColumn, "eventTimeColumn"));
    }

    /**
     * Appends a sealed batch; the stream takes a hold on it (the caller may close its batch at once).
     * Readers waiting for a batch wake up.
     *
     * @param batch a batch of this stream's schema
     * @throws NullPointerException if {@code batch} is null
     * @throws IllegalArgumentException if its schema differs (the message names the first difference),
     *     or its event time is null or decreases
     * @throws IllegalStateException if the stream is finished or closed, or the batch is closed and
     *     released already; nothing is appended then
     */
    public void append(ColumnBatch batch) {
        Objects.requireNonNull(batch, "batch");
        checkSchema(batch.schema());
        long firstTime = Long.MIN_VALUE;
        long lastTime = Long.MIN_VALUE;
        if (eventTimeColumn >= 0 && batch.rows() > 0) {
            EventTime.checkNonDecreasing(batch, eventTimeColumn, eventTimeName(), Long.MIN_VALUE);
            firstTime = EventTime.at(batch, eventTimeColumn, 0);
            lastTime = EventTime.at(batch, eventTimeColumn, batch.rows() - 1);
        }
        lock.lock();
        try {
            checkAppendable();
            if (firstTime < lastEventTime) {
                throw new IllegalArgumentException("event time must be non-decreasing: column '"
                        + eventTimeName() + "' starts at " + firstTime + " in the appended batch, after "
                        + lastEventTime + " at the end of " + this);
            }
            // the hold is taken under the lock so that a concurrent close() cannot miss it
            Hold hold = BatchAccess.retain(batch, "stream");
            tail = tail.fill(batch, hold, firstTime, lastTime);
            if (lastTime != Long.MIN_VALUE) {
                lastEventTime = lastTime;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Marks the end of the stream: no batch may be appended any more; readers that have consumed
     * everything see the end ({@code hasNext()} false; time windows still open are handed out).
     * Idempotent.
     */
    public void finish() {
        lock.lock();
        try {
            finished = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the stream: finishes it and releases its hold on every batch it still has. Readers fail
     * from now on; windows handed out stay valid until closed. Idempotent.
     */
    @Override
    public void close() {
        List<StreamNode> released;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            finished = true;
            released = unlinkBelow(tail.seq);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        release(released);
    }

    /**
     * A new reader of the batches, starting at the oldest batch the stream still holds.
     *
     * @return a reader; close it when done (it holds its cursor until then)
     * @throws IllegalStateException if the stream is closed
     */
    public StreamReader reader() {
        lock.lock();
        try {
            checkOpen();
            return new StreamReader(this, cursors.open(head.seq), head);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Count windows: window k covers the stream rows {@code [r0 + k * slide, r0 + k * slide + size)},
     * where {@code r0} is the first row of the oldest batch the stream still holds when the reader is
     * opened (0 until a batch was retired), and is handed out once all its rows are appended. Tumbling
     * when {@code slide == size}, sliding (each row in about {@code size / slide} windows) when
     * {@code slide < size}; {@code slide > size} skips rows. Only full windows are handed out: rows
     * after the last full window at the end of the stream are in no window.
     *
     * @param size rows per window, {@code >= 1}
     * @param slide rows from one window's start to the next, {@code >= 1}
     * @return a window reader; close it when done
     * @throws IllegalArgumentException if {@code size} or {@code slide} is below 1
     * @throws IllegalStateException if the stream is closed
     */
    public WindowReader countWindows(int size, int slide) {
        if (size < 1 || slide < 1) {
            throw new IllegalArgumentException("window size and slide must be >= 1: size=" + size
                    + ", slide=" + slide);
        }
        return openWindows(false, size, slide);
    }

    /**
     * Event-time windows: window k covers the rows whose event time t satisfies
     * {@code k * slide <= t < k * slide + size} (in the column's unit: microseconds for TIMESTAMP),
     * for every integer k whose window holds at least one row (empty windows are skipped). A window is
     * handed out once a row at or after its end is appended, or the stream is finished. Tumbling when
     * {@code slide == size}, sliding when {@code slide < size}.
     *
     * @param size window length in event-time units, {@code >= 1}
     * @param slide distance between window starts, {@code >= 1}
     * @return a window reader; close it when done
     * @throws IllegalArgumentException if {@code size} or {@code slide} is below 1
     * @throws IllegalStateException if the stream has no event-time column, or is closed
     */
    public WindowReader timeWindows(long size, long slide) {
        if (size < 1 || slide < 1) {
            throw new IllegalArgumentException("window size and slide must be >= 1: size=" + size
                    + ", slide=" + slide);
        }
        if (eventTimeColumn < 0) {
            throw new IllegalStateException(this + " has no event-time column: create it with "
                    + "BatchStream.create(domain, schema, eventTimeColumn) to use time windows");
        }
        return openWindows(true, size, slide);
    }

    private WindowReader openWindows(boolean time, long size, long slide) {
        lock.lock();
        try {
            checkOpen();
            return new WindowReader(this, cursors.open(head.seq), head, time, size, slide);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The schema of every batch of the stream.
     *
     * @return the schema
     */
    public Schema schema() {
        return schema;
    }

    /**
     * The epoch domain given at creation.
     *
     * @return the domain
     */
    public EpochDomain domain() {
        return domain;
    }

    /**
     * Index of the event-time column.
     *
     * @return the column index, or -1 if the stream has none
     */
    public int eventTimeColumn() {
        return eventTimeColumn;
    }

    /**
     * Number of batches appended so far.
     *
     * @return the count
     */
    public long appendedBatches() {
        lock.lock();
        try {
            return tail.seq;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Number of batches whose hold the stream has released (passed by every cursor, or at close).
     *
     * @return the count
     */
    public long retiredBatches() {
        lock.lock();
        try {
            return retiredBatches;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@link #finish()} (or {@link #close()}) was called.
     *
     * @return true once finished
     */
    public boolean isFinished() {
        lock.lock();
        try {
            return finished;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "batch stream '" + name + "'";
    }

    // ---- for the readers (package-private) ------------------------------------------------------

    /**
     * Waits until {@code node} is filled (its batch appended).
     *
     * @return true when filled, false when the stream is finished and {@code node} is its tail
     * @throws InterruptedException if interrupted while waiting (the interrupt status is cleared)
     * @throws IllegalStateException if the stream is closed
     */
    boolean awaitFilled(StreamNode node) throws InterruptedException {
        if (closed) {
            throw closedException();
        }
        if (node.nextAcquire() != null) {
            return true;
        }
        lock.lockInterruptibly();
        try {
            while (node.nextAcquire() == null) {
                checkOpen();
                if (finished) {
                    return false;
                }
                changed.await();
            }
            checkOpen();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Like {@link #awaitFilled(StreamNode)} with a timeout.
     *
     * @return 1 when filled, 0 when the stream ended there, -1 on timeout
     */
    int awaitFilled(StreamNode node, long nanos) throws InterruptedException {
        if (closed) {
            throw closedException();
        }
        if (node.nextAcquire() != null) {
            return 1;
        }
        long left = nanos;
        if (!lock.tryLock(left, TimeUnit.NANOSECONDS)) {
            return -1;
        }
        try {
            while (node.nextAcquire() == null) {
                checkOpen();
                if (finished) {
                    return 0;
                }
                if (left <= 0) {
                    return -1;
                }
                left = changed.awaitNanos(left);
            }
            checkOpen();
            return 1;
        } finally {
            lock.unlock();
        }
    }

    /** Moves a cursor forward and retires what every cursor has passed. */
    void advance(CursorSet.Cursor cursor, long needed) {
        // plain read without the lock: a cursor is only moved by its own reader, on this thread (or
        // one it was handed to with a happens-before edge), so this thread saw its last write
        if (cursor.needed() >= needed) {
            return;
        }
        List<StreamNode> released;
        lock.lock();
        try {
            if (closed) {
                return; // close() released everything; nothing left to retire
            }
            cursors.advance(cursor, needed);
            released = unlinkBelow(cursors.watermark());
        } finally {
            lock.unlock();
        }
        release(released);
    }

    /** Closes a cursor; the batches it had not consumed stay for the next cursor if it was the last. */
    void closeCursor(CursorSet.Cursor cursor, long finalNeeded) {
        List<StreamNode> released;
        lock.lock();
        try {
            cursors.close(cursor, finalNeeded);
            if (closed) {
                return;
            }
            released = unlinkBelow(cursors.watermark());
        } finally {
            lock.unlock();
        }
        release(released);
    }

    void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    IllegalStateException closedException() {
        return new IllegalStateException(this + " is closed: its batches are released");
    }

    // ---- internals --------------------------------------------------------------------------------

    /** Under lock: unlinks the filled nodes below {@code seq}; the caller releases their holds. */
    private List<StreamNode> unlinkBelow(long seq) {
        assert lock.isHeldByCurrentThread();
        List<StreamNode> released = null;
        while (head != tail && head.seq < seq) {
            if (released == null) {
                released = new ArrayList<>();
            }
            released.add(head);
            head = head.nextAcquire();
            retiredBatches++;
        }
        return released;
    }

    private static void release(List<StreamNode> nodes) {
        if (nodes != null) {
            for (StreamNode node : nodes) {
                node.hold().release();
            }
        }
    }

    private void checkAppendable() {
        if (closed) {
            throw new IllegalStateException("cannot append to " + this + ": it is closed");
        }
        if (finished) {
            throw new IllegalStateException("cannot append to " + this + ": it is finished (append after finish)");
        }
    }

    private void checkSchema(Schema other) {
        if (schema.equals(other)) {
            return;
        }
        if (schema.size() != other.size()) {
            throw new IllegalArgumentException("batch schema does not match " + this + ": the stream has "
                    + schema.size() + " fields, the batch " + other.size() + " (stream " + schema
                    + ", batch " + other + ")");
        }
        for (int i = 0; i < schema.size(); i++) {
            Field expected = schema.field(i);
            Field actual = other.field(i);
            if (!expected.equals(actual)) {
                throw new IllegalArgumentException("batch schema does not match " + this + " at field " + i
                        + ": expected " + describe(expected) + ", got " + describe(actual));
            }
        }
        throw new IllegalArgumentException("batch schema does not match " + this + ": stream " + schema
                + ", batch " + other);
    }

    private static String describe(Field field) {
        return "'" + field.name() + "' " + field.type()
                + (field.childType() != null ? "<" + field.childType() + ">" : "")
                + (field.nullable() ? " nullable" : " not null");
    }

    private String eventTimeName() {
        return schema.field(eventTimeColumn).name();
    }
}
