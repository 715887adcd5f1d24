package dev.nexus.slab.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The layout of one slab: a header array (one state word per slot) followed by the slots, in one
 * native allocation. Owns every offset and every access to the header words.
 *
 * <pre>
 *  offset 0                                one allocation per slab, aligned to max(alignment, 16);
 *  +-------------------------------------+ 2 MiB with huge pages, a page with mlock
 *  | STATE of slot 0 (8)                 |
 *  | STATE of slot 1                     | HEADER_BYTES = 8 per slot: the state word (SlotState),
 *  | ...                                 | which also holds the free-stack link of a free slot
 *  | STATE of slot n-1                   |
 *  +-------------------------------------+ slotBase = align(8 * slotsPerSlab, max(alignment, 16))
 *  | padding up to the slot alignment    |
 *  +-------------------------------------+
 *  | slot 0 (slotSize bytes)             | slotBase + 0 * slotSize
 *  | slot 1                              | slotBase + 1 * slotSize
 *  | ...                                 |
 *  | slot n-1                            | slotBase + (n-1) * slotSize
 *  +-------------------------------------+ slabBytes(n) = slotBase + n * slotSize
 * </pre>
 *
 * <p>Headers sit apart from the slots (a side array inside the slab) so that a slot is exactly
 * {@code slotSize} bytes at its alignment, slots are contiguous, and a slot can be poisoned whole. The
 * price: a lookup of a key whose lines are cold touches two cache lines (its state word and its
 * record) where an inline header would often touch one. The last slab of a slab instance may hold
 * fewer slots ({@code n < slotsPerSlab}); its {@code slotBase} is the same.
 */
public final class SlabLayout {

    /** Header bytes per slot. */
    public static final long HEADER_BYTES = 8;
    /** Offset of the state word in a slot header. */
    public static final long STATE = 0;
    /** Alignment of a slab allocation at least: the header words are longs, 16 as malloc gives. */
    public static final long MIN_SLAB_ALIGNMENT = 16;

    private final long slotSize;
    private final long alignment;
    private final int slotsPerSlab;
    private final long slotBase;

    /**
     * A layout. The caller has validated the arguments ({@code Slab.Builder}).
     *
     * @param slotSize bytes per slot, a multiple of {@code alignment}
     * @param alignment the slot alignment, a power of two
     * @param slotsPerSlab slots in a full slab
     */
    public SlabLayout(long slotSize, long alignment, int slotsPerSlab) {
        assert slotSize > 0 && alignment > 0 && slotSize % alignment == 0 : slotSize + "/" + alignment;
        this.slotSize = slotSize;
        this.alignment = alignment;
        this.slotsPerSlab = slotsPerSlab;
        this.slotBase = alignUp(HEADER_BYTES * slotsPerSlab, slabAlignment());
    }

    /** Rounds {@code value} up to a multiple of {@code alignment} (a power of two). */
    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * The alignment a slab allocation needs: the slot alignment, at least {@link #MIN_SLAB_ALIGNMENT}.
     *
     * @return a power of two
     */
    public long slabAlignment() {
        return Math.max(alignment, MIN_SLAB_ALIGNMENT);
    }

    /**
     * Offset of slot 0 in a slab.
     *
     * @return {@code slotBase}
     */
    public long slotBase() {
        return slotBase;
    }

    /**
     * Offset of a slot's record in its slab.
     *
     * @param slot the slot in its slab
     * @return {@code slotBase + slot * slotSize}
     */
    public long slotOffset(int slot) {
        return slotBase + slot * slotSize;
    }

    /**
     * Offset of a slot's header in its slab.
     *
     * @param slot the slot in its slab
     * @return {@code slot * HEADER_BYTES}
     */
    public static long headerOffset(int slot) {
        return slot * HEADER_BYTES;
    }

    /**
     * Bytes a slab of {@code slots} slots needs.
     *
     * @param slots slots in the slab, {@code <= slotsPerSlab}
     * @return {@code slotBase + slots * slotSize}
     */
    public long slabBytes(int slots) {
        return slotBase + slots * slotSize;
    }

    /**
     * Slots in a full slab.
     *
     * @return slots per slab
     */
    public int slotsPerSlab() {
        return slotsPerSlab;
    }

    /**
     * Bytes per slot.
     *
     * @return the slot size
     */
    public long slotSize() {
        return slotSize;
    }

    /**
     * A slot's record memory: a slice of the slab, so it keeps the slab's scope.
     *
     * @param slab the slab
     * @param slot the slot in the slab
     * @return the slot's {@code slotSize} bytes
     */
    public MemorySegment slot(MemorySegment slab, int slot) {
        return slab.asSlice(slotOffset(slot), slotSize);
    }

    // ---- header words: every access says its mode -------------------------------------------------

    /**
     * Reads a state word with acquire semantics.
     *
     * @param slab the slab
     * @param slot the slot in the slab
     * @return the state word
     */
    public static long stateAcquire(MemorySegment slab, int slot) {
        return (long) WORD.getAcquire(slab, headerOffset(slot) + STATE);
    }

    /**
     * Reads a state word with opaque semantics.
     *
     * @param slab the slab
     * @param slot the slot in the slab
     * @return the state word
     */
    public static long stateOpaque(MemorySegment slab, int slot) {
        return (long) WORD.getOpaque(slab, headerOffset(slot) + STATE);
    }

    /**
     * Writes a state word with release semantics.
     *
     * @param slab the slab
     * @param slot the slot in the slab
     * @param word the new state word
     */
    public static void setStateRelease(MemorySegment slab, int slot, long word) {
        WORD.setRelease(slab, headerOffset(slot) + STATE, word);
    }

    /**
     * Compares and sets a state word with volatile semantics.
     *
     * @param slab the slab
     * @param slot the slot in the slab
     * @param expected the expected word
     * @param word the new word
     * @return whether the word was {@code expected} and is now {@code word}
     */
    public static boolean casState(MemorySegment slab, int slot, long expected, long word) {
        return WORD.compareAndSet(slab, headerOffset(slot) + STATE, expected, word);
    }

    /**
     * Writes a state word with opaque semantics.
     *
     * @param slab the slab
     * @param slot the slot in the slab
     * @param word the new state word
     */
    public static void setStateOpaque(MemorySegment slab, int slot, long word) {
        WORD.setOpaque(slab, headerOffset(slot) + STATE, word);
    }

    // VarHandle mechanics
    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
}
