package dev.nexus.epoch;

import java.time.Duration;

/**
 * The gauges a monitoring system wants of a domain, read racily (not an atomic snapshot). Ages are
 * as seen by the domain's own detection, so they are lower bounds. Also emitted every second as the
 * {@code dev.nexus.epoch.Statistics} JFR event while a recording enables it.
 *
 * @param openGuards guards pinned now (pooled and participant slots whose word is pinned)
 * @param oldestGuardAge the longest any guard still pinned has been seen pinned by detection (zero
 *     when no grace period has had to wait for one): a lower bound on the oldest guard's age
 * @param gracePeriods grace periods completed since the domain was created (the epoch minus 1)
 * @param sinceLastGracePeriod time since the domain first saw the current epoch: a lower bound on
 *     how long the running grace period has lasted. {@code gracePeriods} sampled twice gives the
 *     rate
 * @param pendingBytes bytes retired and not yet freed
 * @param releasedGuards pooled guards released by the backstop (dropped without close())
 * @param retireToFreeLag how long retired items waited to be freed
 */
public record EpochGauges(int openGuards, Duration oldestGuardAge, long gracePeriods,
        Duration sinceLastGracePeriod, long pendingBytes, long releasedGuards,
        LagHistogram retireToFreeLag) {
}
