package dev.nexus.zerocopy.arrow;

import dev.nexus.zerocopy.BatchStream;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.HoldInfo;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.StreamReader;
import dev.nexus.zerocopy.internal.arrow.ArrayExporter;
import dev.nexus.zerocopy.internal.arrow.ArrowCounters;
import dev.nexus.zerocopy.internal.arrow.CDataCallbacks;
import dev.nexus.zerocopy.internal.arrow.CDataLayout;
import dev.nexus.zerocopy.internal.arrow.ProducerCalls;
import dev.nexus.zerocopy.internal.arrow.SchemaExporter;
import dev.nexus.zerocopy.internal.arrow.StreamExport;
import dev.nexus.zerocopy.internal.arrow.StructArgs;
import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Hands {@link ColumnBatch}es to an Arrow consumer through the
 * <a href="https://arrow.apache.org/docs/format/CDataInterface.html">Arrow C Data Interface</a> and
 * its stream interface, without copying: the consumer's structs point into the batch's segment.
 *
 * <p>The C convention: the consumer allocates the structs ({@code ArrowArray} 80 bytes,
 * {@code ArrowSchema} 72, {@code ArrowArrayStream} 40) and passes their addresses; we fill them. A
 * struct argument is a native segment of at least that size, or a zero-length segment at its address
 * ({@code MemorySegment.ofAddress(arrowArray.memoryAddress())} with Arrow Java).
 *
 * <p>A record batch is exported as a struct array ({@code "+s"}) with one child per column, formats per
 * {@link dev.nexus.zerocopy.ColumnType#arrowFormat()}, a LIST column as {@code "+l"} with one child.
 *
 * <p>Lifetime: an exported array holds its batch (a hold of kind {@code "export"}) until the consumer
 * calls its {@code release}; closing the batch meanwhile frees nothing, and the memory goes back through
 * the epoch domain only after the last release and a grace period. An export never released is listed
 * by {@link #openExports()} and reported, with where it was made, when its batch is closed.
 *
 * <p>Callbacks ({@code release}, {@code get_schema}, {@code get_next}, {@code get_last_error}) are FFM
 * upcalls that may run on any thread (DuckDB calls them from its workers); they never throw (an error
 * is counted in {@link ArrowStats#callbackFailures()} and logged), and a release is idempotent. They
 * find their state through {@code private_data}, never through the struct's address, so a consumer may
 * move the structs (Arrow Java does).
 *
 * <p>Slices: a slice is exported with {@code offset = 0} and its buffers pointed at its first row,
 * because Arrow Java ignores {@code ArrowArray.offset}. Validity and BOOL bitmaps of a slice whose first
 * row is not a multiple of 8 are copied, shifted, into a small side allocation freed on release (the one
 * copy of an export); offsets of UTF8, BINARY and LIST columns may then start above 0, as the spec
 * allows.
 *
 * <p>Memory effects: actions of the exporting thread before an export happen-before the consumer's
 * callbacks on its structs (the state is published through a concurrent map); the consumer's release
 * happens-before the batch's memory is retired (the hold's release).
 */
public final class ArrowExport {

    private ArrowExport() {
    }

    /**
     * Exports a batch (or a slice) as a record batch: fills the consumer's {@code ArrowArray} and
     * {@code ArrowSchema}. On success the consumer owns both and must release each once; on an
     * exception neither struct holds an export (one made half-way is released before the throw).
     *
     * @param batch the batch, not closed (or closed with a hold still open)
     * @param arrowArray the consumer's {@code ArrowArray}
     * @param arrowSchema the consumer's {@code ArrowSchema}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a struct argument is not a native struct of its size, or still
     *     holds a live export of ours
     * @throws IllegalStateException if the batch is closed and its memory reclaimed
     */
    public static void exportBatch(ColumnBatch batch, MemorySegment arrowArray, MemorySegment arrowSchema) {
        Objects.requireNonNull(batch, "batch");
        MemorySegment array = arrayStruct(arrowArray);
        MemorySegment schema = schemaStruct(arrowSchema);
        ArrayExporter.export(batch, array);
        try {
            SchemaExporter.export(batch.schema(), schema);
        } catch (RuntimeException | Error e) {
            // the array was published: release it through its own callback, as a consumer would
            releaseExported(array);
            throw e;
        }
    }

    /**
     * Exports a batch's array only (its schema is known to the consumer, for example from a stream).
     *
     * @param batch the batch, not closed (or closed with a hold still open)
     * @param arrowArray the consumer's {@code ArrowArray}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code arrowArray} is not a native struct of 80 bytes, or
     *     still holds a live export of ours
     * @throws IllegalStateException if the batch is closed and its memory reclaimed
     */
    public static void exportBatch(ColumnBatch batch, MemorySegment arrowArray) {
        Objects.requireNonNull(batch, "batch");
        ArrayExporter.export(batch, arrayStruct(arrowArray));
    }

    /**
     * Exports a schema as a struct ({@code "+s"}) with one child per field.
     *
     * @param schema the schema
     * @param arrowSchema the consumer's {@code ArrowSchema}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code arrowSchema} is not a native struct of 72 bytes, or
     *     still holds a live export of ours
     */
    public static void exportSchema(Schema schema, MemorySegment arrowSchema) {
        Objects.requireNonNull(schema, "schema");
        SchemaExporter.export(schema, schemaStruct(arrowSchema));
    }

    /**
     * Exports a stream of batches: {@code get_schema} gives {@code schema}, each {@code get_next} pulls
     * {@code batches.next()} (a blocking iterator is fine) and exports it, the end of the iterator ends
     * the stream, and the stream's release closes the iterator if it is {@link AutoCloseable}.
     *
     * <p>The stream does not close the batches it hands out: each exported array holds its batch until
     * the consumer releases it, and whoever made the batches closes them. A batch whose schema is not
     * {@code schema}, or an exception from the iterator, makes {@code get_next} return an errno
     * ({@code EINVAL}, {@code EIO}) with the message for {@code get_last_error}. Callbacks are
     * serialized: the iterator is never called by two threads at once.
     *
     * @param schema the schema of every batch
     * @param batches the batches
     * @param arrowArrayStream the consumer's {@code ArrowArrayStream}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code arrowArrayStream} is not a native struct of 40 bytes,
     *     or still holds a live stream of ours
     */
    public static void exportStream(Schema schema, Iterator<ColumnBatch> batches, MemorySegment arrowArrayStream) {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(batches, "batches");
        MemorySegment stream = StructArgs.struct(arrowArrayStream, CDataLayout.STREAM_BYTES, "ArrowArrayStream");
        StructArgs.checkNotLive(stream, CDataLayout.STREAM_RELEASE, CDataLayout.STREAM_PRIVATE_DATA,
                CDataCallbacks.RELEASE_STREAM, "ArrowArrayStream");
        StreamExport.export(schema, batches, stream);
    }

    /**
     * Exports a {@link BatchStream}: {@link #exportStream(Schema, Iterator, MemorySegment)} over a new
     * {@linkplain BatchStream#reader() reader} of it (its own cursor, from the oldest batch the stream
     * holds; {@code get_next} blocks until a batch is appended or the stream is finished; the stream's
     * release closes the reader).
     *
     * @param stream the stream
     * @param arrowArrayStream the consumer's {@code ArrowArrayStream}
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the stream is closed
     * @throws IllegalArgumentException if {@code arrowArrayStream} is not a native struct of 40 bytes,
     *     or still holds a live stream of ours
     */
    public static void exportStream(BatchStream stream, MemorySegment arrowArrayStream) {
        StreamReader reader = Objects.requireNonNull(stream, "stream").reader();
        try {
            exportStream(stream.schema(), reader, arrowArrayStream);
        } catch (RuntimeException | Error e) {
            reader.close(); // nothing exported: the reader's cursor must not keep the stream's batches
            throw e;
        }
    }

    /**
     * The array exports whose consumer has not called {@code release} yet, process-wide, oldest first,
     * each with the site that made it.
     *
     * @return kind ({@code "export"}), site and age of each
     */
    public static List<HoldInfo> openExports() {
        return ArrowCounters.openExports();
    }

    /**
     * The counters of the C Data paths, process-wide.
     *
     * @return a snapshot
     */
    public static ArrowStats stats() {
        return ArrowStats.current();
    }

    private static MemorySegment arrayStruct(MemorySegment arrowArray) {
        MemorySegment array = StructArgs.struct(arrowArray, CDataLayout.ARRAY_BYTES, "ArrowArray");
        StructArgs.checkNotLive(array, CDataLayout.ARRAY_RELEASE, CDataLayout.ARRAY_PRIVATE_DATA,
                CDataCallbacks.RELEASE_ARRAY, "ArrowArray");
        return array;
    }

    private static MemorySegment schemaStruct(MemorySegment arrowSchema) {
        MemorySegment schema = StructArgs.struct(arrowSchema, CDataLayout.SCHEMA_BYTES, "ArrowSchema");
        StructArgs.checkNotLive(schema, CDataLayout.SCHEMA_RELEASE, CDataLayout.SCHEMA_PRIVATE_DATA,
                CDataCallbacks.RELEASE_SCHEMA, "ArrowSchema");
        return schema;
    }

    private static void releaseExported(MemorySegment array) {
        ProducerCalls.release(array, CDataLayout.ARRAY_RELEASE);
    }
}
