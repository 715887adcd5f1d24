package dev.nexus.zerocopy;

import dev.nexus.zerocopy.internal.BatchLifetime;

/**
 * Process-wide counters of batches and holds, for monitoring and leak checks. A snapshot is not
 * atomic across its fields (each is read on its own).
 *
 * @param liveBatches batches built, imported or mapped whose memory has not yet been handed to the
 *     epoch domain (they are open, or closed with holds still open)
 * @param openHolds holds (slices, exports, streams, windows) taken and not yet released
 * @param holdsOpenAtClose holds that were still open when their batch was closed, counted at each
 *     close since the process started (each such close is also logged, at DEBUG, with the holds'
 *     sites)
 * @param droppedHolds holds that became unreachable without being released (each is logged as a
 *     WARNING with the site where it was taken); their batches' memory stays allocated
 * @param reclaimedBatches batches whose memory was handed to the epoch domain (retired or deferred)
 */
public record ZeroCopyStats(long liveBatches, long openHolds, long holdsOpenAtClose, long droppedHolds,
                            long reclaimedBatches) {

    /**
     * The current counters.
     *
     * @return a snapshot
     */
    public static ZeroCopyStats current() {
        return BatchLifetime.stats();
    }
}
