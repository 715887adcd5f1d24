package dev.nexus.zerocopy.internal.stream;

import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.internal.Hold;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slot of a {@code BatchStream}'s singly linked list. The list always ends in an empty node
 * (the tail): {@link #fill} stores a batch into the tail and links a fresh empty tail after it. A node
 * is <em>filled</em> once {@link #nextAcquire()} is non-null; only then may its batch fields be read.
 *
 * <p><b>Invariants.</b> {@code seq} and {@code firstRow} never change; the batch fields are written
 * once, before the release store of {@code next}, and never again. {@code next} goes from null to a
 * node once. <b>Non-invariants.</b> A racing reader may see {@code next == null} for a node that was
 * just filled; it then treats the node as not yet appended and waits on the stream's lock.
 */
public final class StreamNode {

    /** Index of the batch in its stream: 0 for the first batch appended. */
    public final long seq;

    /** Stream row index of this batch's first row (the rows appended before it). */
    public final long firstRow;

    private ColumnBatch batch;
    private Hold hold;
    private int rows;
    private long firstTime;
    private long lastTime;
    private StreamNode next;

    /**
     * An empty node (a tail).
     *
     * @param seq batch index in the stream
     * @param firstRow stream row index of the batch that will fill it
     */
    public StreamNode(long seq, long firstRow) {
        this.seq = seq;
        this.firstRow = firstRow;
    }

    /**
     * Fills this (tail) node and links a new empty tail after it. Called under the stream's lock.
     *
     * @param batch the appended batch
     * @param hold the stream's hold on it
     * @param firstTime event time of its first row ({@code Long.MIN_VALUE} without event time or rows)
     * @param lastTime event time of its last row ({@code Long.MIN_VALUE} without event time or rows)
     * @return the new tail
     */
    public StreamNode fill(ColumnBatch batch, Hold hold, long firstTime, long lastTime) {
        this.batch = batch;
        this.hold = hold;
        this.rows = batch.rows();
        this.firstTime = firstTime;
        this.lastTime = lastTime;
        StreamNode tail = new StreamNode(seq + 1, firstRow + rows);
        // release: publishes the plain writes above; pairs with the acquire in nextAcquire(), so a
        // reader that sees the link sees the batch (without it a reader could read a null batch)
        NEXT.setRelease(this, tail);
        return tail;
    }

    /**
     * The next node, or null while this node is the (empty) tail. Acquire: pairs with the release in
     * {@link #fill}; a non-null result makes this node's batch fields visible.
     *
     * @return the next node or null
     */
    public StreamNode nextAcquire() {
        return (StreamNode) NEXT.getAcquire(this);
    }

    /**
     * The batch; call only after {@link #nextAcquire()} returned non-null (or under the stream's lock).
     *
     * @return the batch
     */
    public ColumnBatch batch() {
        return batch;
    }

    /**
     * The stream's hold on the batch.
     *
     * @return the hold
     */
    public Hold hold() {
        return hold;
    }

    /**
     * Rows of the batch (0 for the tail).
     *
     * @return rows
     */
    public int rows() {
        return rows;
    }

    /**
     * Stream row index one past this batch's last row.
     *
     * @return {@code firstRow + rows}
     */
    public long endRow() {
        return firstRow + rows;
    }

    /**
     * Event time of the first row.
     *
     * @return the time, {@code Long.MIN_VALUE} when the stream has no event time or the batch no rows
     */
    public long firstTime() {
        return firstTime;
    }

    /**
     * Event time of the last row.
     *
     * @return the time, {@code Long.MIN_VALUE} when the stream has no event time or the batch no rows
     */
    public long lastTime() {
        return lastTime;
    }

    @Override
    public String toString() {
        return "StreamNode[seq=" + seq + ", firstRow=" + firstRow + ", rows=" + rows + "]";
    }

    // VarHandle mechanics
    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(StreamNode.class, "next", StreamNode.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
