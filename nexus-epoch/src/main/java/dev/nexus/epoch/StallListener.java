package dev.nexus.epoch;

/**
 * Receives reports of guards that hold a grace period back for longer than the domain's stall
 * threshold. Called on the thread that drives reclamation (the reclaimer thread, or a thread in
 * {@code synchronize()}/{@code barrier()}); it must return quickly and must not pin the domain.
 * An exception it throws is logged (logger {@code dev.nexus.epoch}, ERROR). Without a listener,
 * stalls are logged at WARNING, rate-limited.
 *
 * @see EpochDomain.Builder#stallListener(StallListener)
 */
@FunctionalInterface
public interface StallListener {

    /**
     * A guard has been stalling reclamation. Called once per guard and pinned epoch.
     *
     * @param stall what is known of the guard
     */
    void onStall(StalledGuard stall);

    /**
     * A pooled guard became unreachable without being closed (its thread ended with it, or the
     * object was dropped), and the domain released its slot so that reclamation goes on. Called once
     * per such guard; {@code stalledFor} is zero and {@code openedAt} empty. The domain also logs it
     * (logger {@code dev.nexus.epoch}, level WARNING). Default: nothing more.
     *
     * @param guard what is known of the dropped guard
     */
    default void onGuardReleased(StalledGuard guard) {
    }
}
