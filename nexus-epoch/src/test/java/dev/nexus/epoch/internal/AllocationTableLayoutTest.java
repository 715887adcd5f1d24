package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every offset and word of the allocation table's layout. */
class AllocationTableLayoutTest {

    /** The max-distance word has its own stride; entries of 16 bytes follow it. */
    @Test
    void offsets() {
        assertThat(AllocationTableLayout.MAX_DISTANCE).isZero();
        assertThat(AllocationTableLayout.ENTRIES).isEqualTo(128);
        assertThat(AllocationTableLayout.ENTRY_BYTES).isEqualTo(16);
        assertThat(AllocationTableLayout.KEY).isZero();
        assertThat(AllocationTableLayout.SIZE).isEqualTo(8);
        assertThat(AllocationTableLayout.entry(4096, 0)).isEqualTo(4096 + 128);
        assertThat(AllocationTableLayout.entry(4096, 5)).isEqualTo(4096 + 128 + 5 * 16);
        assertThat(AllocationTableLayout.levelBytes(16)).isEqualTo(128 + 16 * 16);
    }

    /** A key word keeps the address in its high bits and the state in its two low bits. */
    @Test
    void keyWords() {
        long address = 0x7f12_3456_7890L;
        for (long state : new long[] {AllocationTableLayout.INSERTING, AllocationTableLayout.LIVE,
                AllocationTableLayout.RETIRED, AllocationTableLayout.FREED}) {
            long key = AllocationTableLayout.key(address, state);
            assertThat(AllocationTableLayout.address(key)).isEqualTo(address);
            assertThat(AllocationTableLayout.state(key)).isEqualTo(state);
        }
        assertThat(AllocationTableLayout.isFree(0)).isTrue();
        assertThat(AllocationTableLayout.isFree(AllocationTableLayout.key(address, AllocationTableLayout.FREED)))
                .isTrue();
        assertThat(AllocationTableLayout.isFree(AllocationTableLayout.key(address, AllocationTableLayout.LIVE)))
                .isFalse();
        assertThat(AllocationTableLayout.isFree(
                AllocationTableLayout.key(address, AllocationTableLayout.INSERTING))).isFalse();
        assertThat(AllocationTableLayout.STATE_MASK).isEqualTo(3);
    }
}
