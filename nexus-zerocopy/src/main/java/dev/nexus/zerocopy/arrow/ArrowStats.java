package dev.nexus.zerocopy.arrow;

import dev.nexus.zerocopy.internal.arrow.ArrowCounters;

/**
 * Process-wide counters of the Arrow C Data paths, for monitoring and leak checks. Each counter is
 * read on its own: a snapshot is not atomic across them. {@code arraysExported - arraysReleased} is the
 * number of exports a consumer still holds ({@link ArrowExport#openExports()} lists them with their
 * sites).
 *
 * @param arraysExported arrays (record batches) exported, by {@code exportBatch} or a stream's {@code get_next}
 * @param arraysReleased exported arrays whose consumer called {@code release}
 * @param schemasExported schemas exported
 * @param schemasReleased exported schemas released by their consumer
 * @param streamsExported streams exported
 * @param streamsReleased exported streams released by their consumer
 * @param batchesImported batches imported from a producer
 * @param importsReleased imported batches given back to their producer (its {@code release} called)
 * @param callbackFailures errors caught inside our callbacks (each also logged); should stay 0
 */
public record ArrowStats(long arraysExported, long arraysReleased, long schemasExported, long schemasReleased,
                         long streamsExported, long streamsReleased, long batchesImported, long importsReleased,
                         long callbackFailures) {

    /**
     * The current counters.
     *
     * @return a snapshot
     */
    public static ArrowStats current() {
        long[] c = ArrowCounters.snapshot();
        return new ArrowStats(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
    }

    /**
     * Exported arrays a consumer has not released yet.
     *
     * @return {@code arraysExported - arraysReleased}
     */
    public long arraysOpen() {
        return arraysExported - arraysReleased;
    }
}
