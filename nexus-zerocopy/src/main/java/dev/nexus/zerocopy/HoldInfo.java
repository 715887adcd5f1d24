package dev.nexus.zerocopy;

import java.time.Duration;

/**
 * A hold on a batch's memory that is still open: a slice, an export to an Arrow consumer, a stream
 * or a window. The batch's memory is not handed to the epoch domain before every hold is released.
 *
 * @param kind what holds the batch ({@code "slice"}, {@code "export"}, {@code "stream"}, ...)
 * @param site where the hold was taken: the innermost frames of the call, {@code " <- "} separated
 *     (a fixed text when the JVM runs with {@code -Dnexus.zerocopy.holdSites=false})
 * @param age how long ago it was taken
 */
public record HoldInfo(String kind, String site, Duration age) {
}
