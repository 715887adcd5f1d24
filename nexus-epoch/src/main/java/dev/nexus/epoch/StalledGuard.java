package dev.nexus.epoch;

import java.time.Duration;
import java.util.List;

/**
 * A guard that holds reclamation back: it was opened before the running grace period started and is
 * still open.
 *
 * @param domain the domain's name
 * @param threadId id of the thread that opened the guard (0 when not known)
 * @param threadName that thread's name, or null when not known (every pooled pin records its
 *     thread, every participant its owner; null only when the report races with a newer pin)
 * @param pinnedEpoch the epoch the guard pinned
 * @param globalEpoch the domain's epoch when the stall was seen
 * @param stalledFor how long the guard has held reclamation back, measured from the later of the
 *     start of the grace period it holds back and the moment the domain first saw it pinned, both as
 *     observed by the domain: a lower bound on the guard's age
 * @param openedAt where the guard was opened, when pin sites are recorded; otherwise empty
 * @param participant whether the guard belongs to a {@link Participant}
 */
public record StalledGuard(String domain, long threadId, String threadName, long pinnedEpoch,
        long globalEpoch, Duration stalledFor, List<StackTraceElement> openedAt, boolean participant) {

    /**
     * Validates and copies.
     *
     * @throws NullPointerException if {@code domain}, {@code stalledFor} or {@code openedAt} is null
     */
    public StalledGuard {
        java.util.Objects.requireNonNull(domain, "domain");
        java.util.Objects.requireNonNull(stalledFor, "stalledFor");
        openedAt = List.copyOf(openedAt);
    }
}
