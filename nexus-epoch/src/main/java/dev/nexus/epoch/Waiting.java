package dev.nexus.epoch;

import java.time.Duration;
import java.util.Objects;

/**
 * Deadlines and interrupt handling shared by the waits of {@link EpochDomain}: the untimed forms wait
 * with no deadline and turn an interrupt into {@link InterruptedWaitException} (interrupt status set
 * again); the timed forms take a {@link Duration} and let {@link InterruptedException} through.
 */
final class Waiting {

    /** A deadline that never passes (as a {@link System#nanoTime()} value, about 146 years ahead). */
    static final long NEVER = Long.MAX_VALUE;

    private Waiting() {
    }

    /** The {@link System#nanoTime()} deadline {@code timeout} from now; validates the timeout. */
    static long deadline(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: timeout=" + timeout);
        }
        long nanos = timeout.compareTo(Duration.ofDays(365L * 100)) > 0 ? Long.MAX_VALUE / 2 : timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        return deadline == NEVER ? NEVER - 1 : deadline;
    }

    /** Re-asserts the interrupt and wraps it: for the untimed waits. */
    static InterruptedWaitException interrupted(String domain, String what, InterruptedException cause) {
        Thread.currentThread().interrupt();
        return new InterruptedWaitException("epoch domain '" + domain + "': " + what
                + " was interrupted; the interrupt status is set again", cause);
    }

    /** A body that waits until a deadline. */
    @FunctionalInterface
    interface TimedWait {
        /** Waits until {@code deadline}; true when done, false on timeout. */
        boolean await(long deadline) throws InterruptedException;
    }

    /** Runs {@code body} with no deadline, reporting an interrupt as an unchecked exception. */
    static void untimed(String domain, String what, TimedWait body) {
        try {
            boolean done = body.await(NEVER);
            assert done : what + " with no deadline returned false";
        } catch (InterruptedException e) {
            throw interrupted(domain, what, e);
        }
    }
}
