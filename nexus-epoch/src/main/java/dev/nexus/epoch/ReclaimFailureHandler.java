package dev.nexus.epoch;

/**
 * Receives the frees and deferred actions that threw. Called on the thread that ran them: the
 * domain's reclaimer thread, a thread reclaiming inline ({@link EpochDomain.Builder#reclaimInline}),
 * or a thread inside {@code synchronize()}, {@code barrier()}, {@code close()} or a blocked
 * {@code retire} (which drive reclamation themselves). The other items still run; the failing one
 * counts in {@link EpochStats#reclaimFailures()} and is not retried. A segment whose free threw is
 * not freed again.
 *
 * <p>The default handler logs the failure through {@link System.Logger} (logger
 * {@code dev.nexus.epoch}, level ERROR). An exception thrown by a handler is logged the same way.
 * A handler must not keep its domain reachable (it is held by the reclaimer thread) if the domain is
 * to be collected when forgotten unclosed.
 *
 * @see EpochDomain.Builder#reclaimFailureHandler(ReclaimFailureHandler)
 */
@FunctionalInterface
public interface ReclaimFailureHandler {

    /**
     * A free or a deferred action threw.
     *
     * @param domain the domain's name
     * @param item the {@link java.lang.foreign.MemorySegment} whose free threw, or the
     *     {@link Runnable} that threw
     * @param failure what it threw
     */
    void failed(String domain, Object item, Throwable failure);
}
