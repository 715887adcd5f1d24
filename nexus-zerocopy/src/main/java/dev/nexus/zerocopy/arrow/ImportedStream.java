package dev.nexus.zerocopy.arrow;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.internal.arrow.ArrayImporter;
import dev.nexus.zerocopy.internal.arrow.CDataLayout;
import dev.nexus.zerocopy.internal.arrow.ProducerCalls;
import dev.nexus.zerocopy.internal.arrow.SchemaImporter;
import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A producer's {@code ArrowArrayStream} read as {@link ColumnBatch}es: each {@link #next()} is one
 * {@code get_next}, imported as {@link ArrowImport#importBatch} does (read in place, released to the
 * producer after the batch is closed and a grace period). {@link #close()} releases the stream; batches
 * already taken are independent of it (the spec) and stay valid until closed.
 *
 * <p>Not thread-safe: one thread iterates (the C stream interface has no concurrent calls). A failing
 * {@code get_next} throws {@link IllegalStateException} with the producer's errno and
 * {@code get_last_error} message, and ends the iteration.
 */
public final class ImportedStream implements Iterator<ColumnBatch>, AutoCloseable {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    private final EpochDomain domain;
    private final MemorySegment block;
    private final MemorySegment stream;
    private final MemorySegment scratch;
    private final Schema schema;
    private ColumnBatch next;
    private boolean done;
    private boolean closed;

    private ImportedStream(EpochDomain domain, MemorySegment block, MemorySegment stream, MemorySegment scratch,
                           Schema schema) {
        this.domain = domain;
        this.block = block;
        this.stream = stream;
        this.scratch = scratch;
        this.schema = schema;
    }

    static ImportedStream open(EpochDomain domain, MemorySegment producerStream) {
        if (CDataLayout.word(producerStream, CDataLayout.STREAM_RELEASE) == CDataLayout.NULL) {
            throw new IllegalArgumentException("ArrowArrayStream at 0x" + Long.toHexString(producerStream.address())
                    + " is released (release is NULL): nothing to import");
        }
        // one allocation: our stream struct (40 B), then the scratch struct get_schema/get_next fill (80 B)
        MemorySegment block = MALLOC.allocate(CDataLayout.STREAM_BYTES + CDataLayout.ARRAY_BYTES,
                CDataLayout.STRUCT_ALIGNMENT);
        MemorySegment stream = block.asSlice(0, CDataLayout.STREAM_BYTES);
        MemorySegment scratch = block.asSlice(CDataLayout.STREAM_BYTES, CDataLayout.ARRAY_BYTES).fill((byte) 0);
        MemorySegment.copy(producerStream, 0, stream, 0, CDataLayout.STREAM_BYTES);
        CDataLayout.setWord(producerStream, CDataLayout.STREAM_RELEASE, CDataLayout.NULL); // moved
        try {
            MemorySegment schemaStruct = scratch.asSlice(0, CDataLayout.SCHEMA_BYTES);
            int rc = ProducerCalls.get(CDataLayout.word(stream, CDataLayout.STREAM_GET_SCHEMA), stream, schemaStruct);
            if (rc != 0) {
                throw failure(stream, "get_schema", rc);
            }
            Schema schema;
            try {
                schema = SchemaImporter.parse(schemaStruct);
            } finally {
                ProducerCalls.release(schemaStruct, CDataLayout.SCHEMA_RELEASE);
            }
            scratch.fill((byte) 0);
            return new ImportedStream(domain, block, stream, scratch, schema);
        } catch (RuntimeException | Error e) {
            try {
                ProducerCalls.release(stream, CDataLayout.STREAM_RELEASE);
            } finally {
                MALLOC.free(block);
            }
            throw e;
        }
    }

    /**
     * The stream's schema, as its producer's {@code get_schema} gave it.
     *
     * @return the schema
     */
    public Schema schema() {
        return schema;
    }

    /**
     * Whether the producer has another batch; calls {@code get_next} if none is pending.
     *
     * @return true if {@link #next()} will return a batch
     * @throws IllegalStateException if {@code get_next} fails, or the stream is closed
     * @throws IllegalArgumentException if the producer's batch is malformed or does not match the schema
     */
    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        if (closed) {
            throw new IllegalStateException("the imported ArrowArrayStream is closed");
        }
        scratch.fill((byte) 0);
        int rc = ProducerCalls.get(CDataLayout.word(stream, CDataLayout.STREAM_GET_NEXT), stream, scratch);
        if (rc != 0) {
            done = true;
            throw failure(stream, "get_next", rc);
        }
        if (CDataLayout.word(scratch, CDataLayout.ARRAY_RELEASE) == CDataLayout.NULL) {
            done = true; // the end of the stream
            return false;
        }
        next = ArrayImporter.importArray(domain, schema, scratch);
        return true;
    }

    /**
     * The next batch; the caller closes it.
     *
     * @return the batch
     * @throws NoSuchElementException at the end of the stream
     */
    @Override
    public ColumnBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the imported ArrowArrayStream has no more batches");
        }
        ColumnBatch batch = next;
        next = null;
        return batch;
    }

    /**
     * Releases the producer's stream, once; a batch fetched by {@link #hasNext()} and not taken by
     * {@link #next()} is closed. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        done = true;
        try {
            if (next != null) {
                next.close();
                next = null;
            }
        } finally {
            try {
                ProducerCalls.release(stream, CDataLayout.STREAM_RELEASE);
            } finally {
                MALLOC.free(block);
            }
        }
    }

    private static IllegalStateException failure(MemorySegment stream, String call, int errno) {
        String message = ProducerCalls.lastError(CDataLayout.word(stream, CDataLayout.STREAM_GET_LAST_ERROR), stream);
        return new IllegalStateException("ArrowArrayStream." + call + " failed: errno " + errno
                + (message == null ? "" : ": " + message));
    }
}
