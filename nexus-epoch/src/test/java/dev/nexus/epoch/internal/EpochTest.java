package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The encodings and the epoch arithmetic. */
class EpochTest {

    /** PINNED(e) round-trips and is distinct from FREE, OFFLINE and IDLE. */
    @Test
    void slotWords() {
        for (long e : new long[] {0, 1, 2, 1L << 40, (1L << 62) - 1}) {
            long word = Epoch.pinned(e);
            assertThat(Epoch.isPinned(word)).isTrue();
            assertThat(Epoch.pinnedEpoch(word)).isEqualTo(e);
            assertThat(Epoch.isOnline(word)).isTrue();
        }
        assertThat(Epoch.isPinned(Epoch.FREE) || Epoch.isPinned(Epoch.OFFLINE) || Epoch.isPinned(Epoch.IDLE))
                .isFalse();
        assertThat(Epoch.isOnline(Epoch.IDLE)).isTrue();
        assertThat(Epoch.isOnline(Epoch.OFFLINE) || Epoch.isOnline(Epoch.FREE)).isFalse();
    }

    /** The observation rule: quiescent for k when not pinned or pinned at k or later. */
    @Test
    void observationRule() {
        assertThat(Epoch.quiescentFor(Epoch.IDLE, 7)).isTrue();
        assertThat(Epoch.quiescentFor(Epoch.OFFLINE, 7)).isTrue();
        assertThat(Epoch.quiescentFor(Epoch.pinned(7), 7)).isTrue();
        assertThat(Epoch.quiescentFor(Epoch.pinned(8), 7)).isTrue();
        assertThat(Epoch.quiescentFor(Epoch.pinned(6), 7)).isFalse();
    }

    /** Node tags compare wrap-safely on 48 bits, and a frozen tag stays older for 2^47 periods. */
    @Test
    void tagsWrap() {
        long k = (1L << 48) - 1; // the largest tag
        assertThat(Epoch.compareTag(Epoch.tag(k), k)).isZero();
        assertThat(Epoch.compareTag(Epoch.tag(k - 1), k)).isNegative();
        assertThat(Epoch.compareTag(Epoch.tag(k + 1), k)).isPositive(); // tag 0 after the largest
        assertThat(Epoch.compareTag(Epoch.tag(0), 1L << 40)).as("frozen for 2^40 periods").isNegative();
        long word = Epoch.node(Epoch.tag(k), 0b1011);
        assertThat(Epoch.nodeTag(word)).isEqualTo(Epoch.tag(k));
        assertThat(Epoch.nodePending(word)).isEqualTo(0b1011);
        assertThat(Epoch.nodePending(Epoch.node(5, 0xFFFF))).isEqualTo(0xFFFF);
    }

    /** Garbage tagged t is reclaimable from E = t + 2; the closed bit is separate. */
    @Test
    void reclaimRuleAndClosedBit() {
        assertThat(Epoch.isReclaimable(11, 10, 2)).isFalse();
        assertThat(Epoch.isReclaimable(12, 10, 2)).isTrue();
        long closed = 12 | Epoch.CLOSED;
        assertThat(Epoch.isClosed(closed)).isTrue();
        assertThat(Epoch.value(closed)).isEqualTo(12);
        assertThat(Epoch.successor(12)).isEqualTo(13);
    }
}
