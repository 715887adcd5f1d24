package dev.nexus.epoch.internal;

/**
 * Detects the end of grace periods and advances the global epoch. Two implementations sit behind
 * this interface: {@link QuiescenceTree} (O(log T) detection) and {@link FlatScanDetector} (the
 * O(T) scan of crossbeam and liburcu, kept as the baseline).
 *
 * <p>All methods are lock-free and may be called by any number of threads at once.
 */
public sealed interface GracePeriodDetector permits QuiescenceTree, FlatScanDetector {

    /**
     * Called by a reader right after it pinned {@code slot} at epoch {@code k}, the first time it
     * pins in {@code k}: lets the detector clear the slot's pending bit of grace period {@code k}.
     * Only an optimisation; {@link #forceQuiescentState} alone is enough for progress.
     */
    void report(int slot, long k);

    /**
     * Drives grace period {@code k}: observes the slots still pending, takes long-idle slots offline,
     * and moves {@code E} from {@code k} to {@code k+1} when every slot is observed quiescent.
     * Slots still pinned at an epoch below {@code k} are passed to {@code stragglers}.
     *
     * @return whether {@code E} is past {@code k} when it returns (by this call or another)
     */
    boolean forceQuiescentState(long k, StragglerSink stragglers);

    /** The slot is about to come online: count it. Must happen before it is published online. */
    void arrive(int slot);

    /** The slot went offline: stop counting it. Must happen after it was published offline. */
    void depart(int slot);

    /** Receives the slots that hold a grace period back. */
    @FunctionalInterface
    interface StragglerSink {

        /** Sink that ignores stragglers. */
        StragglerSink NONE = (slot, word) -> { };

        /**
         * Slot {@code slot} was observed with {@code slotWord}, pinned before the running grace period.
         */
        void straggler(int slot, long slotWord);

        /**
         * Called by {@code Reclaimer.driveUntil} just before a wait gives up (an interrupt, a
         * timeout), so that a check too costly for every wait (a scan of every slot in use) runs only
         * then; it may throw to report a misuse instead of the interrupt or timeout. Default: nothing.
         */
        default void beforeGivingUp() {
        }
    }
}
