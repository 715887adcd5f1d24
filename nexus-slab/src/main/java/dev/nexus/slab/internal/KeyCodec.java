package dev.nexus.slab.internal;

/**
 * The key arithmetic of one slab instance: how a {@code long} key encodes the instance tag, the slot
 * index (slab and slot in slab) and the slot's generation. All key math lives here.
 *
 * <pre>
 *   63  62      58 57                            32 31                                 0
 *  +---+---------+--------------------------------+------------------------------------+
 *  | 0 | tag (5) | slot index (26)                | generation XOR salt (32)           |
 *  +---+---------+--------------------------------+------------------------------------+
 *                  slot index = slab &lt;&lt; slabShift | slot in slab   (slotsPerSlab = 2^slabShift)
 * </pre>
 *
 * <p>Bit 63 is always 0, so every key is {@code >= 0} and {@code -1} ({@code Slab.FULL}) is never a
 * key. The tag tells open slab instances apart (at most {@value #TAGS} distinct tags, see
 * {@link InstanceTags}); the per-instance random salt makes a key of another instance that happens
 * to share the tag (more than {@value #TAGS} slabs open, or a closed slab whose tag was reused) match
 * a live record of this one only by a 2^-32 chance per lookup, instead of whenever the generations
 * agree. Immutable.
 */
public final class KeyCodec {

    /** Bits of the instance tag. */
    public static final int TAG_BITS = 5;
    /** Bits of the slot index. */
    public static final int INDEX_BITS = 26;
    /** Bits of the generation. */
    public static final int GENERATION_BITS = 32;

    /** Distinct tags. */
    public static final int TAGS = 1 << TAG_BITS;
    /** Most slots a slab instance can address: 2^26 = 67,108,864. */
    public static final long MAX_SLOTS = 1L << INDEX_BITS;
    /** The last generation a slot may carry before it is retired: 2^32 - 1. */
    public static final long MAX_GENERATION = (1L << GENERATION_BITS) - 1;

    private static final int INDEX_SHIFT = GENERATION_BITS;
    private static final int TAG_SHIFT = INDEX_SHIFT + INDEX_BITS;
    private static final long INDEX_MASK = MAX_SLOTS - 1;
    private static final long GENERATION_MASK = MAX_GENERATION;

    static {
        // the budget: sign bit + tag + index + generation = 64
        assert 1 + TAG_BITS + INDEX_BITS + GENERATION_BITS == Long.SIZE;
    }

    private final long tag;
    private final long salt;
    private final int slabShift;
    private final int slotMask;

    /**
     * A codec.
     *
     * @param tag the instance tag, in {@code [0, TAGS)}
     * @param salt the instance salt (any 32 bits)
     * @param slotsPerSlab slots per slab, a power of two {@code <= MAX_SLOTS}
     */
    public KeyCodec(int tag, int salt, int slotsPerSlab) {
        if (tag < 0 || tag >= TAGS) {
            throw new IllegalArgumentException("tag must be in [0, " + TAGS + "): tag=" + tag);
        }
        if (slotsPerSlab <= 0 || Integer.bitCount(slotsPerSlab) != 1 || slotsPerSlab > MAX_SLOTS) {
            throw new IllegalArgumentException("slotsPerSlab must be a power of two in [1, " + MAX_SLOTS
                    + "]: slotsPerSlab=" + slotsPerSlab);
        }
        this.tag = tag;
        this.salt = salt & GENERATION_MASK;
        this.slabShift = Integer.numberOfTrailingZeros(slotsPerSlab);
        this.slotMask = slotsPerSlab - 1;
    }

    /**
     * The key of a slot at a generation.
     *
     * @param index the slot index, in {@code [0, MAX_SLOTS)}
     * @param generation the generation, in {@code [0, MAX_GENERATION]}
     * @return the key, {@code >= 0}
     */
    public long encode(int index, long generation) {
        assert index >= 0 && index < MAX_SLOTS : index;
        assert generation >= 0 && generation <= MAX_GENERATION : generation;
        return tag << TAG_SHIFT | (long) index << INDEX_SHIFT | (generation ^ salt);
    }

    /**
     * Whether a value is shaped like a key of this instance: non-negative with this instance's tag.
     *
     * @param key any value
     * @return true if the sign bit is clear and the tag is this instance's
     */
    public boolean hasTag(long key) {
        return key >= 0 && key >>> TAG_SHIFT == tag;
    }

    /**
     * The tag field of a value (for messages).
     *
     * @param key any value
     * @return bits 62..58
     */
    public static int tagOf(long key) {
        return (int) (key >>> TAG_SHIFT) & (TAGS - 1);
    }

    /**
     * The slot index of a key.
     *
     * @param key a key
     * @return the slot index
     */
    public int index(long key) {
        return (int) (key >>> INDEX_SHIFT & INDEX_MASK);
    }

    /**
     * The generation of a key (its field, un-salted).
     *
     * @param key a key
     * @return the generation, in {@code [0, MAX_GENERATION]}
     */
    public long generation(long key) {
        return (key ^ salt) & GENERATION_MASK;
    }

    /**
     * The slab of a slot index.
     *
     * @param index a slot index
     * @return the slab number
     */
    public int slab(int index) {
        return index >>> slabShift;
    }

    /**
     * The slot in its slab of a slot index.
     *
     * @param index a slot index
     * @return the slot number within the slab
     */
    public int slot(int index) {
        return index & slotMask;
    }

    /**
     * This instance's tag.
     *
     * @return the tag
     */
    public int tag() {
        return (int) tag;
    }
}
