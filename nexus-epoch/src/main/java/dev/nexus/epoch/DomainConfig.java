package dev.nexus.epoch;

/**
 * The validated options of a domain, read in one place: {@link EpochDomain.Builder} builds it.
 *
 * @param guardBackstop whether pooled pins record themselves for the backstop
 * @param readSide the read side in use, {@link ReadSide#MEMBARRIER} or {@link ReadSide#CAS} (never AUTO)
 * @param readSideReason why that read side: what was asked, and the membarrier probe's answer
 * @param checked checked mode: guards bind segments to their lifetime
 * @param failureHandler who hears of failing frees and actions; null: the default log line
 * @param graceDistance epochs a tag must age before its bag is freed: 2. Only tests set 1, through
 *     the package-private {@code EpochDomain.Builder.brokenGraceDistanceForTests}, to prove the
 *     torture test catches a domain that frees too early.
 */
record DomainConfig(String name, Detector detector, int poolCapacity, int initialPool,
        int participantCapacity, long budgetBytes, BudgetPolicy budgetPolicy,
        long stallThresholdNanos, StallListener stallListener, boolean reclaimInline,
        boolean recordPinSites, boolean detectDoubleRetire, long sealBytes, int stripes,
        int graceDistance, ReclaimFailureHandler failureHandler, boolean checked, boolean guardBackstop,
        ReadSide readSide, String readSideReason) {
}
