package dev.nexus.epoch.internal;

/**
 * Epoch arithmetic and the encodings of the protocol words: the global epoch {@code E}, slot words
 * and quiescence-tree node words. No other class does raw arithmetic on these values.
 *
 * <pre>
 * E          : bit 63 = CLOSED, bits 0..61 = epoch k (never wraps: 2^62 advances)
 * slot word  : FREE = 0, OFFLINE = 1, IDLE = 2, PINNED(e) = e &lt;&lt; 2 | 3
 * node word  : bits 16..63 = tag (low 48 bits of the grace period), bits 0..15 = pending child mask
 * </pre>
 */
public final class Epoch {

    /** Slot not leased (pool slot never used, or participant slot returned). Not online. */
    public static final long FREE = 0L;
    /** Slot leased but taken offline: not counted by the quiescence tree, must re-join to pin. */
    public static final long OFFLINE = 1L;
    /** Slot online and not pinned. */
    public static final long IDLE = 2L;

    /** Bit of {@code E} set once the domain is closed; every later pin, retire and defer fails. */
    public static final long CLOSED = 1L << 63;

    /**
     * The first epoch of a domain. Not 0: a zeroed node word has tag 0, and for the first grace
     * period it must read as older than the running one.
     */
    public static final long FIRST = 1L;

    private static final long PINNED_BITS = 3L;

    private Epoch() {
    }

    /** The slot word of a guard pinned at epoch {@code e}. */
    public static long pinned(long e) {
        return (e << 2) | PINNED_BITS;
    }

    /** Whether a slot word is {@code PINNED(e)} for some e. */
    public static boolean isPinned(long slotWord) {
        return (slotWord & PINNED_BITS) == PINNED_BITS;
    }

    /** The epoch of a {@code PINNED(e)} slot word. */
    public static long pinnedEpoch(long slotWord) {
        return slotWord >>> 2;
    }

    /** Whether a slot word is online ({@code IDLE} or {@code PINNED}). */
    public static boolean isOnline(long slotWord) {
        return slotWord == IDLE || isPinned(slotWord);
    }

    /**
     * The observation rule: a slot read with this word after {@code E} became {@code k} lets grace
     * period {@code k} clear its bit (not pinned, or pinned at an epoch {@code >= k}).
     */
    public static boolean quiescentFor(long slotWord, long k) {
        return !isPinned(slotWord) || pinnedEpoch(slotWord) - k >= 0;
    }

    /** Whether {@code E} carries the closed bit. */
    public static boolean isClosed(long globalEpoch) {
        return globalEpoch < 0;
    }

    /** The epoch value of {@code E} without the closed bit. */
    public static long value(long globalEpoch) {
        return globalEpoch & ~CLOSED;
    }

    /** The epoch after {@code k}. */
    public static long successor(long k) {
        return k + 1;
    }

    /** {@code a - b}; epochs never wrap (62 bits), so this is exact. */
    public static long distance(long a, long b) {
        return a - b;
    }

    /**
     * Whether garbage tagged {@code t} may be freed when the global epoch is {@code e}: two full grace
     * periods have passed since the tag was read ({@code e >= t + graceDistance}, normally 2).
     */
    public static boolean isReclaimable(long e, long t, int graceDistance) {
        return e - t >= graceDistance;
    }

    // ---- node words -------------------------------------------------------------------------

    /** Bits of a node word's pending mask: at most 16 children per node. */
    public static final int PENDING_BITS = 16;

    private static final long PENDING_MASK = (1L << PENDING_BITS) - 1;

    /**
     * The tag a grace period {@code k} writes into node words: its low 48 bits. Tags of nodes that
     * no agent visits for a long time (a subtree with no online slot) stay frozen; 48 bits keep a
     * frozen tag "older" for 2^47 grace periods, beyond any real run.
     */
    public static long tag(long k) {
        return k & (-1L >>> PENDING_BITS);
    }

    /** A node word. */
    public static long node(long tag, int pending) {
        return (tag << PENDING_BITS) | (pending & PENDING_MASK);
    }

    /** The tag of a node word. */
    public static long nodeTag(long nodeWord) {
        return nodeWord >>> PENDING_BITS;
    }

    /** The pending mask of a node word. */
    public static int nodePending(long nodeWord) {
        return (int) (nodeWord & PENDING_MASK);
    }

    /**
     * Compares a node tag with grace period {@code k}, wrap-safe on 48 bits: negative when the tag is
     * older than {@code k}, zero when it is {@code k}, positive when newer (the caller is stale).
     */
    public static int compareTag(long tag, long k) {
        return Long.signum((tag - tag(k)) << PENDING_BITS);
    }
}
