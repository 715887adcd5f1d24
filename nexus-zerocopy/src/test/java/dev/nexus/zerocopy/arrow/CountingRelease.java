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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test producer wrapper: replaces a struct's {@code release} with one that counts every call (by
 * the struct's {@code private_data}, which survives moves) and forwards the first to the original. A
 * consumer that releases a struct twice shows as a count of 2.
 */
final class CountingRelease {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CALL = LINKER.downcallHandle(FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final Map<Long, Entry> ENTRIES = new ConcurrentHashMap<>();
    private static final MemorySegment ARRAY;
    private static final MemorySegment SCHEMA;

    private record Entry(AtomicInteger count, long original, long releaseOffset) {
    }

    static {
        try {
            MethodType type = MethodType.methodType(void.class, MemorySegment.class);
            FunctionDescriptor release = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS);
            ARRAY = LINKER.upcallStub(MethodHandles.lookup().findStatic(CountingRelease.class, "releaseArray", type),
                    release, Arena.global());
            SCHEMA = LINKER.upcallStub(MethodHandles.lookup().findStatic(CountingRelease.class, "releaseSchema", type),
                    release, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private CountingRelease() {
    }

    /** Wraps an exported {@code ArrowArray}'s release; returns the count of calls. */
    static AtomicInteger array(MemorySegment array) {
        return wrap(array.reinterpret(CDataLayout.ARRAY_BYTES), CDataLayout.ARRAY_RELEASE,
                CDataLayout.ARRAY_PRIVATE_DATA, ARRAY);
    }

    /** Wraps an exported {@code ArrowSchema}'s release; returns the count of calls. */
    static AtomicInteger schema(MemorySegment schema) {
        return wrap(schema.reinterpret(CDataLayout.SCHEMA_BYTES), CDataLayout.SCHEMA_RELEASE,
                CDataLayout.SCHEMA_PRIVATE_DATA, SCHEMA);
    }

    private static AtomicInteger wrap(MemorySegment struct, long releaseOffset, long privateData, MemorySegment fn) {
        Entry entry = new Entry(new AtomicInteger(), CDataLayout.word(struct, releaseOffset), releaseOffset);
        ENTRIES.put(CDataLayout.word(struct, privateData), entry);
        CDataLayout.setWord(struct, releaseOffset, fn.address());
        return entry.count();
    }

    private static void releaseArray(MemorySegment array) {
        release(array.reinterpret(CDataLayout.ARRAY_BYTES), CDataLayout.ARRAY_PRIVATE_DATA);
    }

    private static void releaseSchema(MemorySegment schema) {
        release(schema.reinterpret(CDataLayout.SCHEMA_BYTES), CDataLayout.SCHEMA_PRIVATE_DATA);
    }

    private static void release(MemorySegment struct, long privateData) {
        try {
            Entry entry = ENTRIES.get(CDataLayout.word(struct, privateData));
            if (entry != null && entry.count().incrementAndGet() == 1) {
                CDataLayout.setWord(struct, entry.releaseOffset(), entry.original());
                CALL.invokeExact(MemorySegment.ofAddress(entry.original()), struct);
            }
        } catch (Throwable t) {
            // an escaping exception would kill the JVM; the count shows what happened
        }
    }
}
