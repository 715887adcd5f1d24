package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.internal.BatchLifetime;
import dev.nexus.zerocopy.internal.BatchParser;
import dev.nexus.zerocopy.internal.ColumnData;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where root batches come from (a built segment, a mapped file, foreign buffers) and how their memory
 * goes back: the reclaim action each batch's {@link BatchLifetime} runs once the batch is closed and
 * every hold is released.
 */
final class BatchFactory {

    private static final AtomicLong IDS = new AtomicLong();

    private BatchFactory() {
    }

    /** A batch over a segment written by {@code BatchWriter}; its memory goes back with {@code retire}. */
    static ColumnBatch built(EpochDomain domain, NativeAllocator allocator, MemorySegment segment) {
        BatchParser.Parsed parsed = BatchParser.parse(segment, false);
        String label = label(parsed);
        BatchLifetime lifetime = new BatchLifetime(label, () -> {
            try {
                domain.retire(segment, allocator);
            } catch (IllegalStateException e) {
                if (!domain.isClosed()) {
                    throw e;
                }
                afterClosedDomain(domain, () -> allocator.free(segment), label);
            }
        });
        return new ColumnBatch(domain, parsed.schema(), parsed.rows(), 0,
                parsed.columns().toArray(ColumnData[]::new), segment.asReadOnly(), false, lifetime, null);
    }

    /** A batch over a mapped file; the mapping is closed through {@code defer}. */
    static ColumnBatch mapped(EpochDomain domain, MemorySegment mapping, Runnable unmap) {
        BatchParser.Parsed parsed = BatchParser.parse(mapping, true);
        String label = label(parsed) + " mapped";
        BatchLifetime lifetime = new BatchLifetime(label, deferring(domain, unmap, label));
        return new ColumnBatch(domain, parsed.schema(), parsed.rows(), 0,
                parsed.columns().toArray(ColumnData[]::new), mapping.asReadOnly(), true, lifetime, null);
    }

    private static Runnable deferring(EpochDomain domain, Runnable action, String label) {
        return () -> {
            try {
                domain.defer(action);
            } catch (IllegalStateException e) {
                if (!domain.isClosed()) {
                    throw e;
                }
                afterClosedDomain(domain, action, label);
            }
        };
    }

    /**
     * The domain was closed before the batch's memory was handed to it: run {@code free} once the
     * domain's close has completed, that is once every guard that could still read the batch has
     * closed ({@code close()} is idempotent and waits for them). If this thread cannot wait (it holds a
     * guard of the domain, or is its reclaimer), the memory is leaked rather than freed under a reader,
     * and a WARNING says so.
     */
    private static void afterClosedDomain(EpochDomain domain, Runnable free, String label) {
        try {
            domain.close();
        } catch (IllegalStateException e) {
            System.getLogger("dev.nexus.zerocopy").log(System.Logger.Level.WARNING, label + " is leaked: its epoch"
                    + " domain '" + domain.name() + "' was closed first, and this thread cannot wait for the domain's"
                    + " guards (" + e.getMessage() + ")");
            return;
        }
        free.run();
    }

    private static String label(BatchParser.Parsed parsed) {
        return "column batch #" + IDS.incrementAndGet() + " (" + parsed.rows() + " rows, " + parsed.schema() + ")";
    }

    /** A batch over foreign buffers, checked against the schema; released through {@code defer}. */
    static ColumnBatch imported(EpochDomain domain, Schema schema, int rows, int offset, List<ColumnData> columns,
                                Runnable releaseToProducer) {
        ImportCheck.check(schema, rows, offset, columns);
        if (domain.isClosed()) {
            throw new IllegalStateException("epoch domain '" + domain.name() + "' is closed: cannot import");
        }
        String label = "imported column batch #" + IDS.incrementAndGet() + " (" + rows + " rows, " + schema + ")";
        BatchLifetime lifetime = new BatchLifetime(label, deferring(domain, releaseToProducer, label));
        ColumnData[] cols = new ColumnData[columns.size()];
        for (int c = 0; c < cols.length; c++) {
            ColumnData d = columns.get(c);
            long nulls = d.hasValidity() ? d.nullCount() : 0; // -1 (unknown) is counted on first use
            cols[c] = new ColumnData(d.type(), d.childType(), d.length(), nulls,
                    d.hasValidity() ? d.validity().asReadOnly() : MemorySegment.NULL,
                    d.offsets().asReadOnly(), d.values().asReadOnly());
        }
        return new ColumnBatch(domain, schema, rows, offset, cols, null, true, lifetime, null);
    }
}
