package dev.nexus.epoch.internal;

/**
 * Grace-period detection by scanning every leased slot, as crossbeam-epoch and liburcu do: O(T) per
 * attempt. Kept as a real detector (selectable in the builder) and as the baseline the quiescence
 * tree is measured against.
 *
 * <p>Progress: lock-free. Readers never report; {@link #report} does nothing.
 */
public final class FlatScanDetector implements GracePeriodDetector {

    private final DomainLayout layout;
    private final SlotAllocator slots;
    private final long epochOffset;

    /**
     * A detector over the slots {@code slots} has leased. It needs no read barrier on either read
     * side: on the membarrier side its slot reads may miss a buffered pin store, which the
     * membarrier before each tag read makes harmless (see {@link #forceQuiescentState}).
     */
    public FlatScanDetector(DomainLayout layout, SlotAllocator slots) {
        this.layout = layout;
        this.slots = slots;
        this.epochOffset = layout.epoch();
    }

    @Override
    public void report(int slot, long k) {
        // nothing: the scan observes every slot itself
    }

    @Override
    public boolean forceQuiescentState(long k, StragglerSink stragglers) {
        // no membarrier on the membarrier read side, as in QuiescenceTree.forceQuiescentState: a
        // buffered pin store missed here is accounted for by the membarrier before each tag read
        boolean quiescent = scan(0, slots.poolActive(), k, stragglers);
        int first = layout.poolCapacity();
        quiescent &= scan(first, first + slots.participantHighWater(), k, stragglers);
        if (quiescent) {
            // every slot read (volatile) after E = k was not pinned below k: grace period k is over
            SharedRegion.casLong(epochOffset, k, Epoch.successor(k));
        }
        return Epoch.value(SharedRegion.getLongVolatile(epochOffset)) != k;
    }

    private boolean scan(int from, int to, long k, StragglerSink stragglers) {
        boolean quiescent = true;
        for (int i = from; i < to; i++) {
            // volatile read after the volatile read of E = k (observation rule)
            long word = SharedRegion.getLongVolatile(layout.slot(i));
            if (!Epoch.quiescentFor(word, k)) {
                stragglers.straggler(i, word);
                quiescent = false;
            }
        }
        return quiescent;
    }

    @Override
    public void arrive(int slot) {
        // nothing: the scan covers every leased slot, online or not
    }

    @Override
    public void depart(int slot) {
        // nothing
    }
}
