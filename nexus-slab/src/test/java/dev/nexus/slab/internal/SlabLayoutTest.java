package dev.nexus.slab.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Every offset of the slab layout, as drawn in {@link SlabLayout}'s diagram. */
class SlabLayoutTest {

    /** Header words sit at 8 bytes per slot: the state word at +0. */
    @Test
    void headerOffsets() {
        assertThat(SlabLayout.HEADER_BYTES).isEqualTo(8);
        assertThat(SlabLayout.STATE).isZero();
        assertThat(SlabLayout.MIN_SLAB_ALIGNMENT).isEqualTo(16);
        assertThat(SlabLayout.headerOffset(0)).isZero();
        assertThat(SlabLayout.headerOffset(3)).isEqualTo(24);
    }

    /** Slots start after the header array, rounded up to the slot alignment (at least 16), at slotSize strides. */
    @Test
    void slotOffsets() {
        SlabLayout small = new SlabLayout(24, 8, 5); // headers 40 bytes, aligned to 16
        assertThat(small.slabAlignment()).isEqualTo(16);
        assertThat(small.slotBase()).isEqualTo(48);
        assertThat(small.slotOffset(0)).isEqualTo(48);
        assertThat(small.slotOffset(2)).isEqualTo(96);
        assertThat(small.slabBytes(5)).isEqualTo(48 + 5 * 24);
        assertThat(small.slabBytes(3)).isEqualTo(48 + 3 * 24); // a short last slab keeps slotBase

        SlabLayout aligned = new SlabLayout(128, 128, 3); // headers 24 bytes, aligned to 128
        assertThat(aligned.slabAlignment()).isEqualTo(128);
        assertThat(aligned.slotBase()).isEqualTo(128);
        assertThat(aligned.slotOffset(1)).isEqualTo(256);
        assertThat(SlabLayout.alignUp(4097, 4096)).isEqualTo(8192);
        assertThat(SlabLayout.alignUp(4096, 4096)).isEqualTo(4096);
    }

    /** The accessors read and write the header words where the offsets say, and slices cover the slot only. */
    @Test
    void accessorsUseTheOffsets() {
        SlabLayout layout = new SlabLayout(32, 8, 4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slab = arena.allocate(layout.slabBytes(4), layout.slabAlignment());
            SlabLayout.setStateRelease(slab, 2, 0x1234);
            assertThat(slab.get(ValueLayout.JAVA_LONG, 16)).isEqualTo(0x1234);
            assertThat(SlabLayout.stateAcquire(slab, 2)).isEqualTo(0x1234);
            assertThat(SlabLayout.stateOpaque(slab, 2)).isEqualTo(0x1234);
            SlabLayout.setStateOpaque(slab, 1, 0x77);
            assertThat(slab.get(ValueLayout.JAVA_LONG, 8)).isEqualTo(0x77);
            assertThat(SlabLayout.casState(slab, 2, 0x1234, 5)).isTrue();
            assertThat(SlabLayout.casState(slab, 2, 0x1234, 6)).isFalse();
            MemorySegment slot = layout.slot(slab, 1);
            assertThat(slot.address() - slab.address()).isEqualTo(32 + 32);
            assertThat(slot.byteSize()).isEqualTo(32);
        }
    }

    /** State words: link above generation above two state bits; release moves on or retires at the last. */
    @Test
    void stateWords() {
        assertThat(SlotState.vacant(0)).isZero(); // a zeroed header is VACANT(0)
        assertThat(SlotState.occupied(5)).isEqualTo(5 << 2 | 1);
        assertThat(SlotState.generation(SlotState.retired(KeyCodec.MAX_GENERATION))).isEqualTo(KeyCodec.MAX_GENERATION);
        assertThat(SlotState.state(SlotState.retired(3))).isEqualTo(SlotState.RETIRED);
        assertThat(SlotState.afterRelease(4, 10)).isEqualTo(SlotState.vacant(5));
        assertThat(SlotState.afterRelease(10, 10)).isEqualTo(SlotState.retired(10));
        assertThat(SlotState.isRetired(SlotState.afterRelease(KeyCodec.MAX_GENERATION, KeyCodec.MAX_GENERATION)))
                .isTrue();
        long maxLink = KeyCodec.MAX_SLOTS; // the last index plus one
        long linked = SlotState.linked(SlotState.vacant(KeyCodec.MAX_GENERATION), maxLink);
        assertThat(linked).isNotNegative();
        assertThat(SlotState.link(linked)).isEqualTo(maxLink);
        assertThat(linked >>> 34).isEqualTo(maxLink); // the link sits at bits 34..60
        assertThat(SlotState.generation(linked)).isEqualTo(KeyCodec.MAX_GENERATION);
        assertThat(SlotState.state(linked)).isEqualTo(SlotState.VACANT);
        assertThat(linked).isNotEqualTo(SlotState.occupied(KeyCodec.MAX_GENERATION));
        assertThat(SlotState.link(SlotState.occupied(7))).isZero();
        assertThat(SlotState.linked(linked, 0)).isEqualTo(SlotState.vacant(KeyCodec.MAX_GENERATION));
    }
}
