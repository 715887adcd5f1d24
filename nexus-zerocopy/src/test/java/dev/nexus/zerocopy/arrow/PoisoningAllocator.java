package dev.nexus.zerocopy.arrow;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test allocator over {@link NativeAllocator#malloc()} that counts allocations and frees, fails a
 * free of a segment it does not hold, and on free <em>poisons</em> the bytes ({@link #POISON}) and keeps
 * them in quarantine until {@link #close()}: a consumer that reads memory freed too early reads poison
 * (a wrong value the test sees), never unmapped memory.
 */
final class PoisoningAllocator implements NativeAllocator, AutoCloseable {

    /** The byte written over freed memory. */
    static final byte POISON = (byte) 0xA5;

    private final NativeAllocator delegate = NativeAllocator.malloc();
    private final ConcurrentHashMap<Long, MemorySegment> live = new ConcurrentHashMap<>();
    private final List<MemorySegment> quarantine = new ArrayList<>();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong frees = new AtomicLong();

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        MemorySegment segment = delegate.allocate(bytes, alignment);
        live.put(segment.address(), segment);
        allocations.incrementAndGet();
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        MemorySegment held = live.remove(segment.address());
        if (held == null) {
            throw new AssertionError("free of a segment not live (double free?): 0x"
                    + Long.toHexString(segment.address()));
        }
        held.fill(POISON);
        synchronized (quarantine) {
            quarantine.add(held);
        }
        frees.incrementAndGet();
    }

    long allocations() {
        return allocations.get();
    }

    long frees() {
        return frees.get();
    }

    int liveCount() {
        return live.size();
    }

    /** Frees the quarantined memory for real. */
    @Override
    public void close() {
        synchronized (quarantine) {
            quarantine.forEach(delegate::free);
            quarantine.clear();
        }
    }
}
