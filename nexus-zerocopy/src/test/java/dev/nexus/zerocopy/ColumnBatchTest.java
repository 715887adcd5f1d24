package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.internal.BatchLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Row-wise building and typed reads of every column type, nulls included. */
class ColumnBatchTest {

    private final EpochDomain domain = TestSupport.inlineDomain("batch-test");
    private final CountingAllocator allocator = new CountingAllocator();

    @AfterEach
    void tearDown() {
        domain.close();
        assertThat(allocator.liveCount()).as("every segment freed").isZero();
    }

    static final Schema ALL = Schema.of(
            Field.of("i8", ColumnType.INT8, true),
            Field.of("i16", ColumnType.INT16, true),
            Field.of("i32", ColumnType.INT32, true),
            Field.of("i64", ColumnType.INT64, false),
            Field.of("f32", ColumnType.FLOAT32, true),
            Field.of("f64", ColumnType.FLOAT64, true),
            Field.of("bool", ColumnType.BOOL, true),
            Field.of("utf8", ColumnType.UTF8, true),
            Field.of("bin", ColumnType.BINARY, true),
            Field.of("ts", ColumnType.TIMESTAMP, true),
            Field.list("list", ColumnType.INT64, true));

    /** Row r of the reference data: every third row is null in every nullable column. */
    static void appendRow(ColumnBatch.Builder b, int r) {
        boolean nul = r % 3 == 1;
        if (nul) {
            for (int c = 0; c < ALL.size(); c++) {
                if (c != 3) {
                    b.appendNull(c);
                }
            }
        } else {
            b.appendByte(0, (byte) r).appendShort(1, (short) (r * 3)).appendInt(2, r * 1000)
                    .appendFloat(4, r + 0.5f).appendDouble(5, r / 4.0).appendBoolean(6, r % 2 == 0)
                    .appendString(7, "row-" + r + "-é").appendBytes(8, new byte[] {(byte) r, 1, 2})
                    .appendTimestamp(9, 1_700_000_000_000_000L + r).appendList(10, new long[r % 4]);
        }
        b.appendLong(3, -r * 7L).endRow();
    }

    static void checkRow(ColumnBatch batch, int row, int r) {
        boolean nul = r % 3 == 1;
        assertThat(batch.getLong(3, row)).isEqualTo(-r * 7L);
        assertThat(batch.isNull(3, row)).isFalse();
        for (int c = 0; c < ALL.size(); c++) {
            if (c != 3) {
                assertThat(batch.isNull(c, row)).as("null of column %d row %d", c, r).isEqualTo(nul);
            }
        }
        if (nul) {
            assertThat(batch.getString(7, row)).isNull();
            assertThat(batch.getBytes(8, row)).isNull();
            assertThat(batch.getInt(2, row)).isZero();
            assertThat(batch.listSize(10, row)).isZero();
            return;
        }
        assertThat(batch.getByte(0, row)).isEqualTo((byte) r);
        assertThat(batch.getShort(1, row)).isEqualTo((short) (r * 3));
        assertThat(batch.getInt(2, row)).isEqualTo(r * 1000);
        assertThat(batch.getFloat(4, row)).isEqualTo(r + 0.5f);
        assertThat(batch.getDouble(5, row)).isEqualTo(r / 4.0);
        assertThat(batch.getBoolean(6, row)).isEqualTo(r % 2 == 0);
        assertThat(batch.getString(7, row)).isEqualTo("row-" + r + "-é");
        assertThat(batch.getBytes(8, row)).containsExactly((byte) r, 1, 2);
        assertThat(batch.getTimestamp(9, row)).isEqualTo(1_700_000_000_000_000L + r);
        assertThat(batch.listSize(10, row)).isEqualTo(r % 4);
        assertThat(batch.listValues(10, row).byteSize()).isEqualTo(8L * (r % 4));
    }

    static ColumnBatch reference(EpochDomain domain, CountingAllocator allocator, int rows) {
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, ALL)) {
            for (int r = 0; r < rows; r++) {
                appendRow(b, r);
            }
            return b.build();
        }
    }

    /** Every type reads back what was appended, nulls included, and null counts are exact. */
    @Test
    void everyTypeRoundTrips() {
        try (ColumnBatch batch = reference(domain, allocator, 100)) {
            assertThat(batch.rows()).isEqualTo(100);
            assertThat(batch.schema()).isEqualTo(ALL);
            for (int r = 0; r < 100; r++) {
                checkRow(batch, r, r);
            }
            assertThat(batch.nullCount(0)).isEqualTo(33);
            assertThat(batch.nullCount(3)).isZero();
            assertThat(batch.validity(3)).isEqualTo(MemorySegment.NULL);
            assertThat(batch.isImported()).isFalse();
        }
    }

    /** A list row's values are the appended elements, in place in the batch's segment. */
    @Test
    void listValuesAreInPlace() {
        Schema schema = Schema.of(Field.list("l", ColumnType.INT32, false), Field.list("d", ColumnType.FLOAT64, true));
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, schema)) {
            b.appendList(0, new int[] {1, 2, 3}).appendList(1, new double[] {0.5}).endRow();
            b.appendList(0, new int[0]).appendNull(1).endRow();
            try (ColumnBatch batch = b.build()) {
                MemorySegment values = batch.listValues(0, 0);
                assertThat(values.toArray(ValueLayout.JAVA_INT)).containsExactly(1, 2, 3);
                assertThat(values.address()).isBetween(batch.segment().address(),
                        batch.segment().address() + batch.segment().byteSize());
                assertThat(batch.listValues(1, 0).get(ValueLayout.JAVA_DOUBLE_UNALIGNED, 0)).isEqualTo(0.5);
                assertThat(batch.listSize(0, 1)).isZero();
                assertThat(batch.isNull(1, 1)).isTrue();
            }
        }
    }

    /** LIST columns of every child width read back their elements, in place. */
    @Test
    void listOfEveryChildWidth() {
        Schema schema = Schema.of(Field.list("b", ColumnType.INT8, false), Field.list("s", ColumnType.INT16, false),
                Field.list("f", ColumnType.FLOAT32, false), Field.list("t", ColumnType.TIMESTAMP, true));
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, schema)) {
            b.appendList(0, new byte[] {1, -2}).appendList(1, new short[] {300})
                    .appendList(2, new float[] {1.5f, 2.5f, 3.5f}).appendList(3, new long[] {1_700_000_000_000_000L})
                    .endRow();
            b.appendList(0, new byte[0]).appendList(1, new short[] {-1, 2}).appendList(2, new float[0]).appendNull(3)
                    .endRow();
            try (ColumnBatch batch = b.build()) {
                assertThat(batch.listValues(0, 0).toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, -2);
                assertThat(batch.listValues(1, 1).toArray(ValueLayout.JAVA_SHORT_UNALIGNED))
                        .containsExactly((short) -1, (short) 2);
                assertThat(batch.listValues(2, 0).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED))
                        .containsExactly(1.5f, 2.5f, 3.5f);
                assertThat(batch.listValues(3, 0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0))
                        .isEqualTo(1_700_000_000_000_000L);
                assertThat(batch.listSize(2, 1)).isZero();
                assertThat(batch.isNull(3, 1)).isTrue();
                assertThat(batch.offsets(1).toArray(ValueLayout.JAVA_INT_UNALIGNED)).startsWith(0, 1, 3);
            }
        }
    }

    /** BOOL values and validity are Arrow bitmaps, least significant bit first, unused bits zero. */
    @Test
    void bitmapsAreLsbFirst() {
        Schema schema = Schema.of(Field.of("b", ColumnType.BOOL, true));
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, schema)) {
            boolean[] values = {true, false, false, true, true, false, true, false, false, true};
            for (int r = 0; r < values.length; r++) {
                if (r == 2) {
                    b.appendNull(0).endRow();
                } else {
                    b.appendBoolean(0, values[r]).endRow();
                }
            }
            try (ColumnBatch batch = b.build()) {
                assertThat(batch.values(0).byteSize()).isEqualTo(2);
                assertThat(batch.values(0).get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0b0101_1001);
                assertThat(batch.values(0).get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) 0b10);
                assertThat(batch.validity(0).get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0b1111_1011);
                assertThat(batch.validity(0).get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) 0b11);
                assertThat(batch.getBoolean(0, 9)).isTrue();
                assertThat(batch.nullCount(0)).isEqualTo(1);
            }
        }
    }

    /** Every buffer of a built batch lies in its one segment, 64-byte aligned. */
    @Test
    void buffersAreAlignedInsideTheSegment() {
        try (ColumnBatch batch = reference(domain, allocator, 37)) {
            MemorySegment segment = batch.segment();
            for (int c = 0; c < ALL.size(); c++) {
                for (MemorySegment buffer : new MemorySegment[] {batch.validity(c), batch.values(c)}) {
                    if (buffer.equals(MemorySegment.NULL)) {
                        continue;
                    }
                    assertThat(buffer.address() % BatchLayout.ALIGNMENT).isZero();
                    assertThat(buffer.address()).isBetween(segment.address(), segment.address() + segment.byteSize());
                    assertThat(buffer.isReadOnly()).isTrue();
                }
            }
            assertThat(batch.offsets(7).address() % 64).isZero();
            assertThat(segment.get(ValueLayout.JAVA_INT, 0)).isEqualTo(BatchLayout.MAGIC);
        }
    }

    /** A slice reads the same rows with no copy, nests, and counts its own nulls. */
    @Test
    void sliceIsAViewWithItsOwnNullCount() {
        try (ColumnBatch batch = reference(domain, allocator, 50);
             ColumnBatch slice = batch.slice(10, 30);
             ColumnBatch inner = slice.slice(5, 7)) {
            assertThat(slice.rows()).isEqualTo(20);
            assertThat(slice.offset()).isEqualTo(10);
            for (int r = 0; r < 20; r++) {
                checkRow(slice, r, r + 10);
            }
            checkRow(inner, 0, 15);
            checkRow(inner, 1, 16);
            assertThat(inner.offset()).isEqualTo(15);
            assertThat(slice.nullCount(0)).isEqualTo(7); // rows 10..29 with r % 3 == 1: 10,13,...,28
            assertThat(slice.segment()).isEqualTo(batch.segment());
            assertThat(slice.values(3).address()).isEqualTo(batch.values(3).address());
        }
    }

    /** An empty batch builds, has no rows, and frees. */
    @Test
    void emptyBatch() {
        try (ColumnBatch batch = reference(domain, allocator, 0)) {
            assertThat(batch.rows()).isZero();
            assertThat(batch.nullCount(7)).isZero();
            assertThatThrownBy(() -> batch.getLong(3, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    /** Reads of a wrong column, type or row are refused with messages naming them. */
    @Test
    void badReadsAreRefused() {
        try (ColumnBatch batch = reference(domain, allocator, 5)) {
            assertThatThrownBy(() -> batch.getLong(11, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> batch.getLong(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> batch.getLong(3, 5)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> batch.getDouble(3, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("FLOAT64").hasMessageContaining("'i64' is INT64");
            assertThatThrownBy(() -> batch.getString(8, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> batch.offsets(3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> batch.slice(3, 6)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> batch.slice(4, 3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(batch.getLong(9, 0)).as("getLong reads a TIMESTAMP's microseconds")
                    .isEqualTo(batch.getTimestamp(9, 0));
        }
    }
}
