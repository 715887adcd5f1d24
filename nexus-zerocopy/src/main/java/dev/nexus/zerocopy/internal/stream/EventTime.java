package dev.nexus.zerocopy.internal.stream;

import dev.nexus.zerocopy.ColumnBatch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads of an event-time column (INT64 or TIMESTAMP: 8-byte values) straight from the batch's values
 * buffer, and the checks and searches the stream's time windows need. Unaligned access: an imported
 * batch's buffer need not be 8-aligned.
 */
public final class EventTime {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private EventTime() {
    }

    /**
     * The event time of one row.
     *
     * @param batch the batch
     * @param column the event-time column
     * @param row a row of the batch
     * @return its event time
     */
    public static long at(ColumnBatch batch, int column, int row) {
        return batch.values(column).get(LONG, ((long) batch.offset() + row) * Long.BYTES);
    }

    /**
     * Checks that the column has no null and never decreases within the batch, nor from
     * {@code previous} to its first row.
     *
     * @param batch the batch
     * @param column the event-time column
     * @param name the column's name (for messages)
     * @param previous the last event time appended before, or {@code Long.MIN_VALUE}
     * @throws IllegalArgumentException naming the row and the two times on a decrease, or the null
     */
    public static void checkNonDecreasing(ColumnBatch batch, int column, String name, long previous) {
        int rows = batch.rows();
        if (rows == 0) {
            return;
        }
        if (batch.nullCount(column) > 0) {
            for (int row = 0; row < rows; row++) {
                if (batch.isNull(column, row)) {
                    throw new IllegalArgumentException("event time must not be null: column '" + name
                            + "' is null at row " + row + " of the appended batch");
                }
            }
        }
        MemorySegment values = batch.values(column);
        long base = (long) batch.offset() * Long.BYTES;
        long last = previous;
        for (int row = 0; row < rows; row++) {
            long t = values.get(LONG, base + (long) row * Long.BYTES);
            if (t < last) {
                throw new IllegalArgumentException("event time must be non-decreasing: column '" + name
                        + "' is " + t + " at row " + row + " of the appended batch, after " + last
                        + (row == 0 ? " (the last event time of the stream)" : " at row " + (row - 1)));
            }
            last = t;
        }
    }

    /**
     * The first row in {@code [from, to)} whose event time is {@code >= t}, or {@code to} if none
     * (binary search; the column is non-decreasing).
     *
     * @param batch the batch
     * @param column the event-time column
     * @param from first row searched
     * @param to one past the last row searched
     * @param t the time
     * @return the lower bound
     */
    public static int lowerBound(ColumnBatch batch, int column, int from, int to, long t) {
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(batch, column, mid) < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The start of the earliest window of the grid {@code k * slide} (k any integer) whose interval
     * {@code [start, start + size)} ends after {@code t}: {@code floor((t - size) / slide + 1) * slide}.
     *
     * @param t an event time
     * @param size window length, {@code > 0}
     * @param slide window step, {@code > 0}
     * @return the start
     */
    public static long firstWindowStart(long t, long size, long slide) {
        return Math.multiplyExact(Math.floorDiv(Math.subtractExact(t, size), slide) + 1, slide);
    }

    /**
     * {@code start + size}, saturated at {@code Long.MAX_VALUE}.
     *
     * @param start window start
     * @param size window length, {@code > 0}
     * @return the window end (exclusive)
     */
    public static long windowEnd(long start, long size) {
        return start > Long.MAX_VALUE - size ? Long.MAX_VALUE : start + size;
    }
}
