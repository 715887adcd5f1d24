package dev.nexus.epoch;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A malloc allocator that counts: allocations, frees, and frees of an address it did not hand out
 * or already freed (each would be a double free). Thread-safe.
 */
final class CountingAllocator implements NativeAllocator {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    private final Set<Long> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong freed = new AtomicLong();
    private final AtomicLong badFrees = new AtomicLong();

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        MemorySegment segment = MALLOC.allocate(bytes, alignment);
        live.add(segment.address());
        allocated.incrementAndGet();
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        if (!live.remove(segment.address())) {
            badFrees.incrementAndGet(); // not ours, or freed already: never reaches free()
            return;
        }
        freed.incrementAndGet();
        MALLOC.free(segment);
    }

    long allocated() {
        return allocated.get();
    }

    long freed() {
        return freed.get();
    }

    long badFrees() {
        return badFrees.get();
    }

    /** Segments allocated and not yet freed. */
    int live() {
        return live.size();
    }
}
