package dev.nexus.epoch.internal;

import static dev.nexus.epoch.internal.DomainLayout.INNER_FANOUT;
import static dev.nexus.epoch.internal.DomainLayout.LEAF_FANOUT;

/**
 * Grace-period detection with a lock-free quiescence combining tree (Linux Tree RCU's tree, with
 * tag-checked CAS instead of node locks). See {@code docs/design.md} for the protocol and the
 * argument; the TLA+ model {@code tla/QuiescenceTree.tla} checks it.
 *
 * <p>Progress: every method is lock-free; a report climbs O(log T) nodes, and
 * {@link #forceQuiescentState} visits only pending subtrees.
 */
public final class QuiescenceTree implements GracePeriodDetector {

    /*
     * Implementation notes.
     *
     * Node word = (tag, pending). A node whose tag is older than k stands for "all occupied children
     * pending" in grace period k; the first agent that reaches it installs (k, pending) with a CAS
     * of the whole word, so a reporter delayed across a grace period cannot clear a bit of the next
     * one (its expected word carries the old tag). Leaves compute pending by reading their slots;
     * inner nodes from the per-child counts of online slots (CountsCoverOnline: arrive before a
     * slot is published online, depart after it is published offline).
     *
     * Observation rule (NoReclaimWhilePinned rests on it): a pending bit of grace period k is
     * cleared only after a volatile read, made after seeing E = k, found the slot not pinned or
     * pinned at >= k, or found counts[c] == 0.
     *
     * Membarrier read side (ReadBarrier.isMembarrier(); the model's "THE MEMBARRIER READ SIDE"):
     * participants pin with an opaque store that may still sit in a store buffer. fqs reads slots
     * without a membarrier: it may miss a pin whose store is still buffered and complete a grace
     * period past it, but no item that reader can reach is freed by that: every bag's tag is read
     * after a membarrier that follows its items' unlinks (Reclaimer, RecMb/RecTag; synchronize()
     * likewise), so the reader's pin was either visible to every observation made after the tag
     * read (those that could free the bag) or its loads come after the unlinks (the model's "Why
     * one tag per batch, after one membarrier, is safe, with no membarrier in fqs"). A participant
     * slot goes offline by its flag word, not by a CAS of its slot word (the owner stores that word
     * without a locked instruction, so a CAS IDLE -> OFFLINE could not lose to its pin):
     * offlineByFlag below. Pool slots keep the CAS lease and the CAS offlining (a pooled pin is a
     * CAS, a locked instruction: the model leaves them out for that reason). Leaves never mix the
     * two kinds: the pool's capacity is a multiple of LEAF_FANOUT.
     */

    private final DomainLayout layout;
    private final int top;
    private final long epochOffset;
    private final ReadBarrier barrier;

    /** Builds the tree over a layout whose block is zeroed, for the CAS read side. */
    public QuiescenceTree(DomainLayout layout) {
        this(layout, ReadBarrier.cas());
    }

    /** Builds the tree over a layout whose block is zeroed (every node tag 0, pending 0). */
    public QuiescenceTree(DomainLayout layout, ReadBarrier barrier) {
        this.layout = layout;
        this.top = layout.levels() - 1;
        this.epochOffset = layout.epoch();
        this.barrier = barrier;
    }

    @Override
    public void report(int slot, long k) {
        // a reader clears bits and climbs, but never advances E itself: otherwise, with no other
        // online slot, every pin would complete a grace period and the next pin would report again
        observeLeaf(slot / LEAF_FANOUT, k, StragglerSink.NONE, false, false);
    }

    @Override
    public boolean forceQuiescentState(long k, StragglerSink stragglers) {
        // no membarrier on the membarrier read side: a buffered pin store missed here is accounted
        // for by the membarrier before each tag read (see the implementation notes)
        visit(top, 0, k, stragglers);
        long root = SharedRegion.getLongVolatile(layout.node(top, 0));
        if (Epoch.compareTag(Epoch.nodeTag(root), k) == 0 && Epoch.nodePending(root) == 0) {
            // the root is complete for k: advance, in case its completer has not yet done so
            SharedRegion.casLong(epochOffset, k, Epoch.successor(k));
        }
        return Epoch.value(SharedRegion.getLongVolatile(epochOffset)) != k;
    }

    @Override
    public void arrive(int slot) {
        addToPath(slot, 1);
    }

    @Override
    public void depart(int slot) {
        addToPath(slot, -1);
    }

    /**
     * Adds {@code delta} to the counts on the slot's path. All or nothing: if an error (a stack
     * overflow of the caller) interrupts the climb, the levels already counted are taken back before
     * it propagates, so that no count stays one too high (or low) for good.
     */
    private void addToPath(int slot, int delta) {
        int index = slot / LEAF_FANOUT;
        int level = 1;
        try {
            for (; level <= top; level++) {
                int parent = index / INNER_FANOUT;
                // volatile RMW: an installer that reads this count after seeing E = k either sees the
                // arrival, or the arriving reader's later volatile read of E returns >= k.
                int before = SharedRegion.getAndAddIntVolatile(
                        layout.count(level, parent, index % INNER_FANOUT), delta);
                assert before + delta >= 0 : "negative online count at level " + level;
                index = parent;
            }
        } catch (Throwable failure) {
            int undo = slot / LEAF_FANOUT;
            for (int l = 1; l < level; l++) {
                int parent = undo / INNER_FANOUT;
                // volatile RMW, as above: takes back the count this call added at level l
                SharedRegion.getAndAddIntVolatile(layout.count(l, parent, undo % INNER_FANOUT), -delta);
                undo = parent;
            }
            throw failure;
        }
    }

    /** Descends from an inner node (or observes a leaf) on behalf of grace period {@code k}. */
    private void visit(int level, int index, long k, StragglerSink stragglers) {
        if (level == 0) {
            observeLeaf(index, k, stragglers, true, true);
            return;
        }
        long nodeOffset = layout.node(level, index);
        int pending;
        while (true) {
            long word = SharedRegion.getLongVolatile(nodeOffset);
            int cmp = Epoch.compareTag(Epoch.nodeTag(word), k);
            if (cmp > 0) {
                return; // a newer grace period installed it: we are stale
            }
            if (cmp == 0) {
                pending = Epoch.nodePending(word);
                if (pending == 0) {
                    // complete: help clear its bit upward, in case its completer was preempted
                    // before climbing (completed() is idempotent)
                    completed(level, index, k, true);
                    return;
                }
                break;
            }
            int occupied = occupied(level, index);
            // volatile CAS of the whole word: installs k only over the older word we read
            if (SharedRegion.casLong(nodeOffset, word, Epoch.node(Epoch.tag(k), occupied))) {
                if (occupied == 0) {
                    completed(level, index, k, true);
                    return;
                }
                pending = occupied;
                break;
            }
        }
        int base = index * INNER_FANOUT;
        for (int bits = pending; bits != 0; bits &= bits - 1) {
            visit(level - 1, base + Integer.numberOfTrailingZeros(bits), k, stragglers);
        }
    }

    /**
     * Observes leaf {@code leaf} for grace period {@code k}: installs it, or clears the bits of slots
     * now quiescent; climbs when this call completes it. With {@code offline}, also takes long-idle
     * slots offline.
     */
    private void observeLeaf(int leaf, long k, StragglerSink stragglers, boolean offline, boolean advance) {
        long nodeOffset = layout.node(0, leaf);
        int first = leaf * LEAF_FANOUT;
        int slots = layout.children(0, leaf);
        while (true) {
            long word = SharedRegion.getLongVolatile(nodeOffset);
            int cmp = Epoch.compareTag(Epoch.nodeTag(word), k);
            if (cmp > 0) {
                return;
            }
            int candidates = cmp == 0 ? Epoch.nodePending(word) : (int) ((1L << slots) - 1);
            if (cmp == 0 && candidates == 0) {
                if (offline) {
                    completed(0, leaf, k, advance); // FQS helps a preempted completer climb
                }
                break;
            }
            int stillPending = 0;
            for (int bits = candidates; bits != 0; bits &= bits - 1) {
                int bit = Integer.numberOfTrailingZeros(bits);
                // volatile read after the volatile read of E = k (observation rule)
                long slotWord = SharedRegion.getLongVolatile(layout.slot(first + bit));
                if (!Epoch.quiescentFor(slotWord, k)) {
                    stillPending |= 1 << bit;
                    stragglers.straggler(first + bit, slotWord);
                }
            }
            if (cmp == 0 && stillPending == candidates) {
                break; // nothing this call can clear
            }
            // volatile CAS of the whole word: a stale agent (older k, moved mask) fails and re-reads
            if (SharedRegion.casLong(nodeOffset, word, Epoch.node(Epoch.tag(k), stillPending))) {
                if (stillPending == 0) {
                    completed(0, leaf, k, advance);
                }
                break;
            }
        }
        if (offline) {
            offlineIdle(first, slots, k);
        }
    }

    /** Takes slots that have been idle for two grace periods offline, so detection skips them. */
    private void offlineIdle(int first, int slots, long k) {
        boolean byFlag = barrier.isMembarrier() && first >= layout.poolCapacity();
        for (int i = first; i < first + slots; i++) {
            long slotOffset = layout.slot(i);
            if (SharedRegion.getLongVolatile(slotOffset) != Epoch.IDLE) {
                continue;
            }
            // opaque: the owner writes seen plainly while it holds the slot; a stale value only
            // delays or hastens offlining, which is safe either way (the CAS below decides).
            long seen = SharedRegion.getLongOpaque(slotOffset + DomainLayout.SLOT_SEEN);
            if (byFlag) {
                if (Epoch.distance(k, seen) >= 2) {
                    offlineByFlag(i, slotOffset);
                }
                continue;
            }
            // volatile CAS IDLE -> OFFLINE: loses against the owner's pin CAS from IDLE
            if (Epoch.distance(k, seen) >= 2
                    && SharedRegion.casLong(slotOffset, Epoch.IDLE, Epoch.OFFLINE)) {
                depart(i); // after the slot is published offline (CountsCoverOnline)
            }
        }
    }

    /**
     * The offlining handshake of a participant slot on the membarrier read side (the model's
     * AOffFlag, AOffMb, AOffRead, AOffCommit/ADepart or AOffBack). The reader pins with "store
     * PINNED(e); load flag", the offliner runs "store OFFLINING(n); membarrier; load slot": the
     * membarrier puts a full barrier in the reader at some instant inside the call, so either the
     * reader's flag load follows it (and sees OFFLINING(n) or later: it cancels, or finds the
     * commit and re-joins) or its pin store precedes it (and the slot load below sees the pin or
     * the later IDLE of a guard that is over). One membarrier per slot, as in the model; it is rare
     * (a slot idle for two grace periods, once).
     */
    private void offlineByFlag(int slot, long slotOffset) {
        long flagOffset = slotOffset + DomainLayout.SLOT_FLAG;
        long online = SharedRegion.getLongVolatile(flagOffset);
        if (SlotFlag.state(online) != SlotFlag.ONLINE) {
            return; // offline already, or another offliner is at it
        }
        long offlining = SlotFlag.next(online, SlotFlag.OFFLINING);
        // AOffFlag: volatile CAS of the full word (sequence included) ONLINE -> OFFLINING(n)
        if (!SharedRegion.casLong(flagOffset, online, offlining)) {
            return;
        }
        boolean idle = false;
        try {
            barrier.membarrier(); // AOffMb: after the flag store, before the slot read (never before)
            idle = SharedRegion.getLongVolatile(slotOffset) == Epoch.IDLE; // AOffRead
        } finally {
            // AOffCommit: volatile CAS OFFLINING(n) -> OFFLINE; fails if the reader cancelled (it
            // pinned: the slot never departed) or a release took the slot offline itself
            if (idle && SharedRegion.casLong(flagOffset, offlining, SlotFlag.next(offlining, SlotFlag.OFFLINE))) {
                depart(slot); // ADepart: after the slot is published offline (CountsCoverOnline)
            } else if (!idle) {
                // AOffBack: volatile CAS OFFLINING(n) -> ONLINE; fails harmlessly if the reader
                // cancelled first (also when the membarrier threw: the slot stays counted)
                SharedRegion.casLong(flagOffset, offlining, SlotFlag.next(offlining, SlotFlag.ONLINE));
            }
        }
    }

    /**
     * Node {@code (level, index)} is complete for {@code k}: clear its bit upward; at the root,
     * advance {@code E} if {@code advance} (the advancer's calls), else leave that to the advancer.
     */
    private void completed(int level, int index, long k, boolean advance) {
        while (level < top) {
            int parent = index / INNER_FANOUT;
            int bit = 1 << (index % INNER_FANOUT);
            long parentOffset = layout.node(level + 1, parent);
            int left;
            while (true) {
                long word = SharedRegion.getLongVolatile(parentOffset);
                int cmp = Epoch.compareTag(Epoch.nodeTag(word), k);
                if (cmp > 0) {
                    return;
                }
                int pending;
                if (cmp == 0) {
                    pending = Epoch.nodePending(word);
                    if ((pending & bit) == 0) {
                        return; // cleared by someone else, who climbs if it was the last
                    }
                } else {
                    pending = occupied(level + 1, parent) | bit;
                }
                left = pending & ~bit;
                // tag-checked CAS of the whole word: fails if the grace period or the mask moved
                if (SharedRegion.casLong(parentOffset, word, Epoch.node(Epoch.tag(k), left))) {
                    break;
                }
            }
            if (left != 0) {
                return;
            }
            level++;
            index = parent;
        }
        if (advance) {
            // root complete for k: CAS fails harmlessly if E moved on or the domain closed
            SharedRegion.casLong(epochOffset, k, Epoch.successor(k));
        }
    }

    /** Children of an inner node with online slots, read from its counts after E = k was seen. */
    private int occupied(int level, int index) {
        int mask = 0;
        int children = layout.children(level, index);
        for (int c = 0; c < children; c++) {
            if (SharedRegion.getIntVolatile(layout.count(level, index, c)) > 0) {
                mask |= 1 << c;
            }
        }
        return mask;
    }
}
