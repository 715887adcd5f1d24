package dev.nexus.epoch;

/**
 * What {@link EpochDomain#retire} does when the retired-but-not-yet-freed bytes would exceed the
 * domain's garbage budget (typically because a reader holds a guard for a long time).
 *
 * @see EpochDomain.Builder#garbageBudget(long, BudgetPolicy)
 */
public enum BudgetPolicy {

    /**
     * The retiring thread helps reclaim and waits until the segment fits. If it can never fit (the
     * calling thread itself holds a guard of the domain, or the segment alone is larger than the
     * budget) it throws instead of deadlocking.
     */
    BLOCK,

    /**
     * {@link EpochDomain#retire} throws {@link GarbageBudgetExceededException}; the segment is not
     * retired and still belongs to the caller.
     */
    FAIL,

    /** The segment is accepted beyond the budget; the overrun is counted in {@link EpochStats}. */
    GROW
}
