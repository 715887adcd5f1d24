package dev.nexus.zerocopy.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.internal.arrow.CDataLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Batches produced by Arrow Java (and by our own exports) imported as ColumnBatches read in place. */
class ArrowImportTest {

    private static final int ROWS = 37;

    private EpochDomain domain;
    private BufferAllocator arrow;
    private PoisoningAllocator memory;

    @BeforeEach
    void setUp() {
        domain = ArrowTestSupport.inlineDomain("arrow-import");
        arrow = new RootAllocator();
        memory = new PoisoningAllocator();
    }

    @AfterEach
    void tearDown() {
        domain.close();
        arrow.close(); // throws if an import was never released to Arrow
        assertThat(memory.liveCount()).isZero();
        memory.close();
    }

    private static org.apache.arrow.vector.types.pojo.Schema arrowSchema() {
        return new org.apache.arrow.vector.types.pojo.Schema(List.of(
                org.apache.arrow.vector.types.pojo.Field.nullable("id", new ArrowType.Int(64, true)),
                org.apache.arrow.vector.types.pojo.Field.notNullable("x",
                        new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                org.apache.arrow.vector.types.pojo.Field.nullable("name", ArrowType.Utf8.INSTANCE),
                org.apache.arrow.vector.types.pojo.Field.nullable("flag", ArrowType.Bool.INSTANCE),
                org.apache.arrow.vector.types.pojo.Field.nullable("ts",
                        new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                new org.apache.arrow.vector.types.pojo.Field("items", FieldType.nullable(ArrowType.List.INSTANCE),
                        List.of(org.apache.arrow.vector.types.pojo.Field.notNullable("item",
                                new ArrowType.Int(64, true))))));
    }

    /** Fills an Arrow Java root with {@code rows} rows of values derived from {@code seed}. */
    private static void fill(VectorSchemaRoot root, int rows, int seed) {
        root.allocateNew();
        BigIntVector id = (BigIntVector) root.getVector("id");
        Float8Vector x = (Float8Vector) root.getVector("x");
        VarCharVector name = (VarCharVector) root.getVector("name");
        BitVector flag = (BitVector) root.getVector("flag");
        TimeStampMicroTZVector ts = (TimeStampMicroTZVector) root.getVector("ts");
        UnionListWriter items = ((ListVector) root.getVector("items")).getWriter();
        for (int r = 0; r < rows; r++) {
            int v = seed + r;
            if (v % 5 == 2) {
                id.setNull(r);
                name.setNull(r);
                flag.setNull(r);
                ts.setNull(r);
            } else {
                id.setSafe(r, v * 11L);
                name.setSafe(r, ("s" + v).getBytes(StandardCharsets.UTF_8));
                flag.setSafe(r, v % 2);
                ts.setSafe(r, 1_000_000L * v);
            }
            x.setSafe(r, v / 2.0);
            items.setPosition(r);
            items.startList();
            for (int i = 0; i < v % 3; i++) {
                items.bigInt().writeBigInt(v * 100L + i);
            }
            items.endList();
        }
        root.setRowCount(rows);
    }

    private static void check(ColumnBatch batch, int rows, int seed) {
        assertThat(batch.rows()).isEqualTo(rows);
        for (int r = 0; r < rows; r++) {
            int v = seed + r;
            boolean isNull = v % 5 == 2;
            assertThat(batch.isNull(0, r)).isEqualTo(isNull);
            assertThat(batch.isNull(2, r)).isEqualTo(isNull);
            assertThat(batch.isNull(3, r)).isEqualTo(isNull);
            assertThat(batch.isNull(4, r)).isEqualTo(isNull);
            if (!isNull) {
                assertThat(batch.getLong(0, r)).isEqualTo(v * 11L);
                assertThat(batch.getString(2, r)).isEqualTo("s" + v);
                assertThat(batch.getBoolean(3, r)).isEqualTo(v % 2 == 1);
                assertThat(batch.getTimestamp(4, r)).isEqualTo(1_000_000L * v);
            }
            assertThat(batch.getDouble(1, r)).isEqualTo(v / 2.0);
            assertThat(batch.listSize(5, r)).isEqualTo(v % 3);
            MemorySegment items = batch.listValues(5, r);
            for (int i = 0; i < v % 3; i++) {
                assertThat(items.getAtIndex(ValueLayout.JAVA_LONG, i)).isEqualTo(v * 100L + i);
            }
        }
    }

    /**
     * Arrow Java exports a root; Nexus imports it and reads every value in place (the batch's buffers are
     * Arrow's); closing the batch releases it to Arrow only after a grace period, and then Arrow's
     * allocator is back to 0 bytes.
     */
    @Test
    void arrowJavaRootIsReadInPlaceAndReleasedAfterAGracePeriod() {
        ColumnBatch batch;
        long idAddress;
        long nameBytes;
        ArrowStats before = ArrowExport.stats();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(arrowSchema(), arrow);
             ArrowArray array = ArrowArray.allocateNew(arrow);
             ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
            fill(root, ROWS, 0);
            idAddress = root.getVector("id").getDataBuffer().memoryAddress();
            nameBytes = root.getVector("name").getDataBuffer().memoryAddress();
            Data.exportVectorSchemaRoot(arrow, root, null, array, schema);
            batch = ArrowImport.importBatch(domain, ArrowJavaExportTest.segment(array),
                    ArrowJavaExportTest.segment(schema));
            assertThat(array.snapshot().release).as("the producer's struct was moved").isZero();
        }
        assertThat(batch.isImported()).isTrue();
        assertThat(batch.schema()).isEqualTo(Schema.of(
                Field.of("id", ColumnType.INT64, true), Field.of("x", ColumnType.FLOAT64, false),
                Field.of("name", ColumnType.UTF8, true), Field.of("flag", ColumnType.BOOL, true),
                Field.of("ts", ColumnType.TIMESTAMP, true), Field.list("items", ColumnType.INT64, true)));
        check(batch, ROWS, 0);
        assertThat(batch.values(0).address()).as("read in place").isEqualTo(idAddress);
        assertThat(batch.values(2).address()).isEqualTo(nameBytes);
        assertThatThrownBy(batch::segment).isInstanceOf(IllegalStateException.class);
        assertThat(ArrowExport.stats().batchesImported() - before.batchesImported()).isEqualTo(1);

        long held = arrow.getAllocatedMemory();
        assertThat(held).as("Arrow's buffers, held by the import").isPositive();
        try (Guard guard = domain.pin()) {
            batch.close();
            assertThat(arrow.getAllocatedMemory()).as("not released while a reader pinned before the close")
                    .isEqualTo(held);
            assertThat(batch.getLong(0, 1)).isEqualTo(11L); // that reader still reads the producer's memory
        }
        domain.barrier();
        assertThat(arrow.getAllocatedMemory()).as("released to Arrow after the grace period").isZero();
        assertThat(ArrowExport.stats().importsReleased() - before.importsReleased()).isEqualTo(1);
    }

    /**
     * The struct array's {@code offset} and each column's own offset are honoured: the import reads
     * rows {@code [p + o(c), p + o(c) + length)} of each column (in place when the columns agree on
     * {@code offset mod 8}, through a shifted copy of the bitmaps otherwise).
     */
    @Test
    void offsetsAreHonoured() {
        try (ColumnBatch source = ArrowTestSupport.allTypes(domain, memory, 40); Arena arena = Arena.ofShared()) {
            for (int childShift : new int[] {0, 2}) {
                MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
                MemorySegment schema = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
                ArrowExport.exportBatch(source, array, schema);
                CDataLayout.setWord(array, CDataLayout.ARRAY_OFFSET, 5);
                CDataLayout.setWord(array, CDataLayout.ARRAY_LENGTH, 30);
                MemorySegment children = CDataLayout.at(CDataLayout.word(array, CDataLayout.ARRAY_CHILDREN), 8 * 11);
                // column "i64": its own offset moves its rows by childShift (its buffers still have 40 rows)
                MemorySegment i64 = CDataLayout.at(CDataLayout.pointerAt(children, ArrowTestSupport.I64), 80);
                CDataLayout.setWord(i64, CDataLayout.ARRAY_OFFSET, childShift);
                CDataLayout.setWord(i64, CDataLayout.ARRAY_LENGTH, 40 - childShift);
                CDataLayout.setWord(i64, CDataLayout.ARRAY_NULL_COUNT, -1);
                try (ColumnBatch batch = ArrowImport.importBatch(domain, array, schema)) {
                    assertThat(batch.rows()).isEqualTo(30);
                    for (int r = 0; r < 30; r++) {
                        int row = r + 5;
                        assertThat(batch.isNull(ArrowTestSupport.NAME, r))
                                .isEqualTo(ArrowTestSupport.isNull(ArrowTestSupport.NAME, row));
                        if (!ArrowTestSupport.isNull(ArrowTestSupport.NAME, row)) {
                            assertThat(batch.getString(ArrowTestSupport.NAME, r)).isEqualTo(ArrowTestSupport.name(row));
                        }
                        if (!ArrowTestSupport.isNull(ArrowTestSupport.FLAG, row)) {
                            assertThat(batch.getBoolean(ArrowTestSupport.FLAG, r)).isEqualTo(row % 3 == 0);
                        }
                        assertThat(batch.listSize(ArrowTestSupport.ITEMS, r)).isEqualTo(
                                ArrowTestSupport.isNull(ArrowTestSupport.ITEMS, row) ? 0
                                        : ArrowTestSupport.items(row).length);
                        int shifted = row + childShift;
                        assertThat(batch.isNull(ArrowTestSupport.I64, r)).as("i64 row %s", r)
                                .isEqualTo(ArrowTestSupport.isNull(ArrowTestSupport.I64, shifted));
                        if (!ArrowTestSupport.isNull(ArrowTestSupport.I64, shifted)) {
                            assertThat(batch.getLong(ArrowTestSupport.I64, r)).isEqualTo(ArrowTestSupport.i64(shifted));
                        }
                    }
                    long nulls = 0;
                    for (int r = 0; r < 30; r++) {
                        nulls += ArrowTestSupport.isNull(ArrowTestSupport.I64, r + 5 + childShift) ? 1 : 0;
                    }
                    assertThat(batch.nullCount(ArrowTestSupport.I64)).isEqualTo(nulls);
                }
            }
            domain.barrier();
            assertThat(source.openHolds()).as("every export released by the imports").isEmpty();
        }
    }

    /**
     * An imported batch (here with a struct offset of 5, so its bitmaps start mid-byte) exports again
     * and Arrow Java reads the same rows: producer → Nexus → consumer without a copy of the values.
     */
    @Test
    void anImportedBatchExportsAgain() {
        try (ColumnBatch source = ArrowTestSupport.allTypes(domain, memory, 40); Arena arena = Arena.ofShared()) {
            MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
            MemorySegment schema = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
            ArrowExport.exportBatch(source, array, schema);
            CDataLayout.setWord(array, CDataLayout.ARRAY_OFFSET, 5);
            CDataLayout.setWord(array, CDataLayout.ARRAY_LENGTH, 30);
            try (ColumnBatch imported = ArrowImport.importBatch(domain, array, schema);
                 ArrowArray out = ArrowArray.allocateNew(arrow);
                 ArrowSchema outSchema = ArrowSchema.allocateNew(arrow)) {
                ArrowExport.exportBatch(imported, ArrowJavaExportTest.segment(out),
                        ArrowJavaExportTest.segment(outSchema));
                try (VectorSchemaRoot root = Data.importVectorSchemaRoot(arrow, out, outSchema, null)) {
                    assertThat(root.getRowCount()).isEqualTo(30);
                    for (int r = 0; r < 30; r++) {
                        ArrowJavaExportTest.assertRow(root, r, r + 5);
                    }
                    assertThat(root.getVector("i64").getDataBuffer().memoryAddress())
                            .as("the values are the source batch's").isEqualTo(source.values(3).address() + 8 * 5);
                }
            }
            domain.barrier();
            assertThat(source.openHolds()).isEmpty();
        }
    }

    /**
     * Arrow Java's IPC reader exported as a C stream ({@code Data.exportArrayStream}) imports batch by
     * batch; each is read in place, and closing them and the stream gives everything back to Arrow.
     */
    @Test
    void arrowJavaStreamImports() throws Exception {
        ByteArrayOutputStream ipc = new ByteArrayOutputStream();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(arrowSchema(), arrow);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(ipc))) {
            writer.start();
            for (int b = 0; b < 3; b++) {
                fill(root, ROWS + b, b * 1000);
                writer.writeBatch();
            }
            writer.end();
        }
        ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(ipc.toByteArray()), arrow);
        try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(arrow)) {
            Data.exportArrayStream(arrow, reader, stream);
            MemorySegment address = MemorySegment.ofAddress(stream.memoryAddress());
            try (ImportedStream in = ArrowImport.importStream(domain, address)) {
                assertThat(in.schema().field(5)).isEqualTo(Field.list("items", ColumnType.INT64, true));
                int b = 0;
                while (in.hasNext()) {
                    try (ColumnBatch batch = in.next()) {
                        check(batch, ROWS + b, b * 1000);
                    }
                    b++;
                }
                assertThat(b).isEqualTo(3);
            }
        }
        domain.barrier();
    }

    /** Our own stream round-trips; a batch of another schema ends it with the producer's EINVAL and message. */
    @Test
    void ownStreamRoundTripAndItsErrors() {
        Schema other = Schema.of(Field.of("z", ColumnType.INT32, false));
        try (ColumnBatch a = ArrowTestSupport.allTypes(domain, memory, 9);
             ColumnBatch wrong = ColumnBatch.builder(domain, memory, other).appendInt(0, 1).endRow().build();
             Arena arena = Arena.ofShared()) {
            MemorySegment stream = arena.allocate(CDataLayout.STREAM_BYTES, 8);
            ArrowExport.exportStream(ArrowTestSupport.ALL_TYPES, List.of(a, wrong).iterator(), stream);
            try (ImportedStream in = ArrowImport.importStream(domain, stream)) {
                assertThat(CDataLayout.word(stream, CDataLayout.STREAM_RELEASE)).as("moved").isZero();
                assertThat(in.schema()).isEqualTo(ArrowTestSupport.ALL_TYPES);
                try (ColumnBatch first = in.next()) {
                    assertThat(first.getString(ArrowTestSupport.NAME, 1)).isEqualTo(ArrowTestSupport.name(1));
                }
                assertThatThrownBy(in::hasNext).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("get_next failed: errno 22")
                        .hasMessageContaining("batch 1 of the stream has schema");
                assertThat(in.hasNext()).isFalse();
            }
            domain.barrier();
            assertThat(a.openHolds()).isEmpty();
        }
    }
}
