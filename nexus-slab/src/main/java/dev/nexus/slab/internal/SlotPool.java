package dev.nexus.slab.internal;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where free slots come from: a lock-free LIFO stack of recycled slots (a Treiber stack whose head
 * carries an ABA tag), and behind it a bump cursor over slots never used yet.
 *
 * <p>Progress: {@link #acquire} and {@link #release} are lock-free (a CAS retries only when another
 * thread changed the head or the cursor), except that {@code acquire} blocks in
 * {@link SlabDirectory#ensure} while the first slot of a new slab waits for its allocation.
 */
public final class SlotPool {

    /*
     * Implementation notes.
     *
     * Head word: (ABA tag: high 32 bits | top slot index + 1: low 32 bits); low half 0 = empty.
     * Every successful push and pop adds one to the tag, so a pop that read head (A, t) and A's
     * link, and lost the CPU while others popped A, popped or pushed anything and pushed A back,
     * finds (A, t+k), k > 0, and its CAS fails instead of installing a stale link (the ABA
     * problem). The tag wraps after 2^32 head changes; a pop would have to stall across exactly
     * a multiple of 2^32 changes to be fooled.
     *
     * Links live in the link bits of the free slots' state words (SlotState.link), in native
     * memory that stays allocated until the slab instance closes, so a pop may read the word of a
     * slot that another thread has meanwhile popped and reused: the read is a benign race (opaque,
     * so it is atomic), its value is discarded when the CAS fails, and it never reads freed memory.
     * Writing the link is safe although readers (get, contains) load the same word: a free slot's
     * word is VACANT with or without a link, and a reader only ever compares it with OCCUPIED(g).
     *
     * LIFO: the slot freed last is handed out first, while its lines are still in cache (and its
     * page resident). The stack spans all slabs of the instance, so within each slab the order is
     * LIFO too. Fresh slots are taken in index order, slab by slab, only when the stack is empty, so
     * slabs are touched and allocated one at a time.
     *
     * Why a shared stack rather than per-thread magazines: slots are released by the domain's
     * reclaimer thread after their grace period, not by the threads that insert, so magazines
     * would need a depot to carry slots from the reclaimer to inserters, and slots parked in an
     * idle thread's magazine would make the fixed variant report FULL while slots are free.
     * One CAS per acquire and per release is cheap next to the pin and the grace period.
     */

    private static final long EMPTY = 0;
    private static final long TAG_ONE = 1L << 32;
    private static final long TOP_MASK = 0xFFFF_FFFFL;

    private final SlabDirectory directory;
    private final KeyCodec keys;
    private final long capacity;

    /**
     * The stack head: (ABA tag, top index + 1).
     * Invariant: the chain of links from the top holds each released, not yet reacquired
     * slot exactly once. Non-invariant: a racing reader may see a head whose top is being popped.
     */
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile long head = EMPTY;

    /**
     * The first slot index never handed out. Invariant: {@code 0 <= fresh <= capacity}; slots at
     * or above it were never used and are VACANT(0) once their slab exists.
     */
    @SuppressWarnings("unused") // accessed through FRESH
    private volatile long fresh;

    /**
     * A pool with every slot fresh.
     *
     * @param directory the slabs
     * @param keys the key codec (slab and slot of an index)
     * @param capacity slots in total
     */
    public SlotPool(SlabDirectory directory, KeyCodec keys, long capacity) {
        this.directory = directory;
        this.keys = keys;
        this.capacity = capacity;
    }

    /**
     * Takes a free slot: the most recently released one, else a fresh one (allocating its slab if
     * needed). The caller owns the slot until it releases it or publishes it as occupied.
     *
     * @return a slot index, or -1 if every slot is in use, waiting for a grace period or retired
     */
    public int acquire() {
        int index = pop();
        return index >= 0 ? index : claimFresh();
    }

    private int claimFresh() {
        while (true) {
            long next = freshVolatile();
            if (next >= capacity) {
                return pop(); // a release may have raced in since the first pop; -1 means full
            }
            directory.ensure(keys.slab((int) next)); // the slab exists before its slot is handed out
            if (casFresh(next, next + 1)) { // volatile CAS: the claim; losers retry with the new cursor
                return (int) next;
            }
        }
    }

    private int pop() {
        while (true) {
            // acquire: pairs with the CAS in release(): the pushed slot's link (and whatever its
            // releaser wrote before, e.g. poison) is visible
            long h = headAcquire();
            int top = (int) (h & TOP_MASK) - 1;
            if (top < 0) {
                return -1;
            }
            MemorySegment slab = directory.slabAcquire(keys.slab(top));
            // opaque: benign race with a concurrent pop and re-push of top; a stale link is discarded
            // by the failing CAS below (the tag moved)
            long next = SlotState.link(SlabLayout.stateOpaque(slab, keys.slot(top)));
            // volatile CAS: linearization point of the pop; the tag increment defeats ABA
            if (casHead(h, (h & ~TOP_MASK) + TAG_ONE | next)) {
                return top;
            }
        }
    }

    /**
     * Returns a slot to the top of the stack. Writes the caller made to the slot before this call
     * happen-before the slot's next {@link #acquire()}.
     *
     * @param index a slot index the caller owns
     */
    public void release(int index) {
        MemorySegment slab = directory.slabAcquire(keys.slab(index));
        int slot = keys.slot(index);
        // opaque: the caller owns the slot, so only this thread writes the word until the push
        long vacant = SlabLayout.stateOpaque(slab, slot);
        while (true) {
            long h = headAcquire(); // acquire: only to start the CAS loop from a recent head
            // opaque: concurrent pops and readers may load this word racily (see the notes); ordered
            // before the CAS below, whose volatile write releases it to the popper of the new head
            SlabLayout.setStateOpaque(slab, slot, SlotState.linked(vacant, h & TOP_MASK));
            // volatile CAS: linearization point of the push
            if (casHead(h, (h & ~TOP_MASK) + TAG_ONE | (index + 1L))) {
                return;
            }
        }
    }

    /**
     * The first never-used slot index: every slot handed out so far is below it.
     *
     * @return the cursor
     */
    public long freshVolatile() {
        return (long) FRESH.getVolatile(this);
    }

    private long headAcquire() {
        return (long) HEAD.getAcquire(this);
    }

    private boolean casHead(long expected, long value) {
        return HEAD.compareAndSet(this, expected, value);
    }

    private boolean casFresh(long expected, long value) {
        return FRESH.compareAndSet(this, expected, value);
    }

    // VarHandle mechanics
    private static final VarHandle HEAD;
    private static final VarHandle FRESH;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(SlotPool.class, "head", long.class);
            FRESH = lookup.findVarHandle(SlotPool.class, "fresh", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
