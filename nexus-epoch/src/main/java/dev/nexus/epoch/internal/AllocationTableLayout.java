package dev.nexus.epoch.internal;

/**
 * Offsets and words of one level of the {@link AllocationTable}: a block of
 * {@link SharedRegion#MEMORY}, page aligned and zeroed when carved.
 *
 * <pre>
 * level + 0            +-----------------------------------------------------------+
 *                      | +0 max distance (long): the farthest probe any insert used |  128 bytes
 * entries = level+128  +-----------------------------------------------------------+
 *   entry i at         | +0 key word: address | state (2 low bits)                  |
 *   entries + 16 i     | +8 size word: the allocation's byte size                   |  x capacity
 *                      +-----------------------------------------------------------+
 *
 * key word:  63                                              2 1 0
 *           +-------------------------------------------------+---+
 *           | address (malloc returns 16-byte aligned ones)   | s |   s: 0 INSERTING, 1 LIVE,
 *           +-------------------------------------------------+---+      2 RETIRED, 3 FREED
 *           the whole word 0: an entry never used (EMPTY)
 * </pre>
 *
 * <p>An entry is <em>free</em> (an insert may claim it) when its key word is EMPTY or FREED. A FREED
 * entry keeps its address until it is claimed again, so that a second free of that address can be
 * told "already freed".
 */
final class AllocationTableLayout {

    /** Offset of the level's max-distance word. */
    static final long MAX_DISTANCE = 0;
    /** Offset of the first entry: the max-distance word has its own 128-byte stride. */
    static final long ENTRIES = 128;
    /** Bytes per entry. */
    static final long ENTRY_BYTES = 16;
    /** Offset of an entry's key word. */
    static final long KEY = 0;
    /** Offset of an entry's size word. */
    static final long SIZE = 8;

    /** The state bits of a key word. */
    static final long STATE_MASK = 3;
    /** Claimed by an insert that has not published the size yet. */
    static final long INSERTING = 0;
    /** Allocated and owned by the caller. */
    static final long LIVE = 1;
    /** Retired to an epoch domain, which will free it. */
    static final long RETIRED = 2;
    /** Freed; the entry may be claimed again. */
    static final long FREED = 3;

    private AllocationTableLayout() {
    }

    /** Bytes of a level of {@code capacity} entries. */
    static long levelBytes(long capacity) {
        return ENTRIES + ENTRY_BYTES * capacity;
    }

    /** Offset of entry {@code index} of the level at {@code level}. */
    static long entry(long level, long index) {
        return level + ENTRIES + index * ENTRY_BYTES;
    }

    /** The key word of {@code address} in {@code state}. */
    static long key(long address, long state) {
        return address | state;
    }

    /** The address of a key word. */
    static long address(long key) {
        return key & ~STATE_MASK;
    }

    /** The state of a key word. */
    static long state(long key) {
        return key & STATE_MASK;
    }

    /** Whether an insert may claim an entry with this key word. */
    static boolean isFree(long key) {
        return key == 0 || state(key) == FREED;
    }

    /** The name of a state, for messages. */
    static String stateName(long state) {
        return switch ((int) state) {
            case (int) INSERTING -> "being allocated";
            case (int) LIVE -> "live";
            case (int) RETIRED -> "retired";
            default -> "freed";
        };
    }
}
