package dev.nexus.slab.internal;

/**
 * The arithmetic of a slot's state word, the one header word of every slot (see
 * {@link SlabLayout}): a generation, one of three states, and, while the slot sits in the free
 * stack, the link to the next free slot.
 *
 * <pre>
 *   63  61 60                       34 33                           2 1     0
 *  +------+---------------------------+------------------------------+-------+
 *  | 0    | link (27): next index + 1 | generation (32)              | state |
 *  +------+---------------------------+------------------------------+-------+
 *   state: VACANT 0, OCCUPIED 1, RETIRED 2; link: only in VACANT words of the free stack, else 0
 * </pre>
 *
 * <p>Transitions (each owned by one party, see {@code Slab}'s implementation notes):
 * <pre>
 *   VACANT(g)   --insert/commit (popper, release store)--&gt;     OCCUPIED(g)     key generation g
 *   OCCUPIED(g) --remove (CAS)----------------------------&gt;     VACANT(g+1)     if g &lt; max
 *   OCCUPIED(g) --remove (CAS)----------------------------&gt;     RETIRED(g)      if g == max: never reused
 *   VACANT(g)   --abandoned reservation (popper)----------&gt;     VACANT(g+1) or RETIRED(g)
 *   VACANT(g)   --pushed on the free stack (releaser)-----&gt;     VACANT(g) + link
 * </pre>
 * A fresh (zeroed) word is {@code VACANT(0)}. A key of generation {@code g} is live exactly while the
 * word equals {@code OCCUPIED(g)} (which has no link bits); generations only grow, so a key, once
 * dead, stays dead.
 */
public final class SlotState {

    /** The slot holds no record: free, waiting for a grace period, or reserved and not committed. */
    public static final int VACANT = 0;
    /** The slot holds a committed record. */
    public static final int OCCUPIED = 1;
    /** The slot used up its generations and is never reused. */
    public static final int RETIRED = 2;

    private static final int STATE_BITS = 2;
    private static final long STATE_MASK = (1L << STATE_BITS) - 1;
    private static final int LINK_SHIFT = STATE_BITS + KeyCodec.GENERATION_BITS;
    private static final long LINK_MASK = (1L << (KeyCodec.INDEX_BITS + 1)) - 1;
    private static final long UNLINKED_MASK = (1L << LINK_SHIFT) - 1;

    static {
        assert LINK_SHIFT + KeyCodec.INDEX_BITS + 1 < Long.SIZE : "the link fits";
    }

    private SlotState() {
    }

    /**
     * The word of a vacant slot whose next record gets generation {@code generation}.
     *
     * @param generation a generation
     * @return the state word, unlinked
     */
    public static long vacant(long generation) {
        return generation << STATE_BITS | VACANT;
    }

    /**
     * The word of a slot holding the record of generation {@code generation}.
     *
     * @param generation a generation
     * @return the state word
     */
    public static long occupied(long generation) {
        return generation << STATE_BITS | OCCUPIED;
    }

    /**
     * The word of a slot retired at generation {@code generation}.
     *
     * @param generation the last generation the slot carried
     * @return the state word
     */
    public static long retired(long generation) {
        return generation << STATE_BITS | RETIRED;
    }

    /**
     * The generation in a state word.
     *
     * @param word a state word
     * @return its generation
     */
    public static long generation(long word) {
        return (word & UNLINKED_MASK) >>> STATE_BITS;
    }

    /**
     * The state in a state word.
     *
     * @param word a state word
     * @return {@link #VACANT}, {@link #OCCUPIED} or {@link #RETIRED}
     */
    public static int state(long word) {
        return (int) (word & STATE_MASK);
    }

    /**
     * A vacant word with its free-stack link replaced.
     *
     * @param word a vacant state word
     * @param link the next free slot index plus one, or 0 at the bottom of the stack
     * @return the linked word
     */
    public static long linked(long word, long link) {
        assert state(word) == VACANT && link >= 0 && link <= LINK_MASK : word + "/" + link;
        return word & UNLINKED_MASK | link << LINK_SHIFT;
    }

    /**
     * The free-stack link of a word.
     *
     * @param word a state word
     * @return the next free slot index plus one, or 0
     */
    public static long link(long word) {
        return word >>> LINK_SHIFT & LINK_MASK;
    }

    /**
     * The word a slot gets when its record of generation {@code generation} leaves it (removal, or an
     * abandoned reservation): vacant at the next generation, or retired when {@code generation} is the
     * last one allowed, so that a generation never wraps and a key is never aliased.
     *
     * @param generation the generation that ends
     * @param maxGeneration the last generation a slot may carry
     * @return the next state word, unlinked
     */
    public static long afterRelease(long generation, long maxGeneration) {
        return generation >= maxGeneration ? retired(generation) : vacant(generation + 1);
    }

    /**
     * Whether a state word says retired.
     *
     * @param word a state word
     * @return true if the slot is retired
     */
    public static boolean isRetired(long word) {
        return state(word) == RETIRED;
    }
}
