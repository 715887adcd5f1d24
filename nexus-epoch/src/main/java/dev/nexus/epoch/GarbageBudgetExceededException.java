package dev.nexus.epoch;

/**
 * Thrown by {@link EpochDomain#retire} when a segment does not fit the domain's garbage budget under
 * {@link BudgetPolicy#FAIL}, or can never fit under {@link BudgetPolicy#BLOCK}. The segment was not
 * retired: the caller still owns it.
 */
public final class GarbageBudgetExceededException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that names the domain, the budget and the request.
     *
     * @param message the message
     */
    public GarbageBudgetExceededException(String message) {
        super(message);
    }
}
