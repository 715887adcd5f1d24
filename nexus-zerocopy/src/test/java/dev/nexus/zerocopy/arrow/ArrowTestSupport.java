package dev.nexus.zerocopy.arrow;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Shared constants, a batch of every column type with nulls, and its expected values. */
public final class ArrowTestSupport {

    /** Multiplier for every timeout in these tests: raise it on slow machines. */
    public static final int TIMEOUT_FACTOR = Integer.getInteger("nexus.test.timeoutFactor", 1);
    /** The base timeout of any single wait in these tests. */
    public static final Duration LONG = Duration.ofSeconds(60L * TIMEOUT_FACTOR);

    /** One column of each type; all nullable. */
    static final Schema ALL_TYPES = Schema.of(
            Field.of("i8", ColumnType.INT8, true),
            Field.of("i16", ColumnType.INT16, true),
            Field.of("i32", ColumnType.INT32, true),
            Field.of("i64", ColumnType.INT64, true),
            Field.of("f32", ColumnType.FLOAT32, true),
            Field.of("f64", ColumnType.FLOAT64, true),
            Field.of("flag", ColumnType.BOOL, true),
            Field.of("name", ColumnType.UTF8, true),
            Field.of("blob", ColumnType.BINARY, true),
            Field.of("ts", ColumnType.TIMESTAMP, true),
            Field.list("items", ColumnType.INT64, true));

    /** Column indexes of {@link #ALL_TYPES}. */
    static final int I8 = 0;
    static final int I16 = 1;
    static final int I32 = 2;
    static final int I64 = 3;
    static final int F32 = 4;
    static final int F64 = 5;
    static final int FLAG = 6;
    static final int NAME = 7;
    static final int BLOB = 8;
    static final int TS = 9;
    static final int ITEMS = 10;

    private ArrowTestSupport() {
    }

    /** A domain that reclaims on the calling thread, so tests see frees without a background thread. */
    static EpochDomain inlineDomain(String name) {
        return EpochDomain.builder().name(name).reclaimInline(true).build();
    }

    /** Whether column {@code col} is null at row {@code row} (each column has its own pattern). */
    static boolean isNull(int col, int row) {
        return (row + col) % 7 == 3;
    }

    static String name(int row) {
        return "name-" + row + (row % 4 == 0 ? "-\u00e9\u4e2d" : "");
    }

    static byte[] blob(int row) {
        return ("b" + row).getBytes(StandardCharsets.US_ASCII);
    }

    static long[] items(int row) {
        long[] items = new long[row % 4];
        for (int i = 0; i < items.length; i++) {
            items[i] = row * 100L + i;
        }
        return items;
    }

    static long i64(int row) {
        return row * 1_000_000_007L - 5;
    }

    static double f64(int row) {
        return row * 0.25 - 1;
    }

    static long ts(int row) {
        return 1_700_000_000_000_000L + row * 1_000_003L;
    }

    /** A batch of {@link #ALL_TYPES} with {@code rows} rows of the values above. */
    static ColumnBatch allTypes(EpochDomain domain, NativeAllocator allocator, int rows) {
        ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, ALL_TYPES);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < ALL_TYPES.size(); c++) {
                if (isNull(c, r)) {
                    b.appendNull(c);
                    continue;
                }
                switch (c) {
                    case I8 -> b.appendByte(c, (byte) (r - 50));
                    case I16 -> b.appendShort(c, (short) (r * 300 - 7));
                    case I32 -> b.appendInt(c, r * 70_001);
                    case I64 -> b.appendLong(c, i64(r));
                    case F32 -> b.appendFloat(c, r * 1.5f);
                    case F64 -> b.appendDouble(c, f64(r));
                    case FLAG -> b.appendBoolean(c, r % 3 == 0);
                    case NAME -> b.appendString(c, name(r));
                    case BLOB -> b.appendBytes(c, blob(r));
                    case TS -> b.appendTimestamp(c, ts(r));
                    case ITEMS -> b.appendList(c, items(r));
                    default -> throw new AssertionError(c);
                }
            }
            b.endRow();
        }
        return b.build();
    }
}
