package dev.nexus.demo;

import java.util.List;

/**
 * What one run of the workload under one strategy measured.
 *
 * @param strategy the strategy
 * @param seconds wall time from the start signal to the stop signal
 * @param reads reads completed (each one a lookup plus a full read and check of the value)
 * @param writes values replaced
 * @param retries lookups started over because the value was being reclaimed
 * @param errors reads that found a corrupt value (use-after-free) plus threads that failed
 * @param peakPendingBytes the most replaced-but-not-yet-freed bytes seen (sampled every 100 ms)
 * @param meanReadNanos mean latency of a read, retries included
 * @param p99ReadNanos 99th percentile latency of a read
 * @param failures exceptions thrown by reader and writer threads
 */
record RunResult(Strategy strategy, double seconds, long reads, long writes, long retries, long errors,
        long peakPendingBytes, double meanReadNanos, long p99ReadNanos, List<Throwable> failures) {

    /** Compact constructor: keeps an immutable copy of the failures. */
    RunResult {
        failures = List.copyOf(failures);
    }

    /**
     * This result with {@code more} errors added (a check after the run found them).
     *
     * @param more errors to add
     * @return the new result
     */
    RunResult withExtraErrors(long more) {
        return new RunResult(strategy, seconds, reads, writes, retries, errors + more, peakPendingBytes,
                meanReadNanos, p99ReadNanos, failures);
    }

    /**
     * Reads per second over the run.
     *
     * @return reads/s
     */
    double readsPerSecond() {
        return reads / seconds;
    }

    /**
     * Writes (replaced values) per second over the run.
     *
     * @return writes/s
     */
    double writesPerSecond() {
        return writes / seconds;
    }
}
