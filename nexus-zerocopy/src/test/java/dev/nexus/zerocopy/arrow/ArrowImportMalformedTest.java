package dev.nexus.zerocopy.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.internal.arrow.CDataLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed, released and mismatching structs are refused with precise exceptions, and the producer's
 * structs are then released exactly once (or, for a released struct or a bad argument, not taken).
 */
class ArrowImportMalformedTest {

    private EpochDomain domain;
    private PoisoningAllocator memory;
    private ColumnBatch source;
    private Arena arena;

    @BeforeEach
    void setUp() {
        domain = ArrowTestSupport.inlineDomain("arrow-import-malformed");
        memory = new PoisoningAllocator();
        source = ArrowTestSupport.allTypes(domain, memory, 20);
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDown() {
        arena.close();
        domain.barrier();
        assertThat(source.openHolds()).as("every export released").isEmpty();
        source.close();
        domain.close();
        memory.close();
    }

    /** A producer's structs (our own export), with counting releases. */
    private final class Produced {
        final MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
        final MemorySegment schema = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
        final AtomicInteger arrayReleases;
        final AtomicInteger schemaReleases;

        Produced() {
            ArrowExport.exportBatch(source, array, schema);
            arrayReleases = CountingRelease.array(array);
            schemaReleases = CountingRelease.schema(schema);
        }

        MemorySegment arrayChild(int col) {
            MemorySegment children = CDataLayout.at(CDataLayout.word(array, CDataLayout.ARRAY_CHILDREN), 8 * 11);
            return CDataLayout.at(CDataLayout.pointerAt(children, col), CDataLayout.ARRAY_BYTES);
        }

        MemorySegment schemaChild(int col) {
            MemorySegment children = CDataLayout.at(CDataLayout.word(schema, CDataLayout.SCHEMA_CHILDREN), 8 * 11);
            return CDataLayout.at(CDataLayout.pointerAt(children, col), CDataLayout.SCHEMA_BYTES);
        }
    }

    /** Corrupts a fresh export, imports it, expects {@code message}, and checks each struct was released once. */
    private void refused(Consumer<Produced> corrupt, Class<? extends Throwable> type, String message) {
        Produced p = new Produced();
        corrupt.accept(p);
        assertThatThrownBy(() -> ArrowImport.importBatch(domain, p.array, p.schema))
                .isInstanceOf(type).hasMessageContaining(message);
        assertThat(p.arrayReleases).as("array releases").hasValue(1);
        assertThat(p.schemaReleases).as("schema releases").hasValue(1);
    }

    /** A column of a format no column type has: named in the message. */
    @Test
    void unknownFormat() {
        MemorySegment large = arena.allocateFrom("U");
        refused(p -> CDataLayout.setWord(p.schemaChild(7), CDataLayout.SCHEMA_FORMAT, large.address()),
                IllegalArgumentException.class, "column 7 'name' has format 'U', which no column type has");
    }

    /** The root schema is not a struct. */
    @Test
    void notARecordBatch() {
        MemorySegment int32 = arena.allocateFrom("i");
        refused(p -> CDataLayout.setWord(p.schema, CDataLayout.SCHEMA_FORMAT, int32.address()),
                IllegalArgumentException.class, "must have format '+s'");
    }

    /** A column with the wrong number of buffers for its type. */
    @Test
    void wrongBufferCount() {
        refused(p -> CDataLayout.setWord(p.arrayChild(3), CDataLayout.ARRAY_N_BUFFERS, 3),
                IllegalArgumentException.class, "column 3 'i64' (INT64) must have 2 buffers: n_buffers=3");
    }

    /** An array whose children do not match its schema. */
    @Test
    void childCountDoesNotMatchTheSchema() {
        refused(p -> CDataLayout.setWord(p.array, CDataLayout.ARRAY_N_CHILDREN, 3),
                IllegalArgumentException.class, "must have 11 children (its schema): n_children=3");
    }

    /** A column that claims nulls without a validity buffer. */
    @Test
    void nullsWithoutValidity() {
        refused(p -> CDataLayout.setPointerAt(CDataLayout.at(
                        CDataLayout.word(p.arrayChild(5), CDataLayout.ARRAY_BUFFERS), 16), 0, CDataLayout.NULL),
                IllegalArgumentException.class, "column 5 'f64' has null_count=3 but no validity buffer");
    }

    /** A column shorter than the batch. */
    @Test
    void columnTooShort() {
        refused(p -> CDataLayout.setWord(p.arrayChild(0), CDataLayout.ARRAY_LENGTH, 10),
                IllegalArgumentException.class,
                "column 0 'i8' has offset=0 length=10; the record batch needs rows [0, 20)");
    }

    /** A schema that does not match the expected one. */
    @Test
    void schemaMismatch() {
        Produced p = new Produced();
        Schema expected = Schema.of(Field.of("i8", ColumnType.INT8, true));
        assertThatThrownBy(() -> ArrowImport.importBatch(domain, p.array, p.schema, expected))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected " + expected);
        assertThat(p.arrayReleases).hasValue(1);
        assertThat(p.schemaReleases).hasValue(1);
    }

    /** A closed domain: refused, both structs released. */
    @Test
    void closedDomain() {
        EpochDomain closed = ArrowTestSupport.inlineDomain("closed");
        closed.close();
        Produced p = new Produced();
        assertThatThrownBy(() -> ArrowImport.importBatch(closed, p.array, p.schema))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(p.arrayReleases).hasValue(1);
        assertThat(p.schemaReleases).hasValue(1);
    }

    /** A released array is refused with nothing to release; its schema was taken and released. */
    @Test
    void releasedArray() {
        Produced p = new Produced();
        long release = CDataLayout.word(p.array, CDataLayout.ARRAY_RELEASE);
        CDataLayout.setWord(p.array, CDataLayout.ARRAY_RELEASE, CDataLayout.NULL);
        assertThatThrownBy(() -> ArrowImport.importBatch(domain, p.array, p.schema))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ArrowArray at 0x")
                .hasMessageContaining("is released (release is NULL)");
        assertThat(p.schemaReleases).hasValue(1);
        assertThat(p.arrayReleases).hasValue(0);
        CDataLayout.setWord(p.array, CDataLayout.ARRAY_RELEASE, release); // the test, as producer, cleans up
        dev.nexus.zerocopy.internal.arrow.ProducerCalls.release(p.array, CDataLayout.ARRAY_RELEASE);
        assertThat(p.arrayReleases).hasValue(1);
    }

    /** A released schema is refused; the array was taken and released. */
    @Test
    void releasedSchema() {
        Produced p = new Produced();
        long release = CDataLayout.word(p.schema, CDataLayout.SCHEMA_RELEASE);
        CDataLayout.setWord(p.schema, CDataLayout.SCHEMA_RELEASE, CDataLayout.NULL);
        assertThatThrownBy(() -> ArrowImport.importBatch(domain, p.array, p.schema))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ArrowSchema at 0x")
                .hasMessageContaining("is released");
        assertThat(p.arrayReleases).hasValue(1);
        CDataLayout.setWord(p.schema, CDataLayout.SCHEMA_RELEASE, release);
        dev.nexus.zerocopy.internal.arrow.ProducerCalls.release(p.schema, CDataLayout.SCHEMA_RELEASE);
        assertThat(p.schemaReleases).hasValue(1);
    }

    /** Bad arguments (null, heap, too small) are refused before anything is taken. */
    @Test
    void badArgumentsTakeNothing() {
        Produced p = new Produced();
        assertThatThrownBy(() -> ArrowImport.importBatch(domain, MemorySegment.ofArray(new byte[80]), p.schema))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
        assertThatThrownBy(() -> ArrowImport.importBatch(domain, p.array.asSlice(0, 40), p.schema))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("80 bytes");
        assertThatThrownBy(() -> ArrowImport.importBatch(domain, null, p.schema))
                .isInstanceOf(NullPointerException.class);
        assertThat(p.arrayReleases).hasValue(0);
        assertThat(p.schemaReleases).hasValue(0);
        try (ColumnBatch batch = ArrowImport.importBatch(domain, p.array, p.schema)) {
            assertThat(batch.getLong(ArrowTestSupport.I64, 1)).isEqualTo(ArrowTestSupport.i64(1));
        }
        domain.barrier();
        assertThat(p.arrayReleases).hasValue(1);
        assertThat(p.schemaReleases).hasValue(1);
    }
}
