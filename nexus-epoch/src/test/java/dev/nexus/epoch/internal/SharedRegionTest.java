package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Carving blocks out of the shared region. */
class SharedRegionTest {

    /** A request that does not fit fails, says what fits, and leaves the cursor where it was. */
    @Test
    void failedCarveDoesNotMoveTheCursor() {
        long first = SharedRegion.carve(SharedRegion.PAGE);
        long remaining = SharedRegion.reservedBytes() - first - SharedRegion.PAGE;
        assertThatThrownBy(() -> SharedRegion.carve(remaining + 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("requested " + (remaining + 1))
                .hasMessageContaining(remaining + " bytes fit");
        assertThatThrownBy(() -> SharedRegion.carve(Long.MAX_VALUE))
                .isInstanceOf(IllegalStateException.class);
        long next = SharedRegion.carve(16 * 128);
        assertThat(next).isEqualTo(first + SharedRegion.PAGE);
    }

    /** Sizes are rounded up to whole pages and blocks never overlap. */
    @Test
    void blocksArePageAlignedAndDisjoint() {
        long a = SharedRegion.carve(1);
        long b = SharedRegion.carve(SharedRegion.PAGE + 1);
        long c = SharedRegion.carve(0);
        assertThat(a % SharedRegion.PAGE).isZero();
        assertThat(b - a).isEqualTo(SharedRegion.PAGE);
        assertThat(c - b).isEqualTo(2 * SharedRegion.PAGE);
    }

    /** A negative size is a caller bug, reported as such. */
    @Test
    void negativeSizeIsRejected() {
        assertThatThrownBy(() -> SharedRegion.carve(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes=-1");
    }
}
