package dev.nexus.zerocopy.arrow;

import static dev.nexus.zerocopy.arrow.ArrowTestSupport.ALL_TYPES;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.BLOB;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.F32;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.F64;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.FLAG;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.I16;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.I32;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.I64;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.I8;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.ITEMS;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.NAME;
import static dev.nexus.zerocopy.arrow.ArrowTestSupport.TS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ZeroCopyStats;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Arrow Java 19 imports our exports through the C Data Interface and reads them in place. */
class ArrowJavaExportTest {

    private static final int ROWS = 40;

    private EpochDomain domain;
    private PoisoningAllocator memory;
    private BufferAllocator arrow;

    @BeforeEach
    void setUp() {
        domain = ArrowTestSupport.inlineDomain("arrow-java-export");
        memory = new PoisoningAllocator();
        arrow = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        arrow.close(); // throws if Arrow still holds a buffer
        domain.close();
        assertThat(memory.liveCount()).as("batch memory live at the end").isZero();
        memory.close();
    }

    /**
     * Every type, nulls included, reads right through {@code importVectorSchemaRoot}; the data buffers
     * Arrow reads are inside the batch's segment (no copy), and the release runs exactly once, at
     * {@code root.close()}.
     */
    @Test
    void everyTypeIsReadInPlace() {
        ColumnBatch batch = ArrowTestSupport.allTypes(domain, memory, ROWS);
        ArrowStats before = ArrowExport.stats();
        try (ArrowArray array = ArrowArray.allocateNew(arrow); ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
            ArrowExport.exportBatch(batch, segment(array), segment(schema));
            VectorSchemaRoot root = Data.importVectorSchemaRoot(arrow, array, schema, null);
            assertThat(root.getRowCount()).isEqualTo(ROWS);
            assertThat(root.getSchema().getFields()).hasSize(ALL_TYPES.size());
            for (int r = 0; r < ROWS; r++) {
                assertRow(root, r, r);
            }
            MemorySegment seg = batch.segment();
            for (String column : List.of("i8", "i16", "i32", "i64", "f32", "f64", "name", "blob", "ts")) {
                FieldVector vector = root.getVector(column);
                assertThat(vector.getDataBuffer().memoryAddress()).as(column + " data buffer").satisfies(
                        a -> assertThat(inside(seg, a)).isTrue());
                assertThat(inside(seg, vector.getValidityBuffer().memoryAddress())).as(column + " validity").isTrue();
            }
            assertThat(inside(seg, root.getVector("name").getOffsetBuffer().memoryAddress())).isTrue();
            ListVector items = (ListVector) root.getVector("items");
            assertThat(inside(seg, items.getDataVector().getDataBuffer().memoryAddress())).isTrue();

            assertThat(batch.openHolds()).extracting(h -> h.kind()).containsExactly("export");
            assertThat(ArrowExport.openExports()).anySatisfy(
                    h -> assertThat(h.site()).contains("ArrowJavaExportTest.everyTypeIsReadInPlace"));
            assertThat(ArrowExport.stats().schemasReleased() - before.schemasReleased())
                    .as("Arrow Java releases the schema inside the import").isEqualTo(1);
            assertThat(ArrowExport.stats().arraysReleased() - before.arraysReleased()).isZero();

            root.close();
            assertThat(ArrowExport.stats().arraysReleased() - before.arraysReleased()).isEqualTo(1);
            assertThat(batch.openHolds()).isEmpty();
            root.close(); // a second close reaches no callback
            assertThat(ArrowExport.stats().arraysReleased() - before.arraysReleased()).isEqualTo(1);
        }
        batch.close();
        domain.barrier();
        assertThat(memory.frees()).isEqualTo(memory.allocations());
        assertThat(ArrowExport.stats().callbackFailures()).isEqualTo(before.callbackFailures());
    }

    /**
     * Closing the batch while Arrow holds the export frees nothing: Arrow still reads every value (a
     * premature free would show as poison); the memory goes only after Arrow closes its root.
     */
    @Test
    void closingTheBatchWhileArrowHoldsItFreesNothing() {
        ColumnBatch batch = ArrowTestSupport.allTypes(domain, memory, ROWS);
        long allocated = memory.allocations();
        try (ArrowArray array = ArrowArray.allocateNew(arrow); ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
            ArrowExport.exportBatch(batch, segment(array), segment(schema));
            try (VectorSchemaRoot root = Data.importVectorSchemaRoot(arrow, array, schema, null)) {
                long openAtClose = ZeroCopyStats.current().holdsOpenAtClose();
                batch.close();
                assertThat(ZeroCopyStats.current().holdsOpenAtClose()).as("the open export is reported at close")
                        .isEqualTo(openAtClose + 1);
                assertThat(ArrowExport.openExports()).anySatisfy(h -> assertThat(h.site())
                        .contains("ArrowJavaExportTest.closingTheBatchWhileArrowHoldsItFreesNothing"));
                domain.synchronize();
                domain.barrier();
                assertThat(memory.frees()).as("frees while Arrow holds the export").isZero();
                for (int r = 0; r < ROWS; r++) {
                    assertRow(root, r, r);
                }
            }
        }
        domain.barrier();
        assertThat(memory.frees()).as("frees after Arrow closed its root").isEqualTo(allocated);
    }

    /**
     * Slices are exported with offset 0 and their buffers moved to the first row; Arrow Java (which
     * ignores {@code offset}) reads exactly the slice's rows, whether the first row is on a byte boundary
     * of the bitmaps or not (then the bitmaps are copied, and only they).
     */
    @Test
    void slicesReadRight() {
        ColumnBatch batch = ArrowTestSupport.allTypes(domain, memory, ROWS);
        int[][] ranges = {{3, 17}, {8, 24}, {0, 5}, {13, 40}, {21, 21}, {39, 40}};
        for (int[] range : ranges) {
            try (ColumnBatch slice = batch.slice(range[0], range[1]);
                 ArrowArray array = ArrowArray.allocateNew(arrow);
                 ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
                ArrowExport.exportBatch(slice, segment(array), segment(schema));
                try (VectorSchemaRoot root = Data.importVectorSchemaRoot(arrow, array, schema, null)) {
                    assertThat(root.getRowCount()).isEqualTo(range[1] - range[0]);
                    for (int r = range[0]; r < range[1]; r++) {
                        assertRow(root, r - range[0], r);
                    }
                    if (range[1] > range[0]) {
                        long i64 = root.getVector("i64").getDataBuffer().memoryAddress();
                        assertThat(i64).isEqualTo(batch.values(I64).address() + 8L * range[0]);
                        long validity = root.getVector("i64").getValidityBuffer().memoryAddress();
                        assertThat(inside(batch.segment(), validity)).as("validity in place iff from % 8 == 0")
                                .isEqualTo(range[0] % 8 == 0);
                    }
                }
            }
        }
        batch.close();
    }

    /** {@code Data.importVector} takes the record batch as one struct vector whose children are the columns. */
    @Test
    void importVectorSeesAStructOfColumns() {
        try (ColumnBatch batch = ArrowTestSupport.allTypes(domain, memory, ROWS);
             ArrowArray array = ArrowArray.allocateNew(arrow);
             ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
            ArrowExport.exportBatch(batch, segment(array), segment(schema));
            try (FieldVector vector = Data.importVector(arrow, array, schema, null)) {
                assertThat(vector).isInstanceOf(StructVector.class);
                StructVector struct = (StructVector) vector;
                assertThat(struct.getValueCount()).isEqualTo(ROWS);
                BigIntVector i64 = (BigIntVector) struct.getChild("i64");
                for (int r = 0; r < ROWS; r++) {
                    assertThat(i64.isNull(r)).isEqualTo(ArrowTestSupport.isNull(I64, r));
                    if (!i64.isNull(r)) {
                        assertThat(i64.get(r)).isEqualTo(ArrowTestSupport.i64(r));
                    }
                }
            }
        }
    }

    /** A schema exported alone reads as the same fields, types and nullability in Arrow Java. */
    @Test
    void schemaAlone() {
        try (ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
            ArrowExport.exportSchema(ALL_TYPES, segment(schema));
            Schema imported = Data.importSchema(arrow, schema, null);
            List<String> names = new ArrayList<>();
            imported.getFields().forEach(f -> names.add(f.getName()));
            assertThat(names).containsExactly("i8", "i16", "i32", "i64", "f32", "f64", "flag", "name", "blob", "ts",
                    "items");
            assertThat(imported.getFields()).allSatisfy(f -> assertThat(f.isNullable()).isTrue());
            assertThat(imported.findField("ts").getType())
                    .isEqualTo(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC"));
            assertThat(imported.findField("items").getChildren().getFirst().getType())
                    .isEqualTo(new ArrowType.Int(64, true));
        }
    }

    /** Struct arguments are checked: a heap segment, a struct still holding a live export. */
    @Test
    void structArgumentsAreChecked() {
        try (ColumnBatch batch = ArrowTestSupport.allTypes(domain, memory, 4);
             ArrowArray array = ArrowArray.allocateNew(arrow);
             ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
            MemorySegment heap = MemorySegment.ofArray(new byte[80]);
            assertThatThrownBy(() -> ArrowExport.exportBatch(batch, heap, segment(schema)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
            assertThatThrownBy(() -> ArrowExport.exportBatch(batch, MemorySegment.NULL, segment(schema)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NULL");
            ArrowExport.exportBatch(batch, segment(array));
            assertThatThrownBy(() -> ArrowExport.exportBatch(batch, segment(array)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("live Nexus export");
            array.release(); // the consumer's release: the hold goes
            assertThat(batch.openHolds()).isEmpty();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    static MemorySegment segment(ArrowArray array) {
        return MemorySegment.ofAddress(array.memoryAddress());
    }

    static MemorySegment segment(ArrowSchema schema) {
        return MemorySegment.ofAddress(schema.memoryAddress());
    }

    static boolean inside(MemorySegment segment, long address) {
        return address >= segment.address() && address < segment.address() + segment.byteSize();
    }

    /** Arrow row {@code a} holds the values of batch row {@code r}. */
    static void assertRow(VectorSchemaRoot root, int a, int r) {
        for (int c = 0; c < ALL_TYPES.size(); c++) {
            FieldVector v = root.getVector(c);
            boolean isNull = ArrowTestSupport.isNull(c, r);
            assertThat(v.isNull(a)).as("null of column %s at row %s", c, r).isEqualTo(isNull);
            if (isNull) {
                continue;
            }
            String at = "column " + c + " row " + r;
            switch (c) {
                case I8 -> assertThat(((TinyIntVector) v).get(a)).as(at).isEqualTo((byte) (r - 50));
                case I16 -> assertThat(((SmallIntVector) v).get(a)).as(at).isEqualTo((short) (r * 300 - 7));
                case I32 -> assertThat(((IntVector) v).get(a)).as(at).isEqualTo(r * 70_001);
                case I64 -> assertThat(((BigIntVector) v).get(a)).as(at).isEqualTo(ArrowTestSupport.i64(r));
                case F32 -> assertThat(((Float4Vector) v).get(a)).as(at).isEqualTo(r * 1.5f);
                case F64 -> assertThat(((Float8Vector) v).get(a)).as(at).isEqualTo(ArrowTestSupport.f64(r));
                case FLAG -> assertThat(((BitVector) v).get(a)).as(at).isEqualTo(r % 3 == 0 ? 1 : 0);
                case NAME -> assertThat(((VarCharVector) v).getObject(a).toString()).as(at)
                        .isEqualTo(ArrowTestSupport.name(r));
                case BLOB -> assertThat(((VarBinaryVector) v).get(a)).as(at).isEqualTo(ArrowTestSupport.blob(r));
                case TS -> assertThat(((TimeStampMicroTZVector) v).get(a)).as(at).isEqualTo(ArrowTestSupport.ts(r));
                case ITEMS -> {
                    List<Long> expected = new ArrayList<>();
                    for (long item : ArrowTestSupport.items(r)) {
                        expected.add(item);
                    }
                    assertThat(((ListVector) v).getObject(a)).as(at).isEqualTo(expected);
                }
                default -> throw new AssertionError(c);
            }
        }
    }
}
