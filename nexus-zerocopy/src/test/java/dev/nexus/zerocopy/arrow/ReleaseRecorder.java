package dev.nexus.zerocopy.arrow;

import dev.nexus.zerocopy.internal.arrow.CDataLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/**
 * A test interposer between a consumer (DuckDB) and one of our exported streams: it forwards every
 * call to our stream, and puts its own {@code release} into each array {@code get_next} returns, which
 * records the calling thread and then calls our release. So the test sees on which threads the consumer
 * releases arrays, while the release that runs is still ours.
 */
final class ReleaseRecorder implements AutoCloseable {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle VOID_1 = LINKER.downcallHandle(FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final MethodHandle INT_2 = LINKER.downcallHandle(
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle PTR_1 = LINKER.downcallHandle(
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    /** The recorder of each interposing stream, by the address of the stream struct we gave the consumer. */
    private static final Map<Long, ReleaseRecorder> BY_STREAM = new ConcurrentHashMap<>();
    /** Our original array release, by the array's private_data (our id, which survives moves). */
    private static final Map<Long, ReleaseRecorder> BY_ARRAY = new ConcurrentHashMap<>();
    private static final MemorySegment GET_SCHEMA;
    private static final MemorySegment GET_NEXT;
    private static final MemorySegment GET_LAST_ERROR;
    private static final MemorySegment RELEASE_STREAM;
    private static final MemorySegment RELEASE_ARRAY;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FunctionDescriptor int2 = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS);
            MethodType int2Type = MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class);
            MethodType void1Type = MethodType.methodType(void.class, MemorySegment.class);
            GET_SCHEMA = upcall(lookup.findStatic(ReleaseRecorder.class, "getSchema", int2Type), int2);
            GET_NEXT = upcall(lookup.findStatic(ReleaseRecorder.class, "getNext", int2Type), int2);
            GET_LAST_ERROR = upcall(lookup.findStatic(ReleaseRecorder.class, "getLastError",
                    MethodType.methodType(MemorySegment.class, MemorySegment.class)),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            RELEASE_STREAM = upcall(lookup.findStatic(ReleaseRecorder.class, "releaseStream", void1Type),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            RELEASE_ARRAY = upcall(lookup.findStatic(ReleaseRecorder.class, "releaseArray", void1Type),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static MemorySegment upcall(MethodHandle target, FunctionDescriptor function) {
        return LINKER.upcallStub(target, function, Arena.global());
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment inner;
    private final MemorySegment outer;
    private final Map<Long, Long> originalRelease = new ConcurrentHashMap<>();
    /** Threads that released an array, and errors inside the interposer (fail the test). */
    final Set<Thread> releaseThreads = ConcurrentHashMap.newKeySet();
    final Set<Thread> getNextThreads = ConcurrentHashMap.newKeySet();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    /**
     * Interposes on our exported stream {@code inner}; hand {@link #outer()} to the consumer.
     *
     * @param inner a stream filled by {@link ArrowExport#exportStream}
     */
    ReleaseRecorder(MemorySegment inner) {
        this.inner = inner;
        this.outer = arena.allocate(CDataLayout.STREAM_BYTES, 8);
        CDataLayout.setWord(outer, CDataLayout.STREAM_GET_SCHEMA, GET_SCHEMA.address());
        CDataLayout.setWord(outer, CDataLayout.STREAM_GET_NEXT, GET_NEXT.address());
        CDataLayout.setWord(outer, CDataLayout.STREAM_GET_LAST_ERROR, GET_LAST_ERROR.address());
        CDataLayout.setWord(outer, CDataLayout.STREAM_RELEASE, RELEASE_STREAM.address());
        CDataLayout.setWord(outer, CDataLayout.STREAM_PRIVATE_DATA, outer.address());
        BY_STREAM.put(outer.address(), this);
    }

    /** The stream struct to give the consumer. */
    long outer() {
        return outer.address();
    }

    private static ReleaseRecorder of(MemorySegment stream) {
        return BY_STREAM.get(CDataLayout.word(stream.reinterpret(CDataLayout.STREAM_BYTES),
                CDataLayout.STREAM_PRIVATE_DATA));
    }

    private static int getSchema(MemorySegment stream, MemorySegment out) {
        try {
            ReleaseRecorder r = of(stream);
            return (int) INT_2.invokeExact(fn(r.inner, CDataLayout.STREAM_GET_SCHEMA), r.inner, out);
        } catch (Throwable t) {
            return 5;
        }
    }

    private static int getNext(MemorySegment stream, MemorySegment out) {
        ReleaseRecorder r = null;
        try {
            r = of(stream);
            r.getNextThreads.add(Thread.currentThread());
            int rc = (int) INT_2.invokeExact(fn(r.inner, CDataLayout.STREAM_GET_NEXT), r.inner, out);
            MemorySegment array = out.reinterpret(CDataLayout.ARRAY_BYTES);
            long release = CDataLayout.word(array, CDataLayout.ARRAY_RELEASE);
            if (rc == 0 && release != CDataLayout.NULL) {
                long id = CDataLayout.word(array, CDataLayout.ARRAY_PRIVATE_DATA);
                r.originalRelease.put(id, release);
                BY_ARRAY.put(id, r);
                CDataLayout.setWord(array, CDataLayout.ARRAY_RELEASE, RELEASE_ARRAY.address());
            }
            return rc;
        } catch (Throwable t) {
            if (r != null) {
                r.errors.add(t);
            }
            return 5;
        }
    }

    private static MemorySegment getLastError(MemorySegment stream) {
        try {
            ReleaseRecorder r = of(stream);
            return (MemorySegment) PTR_1.invokeExact(fn(r.inner, CDataLayout.STREAM_GET_LAST_ERROR), r.inner);
        } catch (Throwable t) {
            return MemorySegment.NULL;
        }
    }

    private static void releaseStream(MemorySegment stream) {
        try {
            MemorySegment s = stream.reinterpret(CDataLayout.STREAM_BYTES);
            ReleaseRecorder r = of(s);
            if (r != null) {
                VOID_1.invokeExact(fn(r.inner, CDataLayout.STREAM_RELEASE), r.inner);
            }
            CDataLayout.setWord(s, CDataLayout.STREAM_RELEASE, CDataLayout.NULL);
        } catch (Throwable t) {
            // nothing to report to: the test checks the stream's release through the stats
        }
    }

    private static void releaseArray(MemorySegment array) {
        ReleaseRecorder r = null;
        try {
            MemorySegment a = array.reinterpret(CDataLayout.ARRAY_BYTES);
            long id = CDataLayout.word(a, CDataLayout.ARRAY_PRIVATE_DATA);
            r = BY_ARRAY.remove(id);
            if (r == null) {
                return;
            }
            r.releaseThreads.add(Thread.currentThread());
            long original = r.originalRelease.remove(id);
            CDataLayout.setWord(a, CDataLayout.ARRAY_RELEASE, original); // ours again, then call it
            VOID_1.invokeExact(MemorySegment.ofAddress(original), a);
        } catch (Throwable t) {
            if (r != null) {
                r.errors.add(t);
            }
        }
    }

    private static MemorySegment fn(MemorySegment struct, long offset) {
        return MemorySegment.ofAddress(CDataLayout.word(struct, offset));
    }

    @Override
    public void close() {
        BY_STREAM.remove(outer.address());
        arena.close();
    }
}
