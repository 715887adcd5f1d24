package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import java.util.function.LongUnaryOperator;

/** Batches of the event schema used by the stream tests: (ts TIMESTAMP, seq INT64, val FLOAT64). */
final class StreamFixtures {

    /** Column of the event time. */
    static final int TS = 0;
    /** Column of the stream row index the writer gave the row. */
    static final int SEQ = 1;
    /** Column of a value derived from seq ({@link #value}). */
    static final int VAL = 2;

    /** The event schema. */
    static final Schema EVENTS = Schema.of(
            Field.of("ts", ColumnType.TIMESTAMP, false),
            Field.of("seq", ColumnType.INT64, false),
            Field.of("val", ColumnType.FLOAT64, false));

    private StreamFixtures() {
    }

    /** The value column of row {@code seq}. */
    static double value(long seq) {
        return seq * 0.5 + 1;
    }

    /**
     * A batch of rows {@code firstSeq .. firstSeq + rows - 1}, row {@code s} with event time
     * {@code time.applyAsLong(s)}.
     */
    static ColumnBatch batch(EpochDomain domain, NativeAllocator allocator, long firstSeq, int rows,
            LongUnaryOperator time) {
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, EVENTS)) {
            for (int r = 0; r < rows; r++) {
                long seq = firstSeq + r;
                b.appendTimestamp(TS, time.applyAsLong(seq)).appendLong(SEQ, seq).appendDouble(VAL, value(seq));
                b.endRow();
            }
            return b.build();
        }
    }

    /** A batch with event time = seq. */
    static ColumnBatch batch(EpochDomain domain, NativeAllocator allocator, long firstSeq, int rows) {
        return batch(domain, allocator, firstSeq, rows, s -> s);
    }
}
