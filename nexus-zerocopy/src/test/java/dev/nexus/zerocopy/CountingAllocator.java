package dev.nexus.zerocopy;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test allocator over {@link NativeAllocator#checked()} (a read after free throws) that counts what
 * is live and fails a free of something it does not hold (double free).
 */
final class CountingAllocator implements NativeAllocator {

    private final NativeAllocator delegate = NativeAllocator.checked();
    private final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong frees = new AtomicLong();

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        MemorySegment segment = delegate.allocate(bytes, alignment);
        live.put(segment.address(), bytes);
        allocations.incrementAndGet();
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        if (live.remove(segment.address()) == null) {
            throw new AssertionError("free of a segment not live: 0x" + Long.toHexString(segment.address()));
        }
        frees.incrementAndGet();
        delegate.free(segment);
    }

    int liveCount() {
        return live.size();
    }

    long allocations() {
        return allocations.get();
    }

    long frees() {
        return frees.get();
    }
}
