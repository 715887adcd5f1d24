package dev.nexus.epoch.internal;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;

/**
 * {@link NativeAllocator#mallocUnchecked()}: malloc/posix_memalign/free downcalls with no record of
 * what was allocated, so nothing is validated. Stateless, thread-safe.
 */
public final class MallocAllocator implements NativeAllocator {

    /** The one instance. */
    public static final MallocAllocator INSTANCE = new MallocAllocator();

    private MallocAllocator() {
    }

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        Allocations.checkRequest(bytes, alignment);
        return MemorySegment.ofAddress(Libc.allocate(bytes, alignment)).reinterpret(bytes);
    }

    @Override
    public void free(MemorySegment segment) {
        Allocations.checkNative(segment);
        Libc.free(segment.address());
    }

    @Override
    public String toString() {
        return "NativeAllocator.mallocUnchecked()";
    }
}
