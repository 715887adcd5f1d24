package dev.nexus.epoch;

/**
 * A snapshot of an epoch domain's counters. Each field is read separately and racily, so the
 * snapshot is not atomic: for example {@code reclaimedCount} may briefly exceed what
 * {@code retiredCount} was when it was read.
 *
 * @param epoch the global epoch: 1 at creation, one more per completed grace period
 * @param retiredCount segments retired plus actions deferred
 * @param retiredBytes bytes retired
 * @param reclaimedCount segments freed plus actions run
 * @param reclaimedBytes bytes freed
 * @param pendingBytes bytes retired and not yet freed
 * @param budgetOverruns retirements accepted beyond the budget ({@link BudgetPolicy#GROW})
 * @param stalls stalled guards reported
 * @param reclaimFailures frees and actions that threw
 * @param poolSlots slots in the guard pool's active part
 * @param participantSlots participant slots ever leased (high-water mark)
 * @param readSide how participants pin: {@link ReadSide#MEMBARRIER} or {@link ReadSide#CAS}
 * @param readSideReason why that read side (what the builder asked, the membarrier probe's answer)
 */
public record EpochStats(long epoch, long retiredCount, long retiredBytes, long reclaimedCount,
        long reclaimedBytes, long pendingBytes, long budgetOverruns, long stalls,
        long reclaimFailures, int poolSlots, int participantSlots, ReadSide readSide,
        String readSideReason) {
}
