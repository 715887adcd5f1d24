package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input to the builders: precise exceptions, nothing half-built, nothing leaked. */
class BuilderMisuseTest {

    private final EpochDomain domain = TestSupport.inlineDomain("misuse-test");
    private final CountingAllocator allocator = new CountingAllocator();
    private final Schema schema = Schema.of(Field.of("id", ColumnType.INT64, false),
            Field.of("name", ColumnType.UTF8, true), Field.list("xs", ColumnType.INT32, true));

    @AfterEach
    void tearDown() {
        domain.close();
        assertThat(allocator.liveCount()).as("every segment freed").isZero();
    }

    /** A wrong column index, a wrong type and a wrong list child are refused and change nothing. */
    @Test
    void wrongColumnOrTypeIsRefused() {
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, schema)) {
            assertThatThrownBy(() -> b.appendLong(3, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> b.appendLong(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> b.appendString(0, "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("appendString needs a column of type UTF8: column 0 'id' is INT64");
            assertThatThrownBy(() -> b.appendDouble(1, 1.0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.appendList(2, new long[] {1})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("LIST<INT32>");
            b.appendLong(0, 7).appendString(1, "ok").appendList(2, new int[] {1, 2}).endRow();
            try (ColumnBatch batch = b.build()) {
                assertThat(batch.rows()).isEqualTo(1);
                assertThat(batch.getString(1, 0)).isEqualTo("ok");
                assertThat(batch.listSize(2, 0)).isEqualTo(2);
            }
        }
    }

    /** Null into a non-nullable column is refused, naming the column. */
    @Test
    void nullIntoNonNullableIsRefused() {
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, schema)) {
            assertThatThrownBy(() -> b.appendNull(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'id' is not nullable");
            assertThatThrownBy(() -> b.appendString(0, null)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** A column set twice, or missing at endRow, is refused; the row stays open and can be completed. */
    @Test
    void rowMustSetEveryColumnOnce() {
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, schema)) {
            b.appendLong(0, 1);
            assertThatThrownBy(() -> b.appendLong(0, 2)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already set in row 0");
            assertThatThrownBy(b::endRow).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("row 0 is incomplete").hasMessageContaining("1 'name'")
                    .hasMessageContaining("2 'xs'");
            assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not ended");
            b.appendNull(1).appendNull(2).endRow();
            assertThat(b.rows()).isEqualTo(1);
            try (ColumnBatch batch = b.build()) {
                assertThat(batch.getLong(0, 0)).isEqualTo(1);
                assertThat(batch.isNull(1, 0)).isTrue();
            }
        }
    }

    /** After build or close, every call of the builder throws IllegalStateException. */
    @Test
    void builderIsOneShot() {
        ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, schema);
        b.appendLong(0, 1).appendString(1, "a").appendNull(2).endRow();
        ColumnBatch batch = b.build();
        assertThatThrownBy(() -> b.appendLong(0, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("built");
        assertThatThrownBy(b::endRow).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
        b.close();
        batch.close();
        ColumnBatch.Builder closed = ColumnBatch.builder(domain, allocator, schema);
        closed.close();
        assertThatThrownBy(() -> closed.appendLong(0, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(allocator.allocations()).isEqualTo(1);
    }

    /** A build that fails after allocating frees the segment and throws. */
    @Test
    void failedBuildFreesItsSegment() {
        NativeAllocator shortChanging = new NativeAllocator() {
            private MemorySegment whole; // the checked allocator frees only what it allocated, not a slice

            @Override
            public MemorySegment allocate(long bytes, long alignment) {
                whole = allocator.allocate(bytes, alignment);
                return whole.asSlice(0, bytes - 1);
            }

            @Override
            public void free(MemorySegment segment) {
                assertThat(segment.address()).isEqualTo(whole.address());
                allocator.free(whole);
            }
        };
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, shortChanging, schema)) {
            b.appendLong(0, 1).appendString(1, "a").appendNull(2).endRow();
            assertThatThrownBy(b::build).isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThat(allocator.allocations()).isEqualTo(1);
        assertThat(allocator.frees()).isEqualTo(1);
    }

    /** A build on a closed domain is refused before anything is allocated. */
    @Test
    void buildOnClosedDomainIsRefused() {
        EpochDomain other = TestSupport.inlineDomain("closed");
        try (ColumnBatch.Builder b = ColumnBatch.builder(other, allocator, schema)) {
            b.appendLong(0, 1).appendString(1, "a").appendNull(2).endRow();
            other.close();
            assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
        assertThat(allocator.allocations()).isZero();
    }

    /** The columnar builder refuses wrong lengths, types, a column set twice, nulls where none may be, a
     *  missing column and bad offsets, each with nothing changed. */
    @Test
    void columnarMisuse() {
        try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, schema, 3)) {
            assertThatThrownBy(() -> b.setInt64(0, new long[2])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs 3 values, got 2");
            assertThatThrownBy(() -> b.setInt32(0, new int[3])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.setInt64(5, new long[3])).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> b.setValidity(0, new boolean[] {true, false, true}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not nullable");
            b.setInt64(0, new long[] {1, 2, 3});
            assertThatThrownBy(() -> b.setInt64(0, new long[3])).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("set already");
            assertThatThrownBy(() -> b.setFixed(1, MemorySegment.ofArray(new byte[64])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setVariable");
            MemorySegment decreasing = MemorySegment.ofArray(new int[] {0, 2, 1, 3});
            assertThatThrownBy(() -> b.setVariable(1, decreasing, MemorySegment.ofArray(new byte[3])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not decrease");
            MemorySegment outside = MemorySegment.ofArray(new int[] {0, 1, 2, 9});
            assertThatThrownBy(() -> b.setVariable(1, outside, MemorySegment.ofArray(new byte[3])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
            assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("1 'name'").hasMessageContaining("2 'xs'");
            b.setUtf8(1, new String[] {"a", null, "c"});
            assertThatThrownBy(() -> b.setValidity(1, new boolean[3])).isInstanceOf(IllegalStateException.class);
            b.setVariable(2, MemorySegment.ofArray(new int[] {0, 1, 1, 3}), MemorySegment.ofArray(new int[] {7, 8, 9}));
            try (ColumnBatch batch = b.build()) {
                assertThat(batch.getString(1, 2)).isEqualTo("c");
                assertThat(batch.isNull(1, 1)).isTrue();
                assertThat(batch.listSize(2, 2)).isEqualTo(2);
            }
            assertThatThrownBy(() -> b.setInt64(0, new long[3])).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("built");
        }
        assertThatThrownBy(() -> ColumnBatch.columnar(domain, allocator, schema, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Schema and field rules: unique names, LIST needs a fixed-width child, only a LIST has a child. */
    @Test
    void schemaRules() {
        assertThatThrownBy(() -> Schema.of(Field.of("a", ColumnType.INT8, true), Field.of("a", ColumnType.INT16, true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unique");
        assertThatThrownBy(() -> Field.list("l", ColumnType.UTF8, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Field.list("l", ColumnType.BOOL, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Field.of("l", ColumnType.LIST, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Field("x", ColumnType.INT8, true, ColumnType.INT8))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Schema.of()).isInstanceOf(IllegalArgumentException.class);
        assertThat(schema.indexOf("xs")).isEqualTo(2);
        assertThatThrownBy(() -> schema.indexOf("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Schema.of(schema.fields())).isEqualTo(schema).hasSameHashCodeAs(schema);
    }
}
