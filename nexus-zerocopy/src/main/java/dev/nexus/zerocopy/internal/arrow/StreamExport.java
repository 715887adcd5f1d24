package dev.nexus.zerocopy.internal.arrow;

import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.Schema;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exported {@code ArrowArrayStream}: {@code get_schema} exports the schema afresh each call,
 * {@code get_next} pulls the iterator's next batch and exports it (each array holds its batch until
 * the consumer releases it), {@code release} closes the iterator if it is {@link AutoCloseable}.
 *
 * <p>Threads: DuckDB calls {@code get_next} on its worker threads (never two at once, but the spec
 * does not promise that), so every callback runs under one lock; the iterator is only ever touched
 * under it. An error inside a callback becomes an errno ({@link CDataCallbacks#EIO}, or
 * {@link CDataCallbacks#EINVAL} for a batch whose schema differs) and a message for
 * {@code get_last_error}, kept as a C string until the next error or the release.
 */
public final class StreamExport implements CDataCallbacks.StreamTarget {

    private final Schema schema;
    private final Iterator<ColumnBatch> batches;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@code lock}. */
    private MemorySegment lastError = MemorySegment.NULL;
    /** Guarded by {@code lock}. */
    private boolean released;
    /** Guarded by {@code lock}. */
    private long batchesExported;

    private StreamExport(Schema schema, Iterator<ColumnBatch> batches) {
        this.schema = schema;
        this.batches = batches;
    }

    /**
     * Fills the consumer's stream struct.
     *
     * @param schema the schema every batch has
     * @param batches the batches, pulled one per {@code get_next}
     * @param target the consumer's {@code ArrowArrayStream}, {@link CDataLayout#STREAM_BYTES} bytes,
     *     checked by the caller
     */
    public static void export(Schema schema, Iterator<ColumnBatch> batches, MemorySegment target) {
        StreamExport state = new StreamExport(schema, batches);
        ArrowCounters.streamExported();
        long id = PrivateData.register(state);
        CDataLayout.setWord(target, CDataLayout.STREAM_GET_SCHEMA, CDataCallbacks.STREAM_GET_SCHEMA.address());
        CDataLayout.setWord(target, CDataLayout.STREAM_GET_NEXT, CDataCallbacks.STREAM_GET_NEXT.address());
        CDataLayout.setWord(target, CDataLayout.STREAM_GET_LAST_ERROR, CDataCallbacks.STREAM_GET_LAST_ERROR.address());
        CDataLayout.setWord(target, CDataLayout.STREAM_PRIVATE_DATA, id);
        CDataLayout.setWord(target, CDataLayout.STREAM_RELEASE, CDataCallbacks.RELEASE_STREAM.address());
    }

    @Override
    public int getSchema(MemorySegment out) {
        lock.lock();
        try {
            if (released) {
                return CDataCallbacks.EINVAL;
            }
            SchemaExporter.export(schema, out);
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int getNext(MemorySegment out) {
        lock.lock();
        try {
            if (released) {
                return CDataCallbacks.EINVAL;
            }
            if (!batches.hasNext()) {
                CDataLayout.setWord(out, CDataLayout.ARRAY_RELEASE, CDataLayout.NULL); // end of stream
                return 0;
            }
            ColumnBatch batch = batches.next();
            if (!schema.equals(batch.schema())) {
                setLastError("batch " + batchesExported + " of the stream has schema " + batch.schema()
                        + ", the stream declared " + schema);
                return CDataCallbacks.EINVAL;
            }
            ArrayExporter.export(batch, out);
            batchesExported++;
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long lastError() {
        lock.lock();
        try {
            return lastError.address();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void failed(Throwable error) {
        lock.lock();
        try {
            setLastError(error.getClass().getName() + ": " + error.getMessage());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release() {
        lock.lock();
        try {
            if (released) {
                return;
            }
            released = true;
            freeLastError();
        } finally {
            lock.unlock();
        }
        try {
            if (batches instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } catch (Exception e) {
            CDataCallbacks.failed("release(ArrowArrayStream): closing the iterator", e);
        } finally {
            ArrowCounters.streamReleased();
        }
    }

    /**
     * Batches handed to the consumer so far.
     *
     * @return the count
     */
    public long batchesExported() {
        lock.lock();
        try {
            return batchesExported;
        } finally {
            lock.unlock();
        }
    }

    private void setLastError(String message) {
        assert lock.isHeldByCurrentThread();
        freeLastError();
        byte[] utf8 = (message == null ? "null" : message).getBytes(StandardCharsets.UTF_8);
        MemorySegment s = NativeAllocator.malloc().allocate(utf8.length + 1L, 1);
        MemorySegment.copy(utf8, 0, s, ValueLayout.JAVA_BYTE, 0, utf8.length);
        s.set(ValueLayout.JAVA_BYTE, utf8.length, (byte) 0);
        lastError = s;
    }

    private void freeLastError() {
        if (lastError.address() != CDataLayout.NULL) {
            NativeAllocator.malloc().free(lastError);
            lastError = MemorySegment.NULL;
        }
    }
}
