package dev.nexus.zerocopy.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The watermark of a stream's cursors: the slowest open cursor, monotone, kept by the last one closed. */
class CursorSetTest {

    /** The watermark is the lowest batch any open cursor needs, never the fastest cursor's. */
    @Test
    void watermarkIsTheSlowestCursor() {
        CursorSet set = new CursorSet();
        CursorSet.Cursor slow = set.open(0);
        CursorSet.Cursor fast = set.open(0);
        set.advance(fast, 7);
        assertThat(set.watermark()).isZero();
        set.advance(slow, 3);
        assertThat(set.watermark()).isEqualTo(3);
        set.close(slow, 4);
        assertThat(set.watermark()).as("the slow cursor closed: the fast one rules").isEqualTo(7);
        assertThat(set.size()).isEqualTo(1);
    }

    /** With no cursor left, the watermark stays where the last cursor stopped; a new cursor starts there. */
    @Test
    void lastCursorLeavesTheWatermarkAtItsPosition() {
        CursorSet set = new CursorSet();
        CursorSet.Cursor only = set.open(0);
        set.advance(only, 2);
        set.close(only, 5);
        set.close(only, 9);
        assertThat(set.watermark()).as("closing twice changes nothing").isEqualTo(5);
        CursorSet.Cursor late = set.open(1);
        assertThat(late.needed()).as("never below the watermark").isEqualTo(5);
        assertThat(set.watermark()).isEqualTo(5);
    }
}
