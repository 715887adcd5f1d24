package dev.nexus.zerocopy.internal.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * The open cursors of one stream and the lowest batch any of them still needs. Not thread-safe: every
 * method is called under the stream's lock, which orders a cursor's moves before the retirement they
 * allow.
 */
public final class CursorSet {

    private final List<Cursor> cursors = new ArrayList<>();
    private long watermark;

    /** A cursor: the lowest batch index its reader may still touch. Mutated only under the lock. */
    public static final class Cursor {
        private long needed;
        private boolean open = true;

        private Cursor(long needed) {
            this.needed = needed;
        }

        /**
         * The lowest batch index this cursor still needs.
         *
         * @return the index
         */
        public long needed() {
            return needed;
        }
    }

    /**
     * Registers a new cursor that needs everything from {@code needed} on.
     *
     * @param needed the first batch index it needs (the stream's oldest held batch)
     * @return the cursor
     */
    public Cursor open(long needed) {
        Cursor cursor = new Cursor(Math.max(needed, watermark));
        cursors.add(cursor);
        return cursor;
    }

    /**
     * Moves a cursor forward (never back).
     *
     * @param cursor an open cursor
     * @param needed the first batch index it still needs
     */
    public void advance(Cursor cursor, long needed) {
        assert cursor.open : "advance of a closed cursor";
        assert needed >= cursor.needed : "cursor moves back: " + cursor.needed + " -> " + needed;
        cursor.needed = needed;
    }

    /**
     * Removes a cursor. When it was the last one, the batches it had not passed stay for the next
     * cursor: the watermark becomes its final position.
     *
     * @param cursor the cursor; closing it twice does nothing
     * @param finalNeeded the first batch index it never consumed
     */
    public void close(Cursor cursor, long finalNeeded) {
        if (!cursor.open) {
            return;
        }
        cursor.open = false;
        cursors.remove(cursor);
        if (cursors.isEmpty()) {
            watermark = Math.max(watermark, finalNeeded);
        }
    }

    /**
     * The lowest batch index any open cursor needs, raised to it from the last value (monotone).
     * Every batch below it may be retired. With no open cursor, the position the last cursor left.
     *
     * @return the watermark
     */
    public long watermark() {
        if (!cursors.isEmpty()) {
            long min = Long.MAX_VALUE;
            for (Cursor cursor : cursors) {
                min = Math.min(min, cursor.needed);
            }
            watermark = Math.max(watermark, min);
        }
        return watermark;
    }

    /**
     * Number of open cursors.
     *
     * @return the count
     */
    public int size() {
        return cursors.size();
    }
}
