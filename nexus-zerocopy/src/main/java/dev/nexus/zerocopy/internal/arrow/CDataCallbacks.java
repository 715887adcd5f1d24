package dev.nexus.zerocopy.internal.arrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The FFM upcalls we put into the structs we fill: {@code release} of an {@code ArrowSchema},
 * an {@code ArrowArray} and an {@code ArrowArrayStream}, and the stream's {@code get_schema},
 * {@code get_next} and {@code get_last_error}. One native entry point each, for the life of the JVM
 * (global arena).
 *
 * <p>Rules every entry point here keeps:
 * <ul>
 *   <li><b>Never throw.</b> An exception escaping an upcall kills the JVM. Each entry point catches
 *       {@link Throwable}, counts it ({@link #failures()}), keeps the last one ({@link #lastFailure()})
 *       and logs it (System.Logger, ERROR) if logging itself does not fail. {@code get_schema} and
 *       {@code get_next} then return {@link #EIO}; a release still sets {@code release} to NULL.</li>
 *   <li><b>State through {@code private_data}</b> ({@link PrivateData}), never through the struct's
 *       address: consumers move structs.</li>
 *   <li><b>Idempotent release</b>: the first release takes the id out of the registry; a repeated
 *       release finds nothing. Every release sets the received struct's {@code release} to NULL, as
 *       the spec requires.</li>
 *   <li><b>Any thread</b>: DuckDB calls from its worker threads. Nothing here is confined: memory is
 *       {@code malloc}'ed (global scope), state is in a concurrent map.</li>
 * </ul>
 */
public final class CDataCallbacks {

    /** errno {@code EIO}: the producer (our iterator) failed; {@code get_last_error} says how. */
    public static final int EIO = 5;
    /** errno {@code EINVAL}: a call on a released stream, or a batch that does not match the schema. */
    public static final int EINVAL = 22;

    private static final System.Logger LOG = System.getLogger("dev.nexus.zerocopy.arrow");
    private static final AtomicLong FAILURES = new AtomicLong();
    private static final AtomicReference<Throwable> LAST_FAILURE = new AtomicReference<>();

    /** What an exported array or schema node does when its struct is released. */
    public interface ReleaseTarget {
        /**
         * Releases the node. Runs at most once per node (the registry's take decides).
         *
         * @param struct the struct the consumer passed, possibly not the one we filled (moved)
         */
        void release(MemorySegment struct);
    }

    /** An exported stream's callbacks. */
    public interface StreamTarget {
        /**
         * Fills {@code out} with the stream's schema.
         *
         * @param out the consumer's {@code ArrowSchema}
         * @return 0 or an errno
         */
        int getSchema(MemorySegment out);

        /**
         * Fills {@code out} with the next batch, or marks it released at the end of the stream.
         *
         * @param out the consumer's {@code ArrowArray}
         * @return 0 or an errno
         */
        int getNext(MemorySegment out);

        /**
         * The last error's message as a C string we own, or NULL.
         *
         * @return a raw address
         */
        long lastError();

        /**
         * Releases the stream. Runs at most once (the registry's take decides).
         */
        void release();

        /**
         * Records an error that escaped {@link #getSchema} or {@link #getNext}, for {@link #lastError}.
         *
         * @param error the error
         */
        void failed(Throwable error);
    }

    /** {@code void release(struct ArrowSchema*)}. */
    public static final MemorySegment RELEASE_SCHEMA;
    /** {@code void release(struct ArrowArray*)}. */
    public static final MemorySegment RELEASE_ARRAY;
    /** {@code void release(struct ArrowArrayStream*)}. */
    public static final MemorySegment RELEASE_STREAM;
    /** {@code int get_schema(struct ArrowArrayStream*, struct ArrowSchema*)}. */
    public static final MemorySegment STREAM_GET_SCHEMA;
    /** {@code int get_next(struct ArrowArrayStream*, struct ArrowArray*)}. */
    public static final MemorySegment STREAM_GET_NEXT;
    /** {@code const char* get_last_error(struct ArrowArrayStream*)}. */
    public static final MemorySegment STREAM_GET_LAST_ERROR;

    static {
        try {
            FunctionDescriptor release = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS);
            FunctionDescriptor get = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS);
            MethodType releaseType = MethodType.methodType(void.class, MemorySegment.class);
            MethodType getType = MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class);
            RELEASE_SCHEMA = upcall("releaseSchema", releaseType, release);
            RELEASE_ARRAY = upcall("releaseArray", releaseType, release);
            RELEASE_STREAM = upcall("releaseStream", releaseType, release);
            STREAM_GET_SCHEMA = upcall("getSchema", getType, get);
            STREAM_GET_NEXT = upcall("getNext", getType, get);
            STREAM_GET_LAST_ERROR = upcall("getLastError",
                    MethodType.methodType(MemorySegment.class, MemorySegment.class),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private CDataCallbacks() {
    }

    /** A native function pointer that calls the static method {@code name}, for the life of the JVM. */
    private static MemorySegment upcall(String name, MethodType type, FunctionDescriptor function)
            throws ReflectiveOperationException {
        MethodHandle target = MethodHandles.lookup().findStatic(CDataCallbacks.class, name, type);
        return Linker.nativeLinker().upcallStub(target, function, Arena.global());
    }

    /**
     * Errors caught inside callbacks since the JVM started.
     *
     * @return the count
     */
    public static long failures() {
        return FAILURES.get();
    }

    /**
     * The last error caught inside a callback.
     *
     * @return the error, or {@code null}
     */
    public static Throwable lastFailure() {
        return LAST_FAILURE.get();
    }

    // ---- the upcall targets: each catches everything ------------------------------------------------

    private static void releaseSchema(MemorySegment schema) {
        releaseNode(schema, CDataLayout.SCHEMA_BYTES, CDataLayout.SCHEMA_PRIVATE_DATA, CDataLayout.SCHEMA_RELEASE,
                "release(ArrowSchema)");
    }

    private static void releaseArray(MemorySegment array) {
        releaseNode(array, CDataLayout.ARRAY_BYTES, CDataLayout.ARRAY_PRIVATE_DATA, CDataLayout.ARRAY_RELEASE,
                "release(ArrowArray)");
    }

    private static void releaseNode(MemorySegment received, long bytes, long privateData, long release, String what) {
        try {
            if (received.address() == CDataLayout.NULL) {
                return;
            }
            MemorySegment struct = received.reinterpret(bytes);
            try {
                long id = CDataLayout.word(struct, privateData);
                // only a release target is taken: a stream's id passed to an array release stays put
                if (PrivateData.peek(id) instanceof ReleaseTarget target && PrivateData.take(id, target)) {
                    target.release(struct);
                }
            } finally {
                // the spec: a release marks the struct released, whatever happened inside
                CDataLayout.setWord(struct, release, CDataLayout.NULL);
            }
        } catch (Throwable t) {
            failed(what, t);
        }
    }

    private static void releaseStream(MemorySegment received) {
        try {
            if (received.address() == CDataLayout.NULL) {
                return;
            }
            MemorySegment stream = received.reinterpret(CDataLayout.STREAM_BYTES);
            try {
                long id = CDataLayout.word(stream, CDataLayout.STREAM_PRIVATE_DATA);
                if (PrivateData.peek(id) instanceof StreamTarget target && PrivateData.take(id, target)) {
                    target.release();
                }
            } finally {
                CDataLayout.setWord(stream, CDataLayout.STREAM_RELEASE, CDataLayout.NULL);
            }
        } catch (Throwable t) {
            failed("release(ArrowArrayStream)", t);
        }
    }

    private static int getSchema(MemorySegment stream, MemorySegment out) {
        StreamTarget target = null;
        try {
            target = streamOf(stream);
            if (target == null || out.address() == CDataLayout.NULL) {
                return EINVAL;
            }
            return target.getSchema(out.reinterpret(CDataLayout.SCHEMA_BYTES));
        } catch (Throwable t) {
            return streamFailed("get_schema", target, t);
        }
    }

    private static int getNext(MemorySegment stream, MemorySegment out) {
        StreamTarget target = null;
        try {
            target = streamOf(stream);
            if (target == null || out.address() == CDataLayout.NULL) {
                return EINVAL;
            }
            return target.getNext(out.reinterpret(CDataLayout.ARRAY_BYTES));
        } catch (Throwable t) {
            return streamFailed("get_next", target, t);
        }
    }

    private static MemorySegment getLastError(MemorySegment stream) {
        try {
            StreamTarget target = streamOf(stream);
            return target == null ? MemorySegment.NULL : MemorySegment.ofAddress(target.lastError());
        } catch (Throwable t) {
            failed("get_last_error", t);
            return MemorySegment.NULL;
        }
    }

    private static StreamTarget streamOf(MemorySegment received) {
        if (received.address() == CDataLayout.NULL) {
            return null;
        }
        MemorySegment stream = received.reinterpret(CDataLayout.STREAM_BYTES);
        return PrivateData.peek(CDataLayout.word(stream, CDataLayout.STREAM_PRIVATE_DATA)) instanceof StreamTarget t
                ? t : null;
    }

    private static int streamFailed(String what, StreamTarget target, Throwable t) {
        failed(what, t);
        try {
            if (target != null) {
                target.failed(t);
            }
        } catch (Throwable again) {
            failed(what + " (recording the error)", again);
        }
        return EIO;
    }

    /**
     * Records an error caught inside a callback: counted, kept, logged. Never throws.
     *
     * @param what the callback
     * @param t the error
     */
    public static void failed(String what, Throwable t) {
        FAILURES.incrementAndGet();
        LAST_FAILURE.set(t);
        try {
            LOG.log(System.Logger.Level.ERROR, "nexus-zerocopy: error inside the Arrow C Data callback " + what
                    + " (caught: an exception escaping an upcall would kill the JVM)", t);
        } catch (Throwable ignoredLoggingFailure) {
            // logging failed inside a native callback: the count and lastFailure() still have it
        }
    }
}
