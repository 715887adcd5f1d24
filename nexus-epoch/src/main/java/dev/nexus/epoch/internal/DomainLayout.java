package dev.nexus.epoch.internal;

/**
 * Offsets of one domain's protocol words inside its block of {@link SharedRegion#MEMORY}. Every word
 * that more than one thread writes sits on its own 128-byte stride (two cache lines: against
 * adjacent-line prefetch).
 *
 * <pre>
 * block + 0                      +--------------------------------------------+
 *                                | E (global epoch | CLOSED bit)  one page   |
 * slots = block + 4096           +--------------------------------------------+
 *   slot i at slots + 128 i      | +0 state  +8 seen  +16 owner thread id     |  x capacity
 *                                | +24 flag (membarrier read side, SlotFlag)  |
 *                                +--------------------------------------------+
 * level 0 (leaves, 16 slots)     | +0 node word (tag | pending)   128 bytes   |  x leaves
 *                                +--------------------------------------------+
 * level 1..top (inner, fanout 16)| +0 node word                   128 bytes   |
 *                                | +128 counts[16] (int, one per child)       |  x nodes
 *                                +--------------------------------------------+
 * </pre>
 *
 * <p>Slots {@code [0, poolCapacity)} belong to the guard pool; slots {@code [poolCapacity,
 * capacity)} to participants. The top level has exactly one node, the root; when the domain has at
 * most 16 slots the root is the single leaf.
 */
public final class DomainLayout {

    /** Bytes between two hot words. */
    public static final int STRIDE = 128;
    /** Slots per leaf. */
    public static final int LEAF_FANOUT = 16;
    /** Children per inner node (the pending mask has 16 bits, leaving 48 for the tag). */
    public static final int INNER_FANOUT = 16;

    /** Offset of {@code E} from the block start. */
    public static final long EPOCH = 0;
    /**
     * Offset of the first slot from the block start: a page after {@code E}, so that closing the
     * domain can give back every page but the one holding {@code E} (which keeps its closed bit).
     */
    public static final long SLOTS = SharedRegion.PAGE;
    /** Offset of a slot's state word within its stride. */
    public static final long SLOT_STATE = 0;
    /** Offset of a slot's {@code seen} word (last epoch it reported for; owner-only) in its stride. */
    public static final long SLOT_SEEN = 8;
    /** Offset of a slot's owner thread id (owner-written, read racily for stall reports). */
    public static final long SLOT_OWNER = 16;
    /**
     * Offset of a slot's flag word (the membarrier read side's online/offlining/offline state with
     * its sequence number; see {@link SlotFlag}); unused on the CAS read side.
     */
    public static final long SLOT_FLAG = 24;
    /** Offset of an inner node's counts line from the node's start. */
    public static final long NODE_COUNTS = STRIDE;
    /** Bytes of an inner node: its word's stride plus the counts line. */
    public static final int INNER_NODE_BYTES = 2 * STRIDE;

    private final long block;
    private final int capacity;
    private final int poolCapacity;
    private final long[] levelBase;
    private final int[] levelSize;
    private final long bytes;

    /**
     * Lays out a domain.
     *
     * @param poolCapacity slots reserved for pooled guards (a positive multiple of 16)
     * @param participantCapacity slots reserved for participants (a multiple of 16, may be 0)
     */
    public DomainLayout(int poolCapacity, int participantCapacity) {
        if (poolCapacity <= 0 || poolCapacity % LEAF_FANOUT != 0 || participantCapacity < 0
                || participantCapacity % LEAF_FANOUT != 0) {
            throw new IllegalArgumentException("slot capacities must be multiples of " + LEAF_FANOUT
                    + ": poolCapacity=" + poolCapacity + ", participantCapacity=" + participantCapacity);
        }
        long total = (long) poolCapacity + participantCapacity;
        if (total > (1 << 26)) {
            throw new IllegalArgumentException("at most 67108864 slots: requested " + total);
        }
        this.capacity = (int) total;
        this.poolCapacity = poolCapacity;
        int levels = 1;
        for (int n = capacity / LEAF_FANOUT; n > 1; n = ceilDiv(n, INNER_FANOUT)) {
            levels++;
        }
        levelBase = new long[levels];
        levelSize = new int[levels];
        long offset = SLOTS + (long) capacity * STRIDE;
        int nodes = capacity / LEAF_FANOUT;
        for (int level = 0; level < levels; level++) {
            levelBase[level] = offset;
            levelSize[level] = nodes;
            offset += (long) nodes * (level == 0 ? STRIDE : INNER_NODE_BYTES);
            nodes = ceilDiv(nodes, INNER_FANOUT);
        }
        this.bytes = offset;
        this.block = SharedRegion.carve(bytes);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Offset of the block in the region. */
    public long block() {
        return block;
    }

    /** Bytes of the block. */
    public long bytes() {
        return bytes;
    }

    /** Region offset of the part that closing the domain may give back: all but {@code E}'s page. */
    public long releasableStart() {
        return block + SLOTS;
    }

    /** Bytes from {@link #releasableStart()} to the end of the block. */
    public long releasableBytes() {
        return bytes - SLOTS;
    }

    /** All slots. */
    public int capacity() {
        return capacity;
    }

    /** Slots of the guard pool, {@code [0, poolCapacity)}. */
    public int poolCapacity() {
        return poolCapacity;
    }

    /** Number of tree levels; level 0 holds the leaves, the last level the root. */
    public int levels() {
        return levelBase.length;
    }

    /** Nodes on a level. */
    public int levelSize(int level) {
        return levelSize[level];
    }

    /** Region offset of {@code E}. */
    public long epoch() {
        return block + EPOCH;
    }

    /** Region offset of slot {@code i}'s state word. */
    public long slot(int i) {
        return block + SLOTS + ((long) i << 7);
    }

    /** Region offset of a node's word. */
    public long node(int level, int index) {
        return block + levelBase[level] + (long) index * (level == 0 ? STRIDE : INNER_NODE_BYTES);
    }

    /** Region offset of child {@code child}'s count in inner node {@code (level, index)}. */
    public long count(int level, int index, int child) {
        return node(level, index) + NODE_COUNTS + 4L * child;
    }

    /** Number of children of a node: slots for a leaf, nodes of the level below otherwise. */
    public int children(int level, int index) {
        int below = level == 0 ? capacity : levelSize[level - 1];
        int fanout = level == 0 ? LEAF_FANOUT : INNER_FANOUT;
        return Math.min(fanout, below - index * fanout);
    }
}
