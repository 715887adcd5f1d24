package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The column-wise bulk path builds the same bytes as the row-wise builder. */
class ColumnarBuilderTest {

    private final EpochDomain domain = TestSupport.inlineDomain("columnar-test");
    private final CountingAllocator allocator = new CountingAllocator();

    @AfterEach
    void tearDown() {
        domain.close();
        assertThat(allocator.liveCount()).as("every segment freed").isZero();
    }

    /** The reference data of ColumnBatchTest built column by column gives a byte-identical segment. */
    @Test
    void columnarEqualsRowWiseByteForByte() {
        int rows = 77;
        Schema schema = ColumnBatchTest.ALL;
        byte[] i8 = new byte[rows];
        short[] i16 = new short[rows];
        int[] i32 = new int[rows];
        long[] i64 = new long[rows];
        float[] f32 = new float[rows];
        double[] f64 = new double[rows];
        boolean[] bool = new boolean[rows];
        String[] utf8 = new String[rows];
        byte[][] bin = new byte[rows][];
        long[] ts = new long[rows];
        boolean[] valid = new boolean[rows];
        int[] listOffsets = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            valid[r] = r % 3 != 1;
            i64[r] = -r * 7L;
            if (valid[r]) {
                i8[r] = (byte) r;
                i16[r] = (short) (r * 3);
                i32[r] = r * 1000;
                f32[r] = r + 0.5f;
                f64[r] = r / 4.0;
                bool[r] = r % 2 == 0;
                utf8[r] = "row-" + r + "-é";
                bin[r] = new byte[] {(byte) r, 1, 2};
                ts[r] = 1_700_000_000_000_000L + r;
            }
            listOffsets[r + 1] = listOffsets[r] + (valid[r] ? r % 4 : 0);
        }
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, schema, rows)) {
            b.setInt8(0, i8).setInt16(1, i16).setInt32(2, i32).setInt64(3, i64).setFloat32(4, f32)
                    .setFloat64(5, f64).setBool(6, bool).setUtf8(7, utf8).setBinary(8, bin).setTimestamp(9, ts)
                    .setVariable(10, MemorySegment.ofArray(listOffsets),
                            MemorySegment.ofArray(new long[listOffsets[rows]]));
            for (int c : new int[] {0, 1, 2, 4, 5, 6, 9, 10}) {
                b.setValidity(c, valid);
            }
            try (ColumnBatch columnar = b.build();
                 ColumnBatch rowWise = ColumnBatchTest.reference(domain, allocator, rows)) {
                for (int r = 0; r < rows; r++) {
                    ColumnBatchTest.checkRow(columnar, r, r);
                }
                assertThat(columnar.segment().byteSize()).isEqualTo(rowWise.segment().byteSize());
                assertThat(columnar.segment().mismatch(rowWise.segment())).as("first differing byte").isEqualTo(-1);
            }
        }
    }

    /** Columns given as raw segments (values and a validity bitmap) are copied in bulk and read back. */
    @Test
    void fromSegments() {
        int rows = 1_000_000;
        Schema schema = Schema.of(Field.of("v", ColumnType.INT64, true), Field.of("f", ColumnType.BOOL, false));
        MemorySegment values = MemorySegment.ofArray(new long[rows]);
        for (int r = 0; r < rows; r++) {
            values.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, r, r * 3L);
        }
        byte[] bits = new byte[rows / 8];
        Arrays.fill(bits, (byte) 0b0111_1111); // every 8th row null
        long start = System.nanoTime();
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, schema, rows)) {
            b.setFixed(0, values).setValidity(0, MemorySegment.ofArray(bits)).setFixed(1, MemorySegment.ofArray(bits));
            try (ColumnBatch batch = b.build()) {
                long micros = (System.nanoTime() - start) / 1000;
                System.out.println("columnar build of " + rows + " rows (int64 + bool): " + micros + " us");
                assertThat(batch.rows()).isEqualTo(rows);
                assertThat(batch.nullCount(0)).isEqualTo(rows / 8);
                assertThat(batch.getLong(0, 999_998)).isEqualTo(999_998 * 3L);
                assertThat(batch.isNull(0, 999_999)).isTrue();
                assertThat(batch.getBoolean(1, 6)).isTrue();
                assertThat(batch.getBoolean(1, 7)).isFalse();
                long sum = 0;
                MemorySegment v = batch.values(0);
                for (int r = 0; r < rows; r++) {
                    sum += v.getAtIndex(ValueLayout.JAVA_LONG, r);
                }
                assertThat(sum).isEqualTo(3L * rows * (rows - 1) / 2);
            }
        }
    }
}
