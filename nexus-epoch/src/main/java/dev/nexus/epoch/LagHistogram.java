package dev.nexus.epoch;

import java.time.Duration;
import java.util.Arrays;

/**
 * A snapshot of retire-to-free lags in 64 power-of-two buckets: bucket {@code i} counts lags in
 * {@code [2^i, 2^(i+1))} nanoseconds. One sample per freed bag of retired items: the age of the
 * bag's oldest item when the bag was freed, so each item's own lag is at most its bag's sample.
 * Resolution is a factor of two, which is enough to tell microseconds from milliseconds from seconds.
 *
 * @param counts the 64 bucket counts (copied)
 */
public record LagHistogram(long[] counts) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if {@code counts} does not have 64 entries
     */
    public LagHistogram {
        if (counts.length != 64) {
            throw new IllegalArgumentException("a lag histogram has 64 buckets: counts.length=" + counts.length);
        }
        counts = counts.clone();
    }

    /**
     * The bucket counts.
     *
     * @return a copy of the 64 counts
     */
    @Override
    public long[] counts() {
        return counts.clone();
    }

    /**
     * Number of samples.
     *
     * @return the sum of the counts
     */
    public long count() {
        return Arrays.stream(counts).sum();
    }

    /**
     * An upper bound of the lag at a percentile: the exclusive upper edge of the bucket holding it.
     *
     * @param percentile in [0, 100]
     * @return the bound, or {@link Duration#ZERO} without samples
     * @throws IllegalArgumentException if {@code percentile} is out of range
     */
    public Duration percentile(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100]: percentile=" + percentile);
        }
        long total = count();
        if (total == 0) {
            return Duration.ZERO;
        }
        long rank = Math.max(1, (long) Math.ceil(total * percentile / 100));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Duration.ofNanos(i >= 62 ? Long.MAX_VALUE : 1L << (i + 1));
            }
        }
        return Duration.ofNanos(Long.MAX_VALUE);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LagHistogram h && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "LagHistogram[count=" + count() + ", p50<" + percentile(50) + ", p99<" + percentile(99) + "]";
    }
}
