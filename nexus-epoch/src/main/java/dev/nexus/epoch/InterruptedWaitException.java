package dev.nexus.epoch;

/**
 * Thrown by the untimed waits of an {@link EpochDomain} ({@link EpochDomain#synchronize()},
 * {@link EpochDomain#barrier()}, {@link EpochDomain#close()}, and {@code retire} waiting for the
 * garbage budget under {@link BudgetPolicy#BLOCK}) when the waiting thread is interrupted. These
 * methods keep their signatures free of checked exceptions, so they report the interrupt this way:
 * the thread's interrupt status is set again before this is thrown (never swallowed), and the cause
 * is the {@link InterruptedException}. The timed forms ({@link EpochDomain#trySynchronize},
 * {@link EpochDomain#awaitBarrier}, {@link EpochDomain#close(java.time.Duration)}) throw
 * {@link InterruptedException} instead.
 *
 * <p>The wait is abandoned with no other effect: the domain is as it was (a {@code close()} that is
 * interrupted leaves the domain open; a {@code retire} leaves the segment with the caller).
 */
public final class InterruptedWaitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception for an interrupted wait.
     *
     * @param message what was waiting, naming the domain
     * @param cause the interrupt
     */
    public InterruptedWaitException(String message, InterruptedException cause) {
        super(message, cause);
    }
}
