package dev.nexus.epoch.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed histogram of retire-to-free lags with 64 power-of-two buckets: bucket {@code i} counts
 * lags in {@code [2^i, 2^(i+1))} nanoseconds (bucket 0 also counts 0 and 1 ns). Written by one
 * thread at a time (the holder of the reclaimer's step lock), read racily by any.
 *
 * <p>Written by hand rather than with HdrHistogram: nexus-epoch's only runtime dependency is JCTools,
 * and a factor-of-two resolution is what a lag gauge needs (is it microseconds, milliseconds,
 * seconds?), at one array increment per bag.
 */
public final class LagRecorder {

    /** Number of buckets: every non-negative long lag has one. */
    public static final int BUCKETS = 64;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** A recorder with every bucket at zero. */
    public LagRecorder() {
    }

    /** The bucket of a lag: {@code floor(log2(nanos))}, 0 for 0 and 1. */
    public static int bucket(long nanos) {
        return nanos <= 1 ? 0 : 63 - Long.numberOfLeadingZeros(nanos);
    }

    /** Counts one lag; only the step-lock holder calls this. */
    void record(long nanos) {
        int bucket = bucket(Math.max(0, nanos));
        // single writer (the step-lock holder; the lock orders successive holders): a plain read and
        // a release store; pairs with the acquire reads of snapshot()
        counts.setRelease(bucket, counts.getPlain(bucket) + 1);
    }

    /** A racy copy of the counts (each bucket read with acquire). */
    public long[] snapshot() {
        long[] copy = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            copy[i] = counts.getAcquire(i);
        }
        return copy;
    }
}
