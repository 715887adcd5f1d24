package dev.nexus.zerocopy;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test allocator over {@link NativeAllocator#malloc()} that counts every allocation and free, and
 * fills a segment with {@link #POISON} before freeing it, so that a reader of freed memory (before
 * malloc reuses it) reads the poison. A free of a segment it does not know (a double free) is counted
 * and not passed on.
 */
final class PoisoningAllocator implements NativeAllocator {

    /** The byte pattern written over freed memory; as a long: 0xDEDEDEDEDEDEDEDE. */
    static final byte POISON_BYTE = (byte) 0xDE;

    /** {@link #POISON_BYTE} eight times, as read by a long read. */
    static final long POISON = 0xDEDEDEDEDEDEDEDEL;

    private final NativeAllocator malloc = NativeAllocator.malloc();
    private final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong allocatedBytes = new AtomicLong();
    private final AtomicLong frees = new AtomicLong();
    private final AtomicLong freedBytes = new AtomicLong();
    private final AtomicLong doubleFrees = new AtomicLong();

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        MemorySegment segment = malloc.allocate(bytes, alignment);
        live.put(segment.address(), bytes);
        allocations.incrementAndGet();
        allocatedBytes.addAndGet(bytes);
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        Long bytes = live.remove(segment.address());
        if (bytes == null || bytes != segment.byteSize()) {
            doubleFrees.incrementAndGet();
            return;
        }
        segment.fill(POISON_BYTE);
        frees.incrementAndGet();
        freedBytes.addAndGet(bytes);
        malloc.free(segment);
    }

    long allocations() {
        return allocations.get();
    }

    long allocatedBytes() {
        return allocatedBytes.get();
    }

    long frees() {
        return frees.get();
    }

    long freedBytes() {
        return freedBytes.get();
    }

    long doubleFrees() {
        return doubleFrees.get();
    }

    int live() {
        return live.size();
    }
}
