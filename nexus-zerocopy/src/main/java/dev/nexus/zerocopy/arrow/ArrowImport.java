package dev.nexus.zerocopy.arrow;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.internal.arrow.ArrayImporter;
import dev.nexus.zerocopy.internal.arrow.CDataLayout;
import dev.nexus.zerocopy.internal.arrow.ProducerCalls;
import dev.nexus.zerocopy.internal.arrow.SchemaImporter;
import dev.nexus.zerocopy.internal.arrow.StructArgs;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Takes a record batch (or a stream of them) from an Arrow producer (Arrow Java, DuckDB, any C Data
 * Interface producer) as read-only {@link ColumnBatch}es that read the producer's buffers in place.
 *
 * <p>Ownership, the rule for every method here: once the arguments pass the null and segment checks
 * (a native struct of its size; see {@link ArrowExport} for zero-length segments), the call
 * <em>takes</em> the producer's structs on every outcome. The schema is read and released before the
 * call returns. The array is moved into a struct of ours (the producer's is marked released, as the spec
 * allows a consumer to do) and released exactly once: if the import fails, before the exception is
 * thrown; otherwise after the batch is closed, every hold on it released, and a grace period of
 * {@code domain} passed, so that no reader pinned before the close sees the producer's memory go. A
 * struct that is already released ({@code release} NULL) is refused with nothing to release.
 *
 * <p>Offsets are honoured: the struct array's {@code offset} and each column's. Values and offsets
 * are never copied; a validity or BOOL bitmap whose first row is not on a byte boundary shared by all
 * columns is copied, shifted (the one copy of an import, freed with it).
 *
 * <p>Supported columns: the formats of {@link dev.nexus.zerocopy.ColumnType} ({@code "tsu:"} without a
 * time zone is read as UTC), LIST ({@code "+l"}) of a fixed-width child without nulls, no dictionaries;
 * a column with an empty name is named {@code "column" + index}. Anything else is refused with an
 * {@link IllegalArgumentException} naming the column, the rule and the value.
 *
 * <p>Memory effects: the producer's writes to its buffers before it handed the structs over
 * happen-before our reads of them (the hand-over is the producer's business: a call or a stream
 * {@code get_next}); reads of the batch inside a guard happen-before the producer's release.
 */
public final class ArrowImport {

    private ArrowImport() {
    }

    /**
     * Imports a record batch.
     *
     * @param domain the domain whose grace period delays the release to the producer
     * @param arrowArray the producer's {@code ArrowArray} (a struct array, one child per column)
     * @param arrowSchema the producer's {@code ArrowSchema} ({@code "+s"})
     * @return the batch: read-only, {@link ColumnBatch#isImported()} true, no {@code segment()}
     * @throws NullPointerException if an argument is null (nothing taken)
     * @throws IllegalArgumentException if a struct argument is not a native struct of its size (nothing
     *     taken), or a struct is released, malformed, of an unsupported type, or the array does not match
     *     the schema (the structs were taken and released)
     * @throws IllegalStateException if the domain is closed (the structs were taken and released)
     */
    public static ColumnBatch importBatch(EpochDomain domain, MemorySegment arrowArray, MemorySegment arrowSchema) {
        return importBatch(domain, arrowArray, arrowSchema, null);
    }

    /**
     * Imports a record batch that must have the schema {@code expected}.
     *
     * @param domain the domain whose grace period delays the release to the producer
     * @param arrowArray the producer's {@code ArrowArray}
     * @param arrowSchema the producer's {@code ArrowSchema}
     * @param expected the schema the batch must have, or {@code null} to take it as it comes
     * @return the batch
     * @throws NullPointerException if {@code domain} or a struct is null (nothing taken)
     * @throws IllegalArgumentException as {@link #importBatch(EpochDomain, MemorySegment, MemorySegment)},
     *     and if the imported schema is not {@code expected} (the structs were taken and released)
     * @throws IllegalStateException if the domain is closed (the structs were taken and released)
     */
    public static ColumnBatch importBatch(EpochDomain domain, MemorySegment arrowArray, MemorySegment arrowSchema,
                                          Schema expected) {
        Objects.requireNonNull(domain, "domain");
        MemorySegment array = StructArgs.struct(arrowArray, CDataLayout.ARRAY_BYTES, "ArrowArray");
        MemorySegment schema = StructArgs.struct(arrowSchema, CDataLayout.SCHEMA_BYTES, "ArrowSchema");
        Schema parsed;
        try {
            parsed = SchemaImporter.parse(schema);
            if (expected != null && !expected.equals(parsed)) {
                throw new IllegalArgumentException("the imported record batch has schema " + parsed
                        + ", expected " + expected);
            }
        } catch (RuntimeException | Error e) {
            ProducerCalls.release(array, CDataLayout.ARRAY_RELEASE);
            throw e;
        } finally {
            ProducerCalls.release(schema, CDataLayout.SCHEMA_RELEASE);
        }
        return ArrayImporter.importArray(domain, parsed, array);
    }

    /**
     * Imports a stream: moves the producer's {@code ArrowArrayStream} into a struct of ours, reads its
     * schema, and returns an iterator that imports one batch per {@code get_next}. Closing it releases
     * the stream; batches already taken stay valid until they are closed.
     *
     * @param domain the domain whose grace period delays each batch's release to the producer
     * @param arrowArrayStream the producer's {@code ArrowArrayStream}
     * @return the imported stream
     * @throws NullPointerException if an argument is null (nothing taken)
     * @throws IllegalArgumentException if the struct argument is not a native struct of 40 bytes
     *     (nothing taken), the stream is released, or its schema is unsupported (the stream was taken
     *     and released)
     * @throws IllegalStateException if {@code get_schema} fails (the stream was taken and released)
     */
    public static ImportedStream importStream(EpochDomain domain, MemorySegment arrowArrayStream) {
        Objects.requireNonNull(domain, "domain");
        return ImportedStream.open(domain,
                StructArgs.struct(arrowArrayStream, CDataLayout.STREAM_BYTES, "ArrowArrayStream"));
    }
}
