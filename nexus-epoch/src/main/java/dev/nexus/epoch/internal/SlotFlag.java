package dev.nexus.epoch.internal;

/**
 * The flag word of a participant slot on the membarrier read side ({@link DomainLayout#SLOT_FLAG}):
 * whether the slot is counted online, being taken offline, or offline, with a sequence number that
 * every transition increments. The TLA+ model's {@code flag} ({@code tla/QuiescenceTree.tla}, "THE
 * MEMBARRIER READ SIDE").
 *
 * <pre>
 * bit 63 ............................ 2   1 0
 *     | sequence number (transitions)  | state |   state: 0 OFFLINE, 1 ONLINE, 2 OFFLINING
 * </pre>
 *
 * <p>A zeroed word is OFFLINE with sequence 0: a slot never used starts offline, and its first pin
 * re-joins it. Every CAS on the word expects the full word it read, sequence included, so an
 * offliner that read OFFLINING(n) cannot commit after the owner cancelled it and a new offlining
 * began (the model's {@code BrokenFlagWithoutSequence} shows what a fixed OFFLINING value allows).
 */
public final class SlotFlag {

    /** Offline: not counted; only the owner's re-join moves the word out of it (or a release). */
    public static final int OFFLINE = 0;
    /** Online: counted in the tree's per-child counts. */
    public static final int ONLINE = 1;
    /** Being taken offline by an offliner between its flag store and its commit; still counted. */
    public static final int OFFLINING = 2;

    private static final long STATE_MASK = 3L;

    private SlotFlag() {
    }

    /** The state of a flag word: {@link #OFFLINE}, {@link #ONLINE} or {@link #OFFLINING}. */
    public static int state(long flagWord) {
        return (int) (flagWord & STATE_MASK);
    }

    /** The word after {@code flagWord} with state {@code state}: the sequence number is incremented. */
    public static long next(long flagWord, int state) {
        return (((flagWord >>> 2) + 1) << 2) | state;
    }
}
