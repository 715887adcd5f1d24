package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Random batches and random nested slices checked cell by cell against a plain on-heap model (a list of
 * rows), built row-wise and column-wise; some views are also published to a file and mapped
 * back. Seeded: a failure names its seed; rerun one with
 * {@code -Dnexus.test.argLine=-Dnexus.test.seed=<seed>}.
 */
class ColumnBatchPropertyTest {

    private static final int CASES = Integer.getInteger("nexus.test.cases", 100);
    private static final Schema SCHEMA = Schema.of(
            Field.of("i8", ColumnType.INT8, true), Field.of("i16", ColumnType.INT16, false),
            Field.of("i32", ColumnType.INT32, true), Field.of("i64", ColumnType.INT64, true),
            Field.of("f32", ColumnType.FLOAT32, false), Field.of("f64", ColumnType.FLOAT64, true),
            Field.of("b", ColumnType.BOOL, true), Field.of("s", ColumnType.UTF8, true),
            Field.of("bin", ColumnType.BINARY, false), Field.of("ts", ColumnType.TIMESTAMP, true),
            Field.list("l", ColumnType.INT64, true), Field.list("ld", ColumnType.FLOAT64, false));

    private final EpochDomain domain = TestSupport.inlineDomain("property-test");
    private final CountingAllocator allocator = new CountingAllocator();

    @AfterEach
    void tearDown() {
        domain.close();
        assertThat(allocator.liveCount()).as("every segment freed").isZero();
    }

    /** Every cell, null flag and null count of random batches and slices equals the model's. */
    @Test
    void batchesAndSlicesMatchTheModel() {
        long base = Long.getLong("nexus.test.seed", System.nanoTime());
        int cases = System.getProperty("nexus.test.seed") != null ? 1 : CASES;
        for (int i = 0; i < cases; i++) {
            long seed = base + i;
            try {
                runCase(new SplittableRandom(seed));
            } catch (Throwable t) {
                throw new AssertionError("property failed for seed " + seed + " (rerun with -Dnexus.test.seed="
                        + seed + "): " + t.getMessage(), t);
            }
        }
    }

    /** The model check can fail: a batch differing from its model in one cell is caught. */
    @Test
    void checkSeesAWrongCell() {
        SplittableRandom random = new SplittableRandom(42);
        List<Object[]> model = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            model.add(randomRow(random));
        }
        try (ColumnBatch batch = buildRowWise(model)) {
            check(batch, model, 0);
            model.get(13)[8] = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> check(batch, model, 0))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("(8, 13)");
        }
    }

    private void runCase(SplittableRandom random) {
        int rows = random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(400);
        List<Object[]> model = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            model.add(randomRow(random));
        }
        try (ColumnBatch rowWise = buildRowWise(model); ColumnBatch columnWise = buildColumnWise(model)) {
            assertThat(columnWise.segment().mismatch(rowWise.segment())).as("columnar = row-wise bytes").isEqualTo(-1);
            check(rowWise, model, 0);
            int depth = random.nextInt(4);
            ColumnBatch view = rowWise;
            int from = 0;
            List<ColumnBatch> slices = new ArrayList<>();
            for (int d = 0; d < depth && view.rows() > 0; d++) {
                int a = random.nextInt(view.rows() + 1);
                int b = a + random.nextInt(view.rows() - a + 1);
                view = view.slice(a, b);
                slices.add(view);
                from += a;
                check(view, model.subList(from, from + view.rows()), from);
            }
            if (random.nextInt(8) == 0) {
                publishAndMap(view, model.subList(from, from + view.rows()));
            }
            if (random.nextBoolean()) {
                rowWise.close(); // slices must keep the memory of a closed batch readable
                if (!slices.isEmpty()) {
                    check(view, model.subList(from, from + view.rows()), from);
                }
            }
            slices.forEach(ColumnBatch::close);
        }
    }

    /** A view published to a file (compacted to row 0, bitmaps re-aligned) maps back equal to the model. */
    private void publishAndMap(ColumnBatch view, List<Object[]> model) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.isWritable(SharedBatch.SHM) ? SharedBatch.SHM
                    : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
            java.nio.file.Path file = java.nio.file.Files.createTempFile(dir, "nexus-zc-property-", ".nxzb");
            java.nio.file.Files.delete(file); // publish creates it anew
            try {
                SharedBatch.publish(view, file);
                try (ColumnBatch mapped = SharedBatch.map(domain, file)) {
                    check(mapped, model, 0);
                }
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Object[] randomRow(SplittableRandom random) {
        Object[] row = new Object[SCHEMA.size()];
        row[0] = (byte) random.nextInt();
        row[1] = (short) random.nextInt();
        row[2] = random.nextInt();
        row[3] = random.nextLong();
        row[4] = (float) random.nextDouble(-1e6, 1e6);
        row[5] = random.nextDouble();
        row[6] = random.nextBoolean();
        row[7] = randomString(random);
        byte[] bin = new byte[random.nextInt(12)];
        random.nextBytes(bin);
        row[8] = bin;
        row[9] = random.nextLong(0, 4_000_000_000_000_000L);
        row[10] = random.longs(random.nextInt(5)).toArray();
        row[11] = random.doubles(random.nextInt(3)).toArray();
        for (int c = 0; c < row.length; c++) {
            if (SCHEMA.field(c).nullable() && random.nextInt(4) == 0) {
                row[c] = null;
            }
        }
        return row;
    }

    private static String randomString(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(3);
            s.appendCodePoint(kind == 0 ? 'a' + random.nextInt(26) : kind == 1 ? 0xe0 + random.nextInt(32)
                    : 0x1F600 + random.nextInt(50));
        }
        return s.toString();
    }

    private ColumnBatch buildRowWise(List<Object[]> model) {
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, SCHEMA)) {
            for (Object[] row : model) {
                for (int c = 0; c < row.length; c++) {
                    if (row[c] == null) {
                        b.appendNull(c);
                        continue;
                    }
                    switch (c) {
                        case 0 -> b.appendByte(c, (byte) row[c]);
                        case 1 -> b.appendShort(c, (short) row[c]);
                        case 2 -> b.appendInt(c, (int) row[c]);
                        case 3 -> b.appendLong(c, (long) row[c]);
                        case 4 -> b.appendFloat(c, (float) row[c]);
                        case 5 -> b.appendDouble(c, (double) row[c]);
                        case 6 -> b.appendBoolean(c, (boolean) row[c]);
                        case 7 -> b.appendString(c, (String) row[c]);
                        case 8 -> b.appendBytes(c, (byte[]) row[c]);
                        case 9 -> b.appendTimestamp(c, (long) row[c]);
                        case 10 -> b.appendList(c, (long[]) row[c]);
                        default -> b.appendList(c, (double[]) row[c]);
                    }
                }
                b.endRow();
            }
            return b.build();
        }
    }

    private ColumnBatch buildColumnWise(List<Object[]> model) {
        int rows = model.size();
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, SCHEMA, rows)) {
            byte[] i8 = new byte[rows];
            short[] i16 = new short[rows];
            int[] i32 = new int[rows];
            long[] i64 = new long[rows];
            float[] f32 = new float[rows];
            double[] f64 = new double[rows];
            boolean[] bool = new boolean[rows];
            String[] s = new String[rows];
            byte[][] bin = new byte[rows][];
            long[] ts = new long[rows];
            for (int r = 0; r < rows; r++) {
                Object[] row = model.get(r);
                i8[r] = row[0] == null ? 0 : (byte) row[0];
                i16[r] = (short) row[1];
                i32[r] = row[2] == null ? 0 : (int) row[2];
                i64[r] = row[3] == null ? 0 : (long) row[3];
                f32[r] = (float) row[4];
                f64[r] = row[5] == null ? 0 : (double) row[5];
                bool[r] = row[6] != null && (boolean) row[6];
                s[r] = (String) row[7];
                bin[r] = (byte[]) row[8];
                ts[r] = row[9] == null ? 0 : (long) row[9];
            }
            b.setInt8(0, i8).setInt16(1, i16).setInt32(2, i32).setInt64(3, i64).setFloat32(4, f32).setFloat64(5, f64)
                    .setBool(6, bool).setUtf8(7, s).setBinary(8, bin).setTimestamp(9, ts);
            list(b, model, 10);
            list(b, model, 11);
            for (int c : new int[] {0, 2, 3, 5, 6, 9}) {
                boolean[] valid = new boolean[rows];
                for (int r = 0; r < rows; r++) {
                    valid[r] = model.get(r)[c] != null;
                }
                b.setValidity(c, valid);
            }
            return b.build();
        }
    }

    private static void list(ColumnBatch.ColumnarBuilder b, List<Object[]> model, int col) {
        int rows = model.size();
        int[] offsets = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            Object v = model.get(r)[col];
            offsets[r + 1] = offsets[r] + (v == null ? 0 : v instanceof long[] l ? l.length : ((double[]) v).length);
        }
        MemorySegment data = MemorySegment.ofArray(new long[offsets[rows]]);
        for (int r = 0; r < rows; r++) {
            Object v = model.get(r)[col];
            if (v instanceof long[] l) {
                MemorySegment.copy(MemorySegment.ofArray(l), 0, data, offsets[r] * 8L, l.length * 8L);
            } else if (v instanceof double[] d) {
                MemorySegment.copy(MemorySegment.ofArray(d), 0, data, offsets[r] * 8L, d.length * 8L);
            }
        }
        b.setVariable(col, MemorySegment.ofArray(offsets), data);
        if (SCHEMA.field(col).nullable()) {
            boolean[] valid = new boolean[rows];
            for (int r = 0; r < rows; r++) {
                valid[r] = model.get(r)[col] != null;
            }
            b.setValidity(col, valid);
        }
    }

    private static void check(ColumnBatch batch, List<Object[]> model, int offset) {
        assertThat(batch.rows()).isEqualTo(model.size());
        assertThat(batch.offset()).isEqualTo(offset);
        for (int c = 0; c < SCHEMA.size(); c++) {
            final int col = c;
            long nulls = model.stream().filter(row -> row[col] == null).count();
            assertThat(batch.nullCount(c)).as("null count of column %d", c).isEqualTo(nulls);
        }
        for (int r = 0; r < model.size(); r++) {
            Object[] row = model.get(r);
            for (int c = 0; c < row.length; c++) {
                assertThat(batch.isNull(c, r)).as("null flag (%d, %d)", c, r).isEqualTo(row[c] == null);
                if (row[c] == null) {
                    continue;
                }
                Object actual = switch (c) {
                    case 0 -> batch.getByte(c, r);
                    case 1 -> batch.getShort(c, r);
                    case 2 -> batch.getInt(c, r);
                    case 3 -> batch.getLong(c, r);
                    case 4 -> batch.getFloat(c, r);
                    case 5 -> batch.getDouble(c, r);
                    case 6 -> batch.getBoolean(c, r);
                    case 7 -> batch.getString(c, r);
                    case 8 -> batch.getBytes(c, r);
                    case 9 -> batch.getTimestamp(c, r);
                    case 10 -> batch.listValues(c, r).toArray(ValueLayout.JAVA_LONG);
                    default -> batch.listValues(c, r).toArray(ValueLayout.JAVA_DOUBLE);
                };
                assertThat(Objects.deepEquals(actual, row[c])).as("cell (%d, %d): %s vs model %s", c, r,
                        Arrays.deepToString(new Object[] {actual}), Arrays.deepToString(new Object[] {row[c]}))
                        .isTrue();
            }
        }
    }
}
