package dev.nexus.epoch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A malloc-backed allocator for torture tests: on free it overwrites the segment with
 * {@link #POISON} and keeps it in a bounded quarantine before really freeing it, so that a reader
 * that reaches a freed segment reads poison (and does not crash). It counts frees and bytes, and
 * fails on a second free of the same segment.
 */
final class PoisoningAllocator implements NativeAllocator {

    /** The word every freed segment is filled with. */
    static final long POISON = 0xDEAD_BEEF_DEAD_BEEFL;

    private static final int QUARANTINE = 1 << 18;

    private final Set<Long> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong freed = new AtomicLong();
    private final AtomicLong freedBytes = new AtomicLong();
    private final AtomicLong doubleFrees = new AtomicLong();
    private final ArrayDeque<MemorySegment> quarantine = new ArrayDeque<>();

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        MemorySegment segment = NativeAllocator.malloc().allocate(bytes, alignment);
        live.add(segment.address());
        allocated.incrementAndGet();
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        if (!live.remove(segment.address())) {
            doubleFrees.incrementAndGet();
            throw new IllegalArgumentException("double free of 0x" + Long.toHexString(segment.address()));
        }
        for (long off = 0; off + 8 <= segment.byteSize(); off += 8) {
            segment.set(ValueLayout.JAVA_LONG, off, POISON);
        }
        freed.incrementAndGet();
        freedBytes.addAndGet(segment.byteSize());
        MemorySegment evicted = null;
        synchronized (quarantine) { // test code: frees come from the reclaimer, one at a time
            quarantine.addLast(segment);
            if (quarantine.size() > QUARANTINE) {
                evicted = quarantine.pollFirst();
            }
        }
        if (evicted != null) {
            NativeAllocator.malloc().free(evicted);
        }
    }

    /** Frees a segment that was never retired (not counted as a reclaimer free). */
    void discard(MemorySegment segment) {
        live.remove(segment.address());
        NativeAllocator.malloc().free(segment);
    }

    /** Really frees what is in quarantine. */
    void drain() {
        synchronized (quarantine) {
            for (MemorySegment segment; (segment = quarantine.pollFirst()) != null; ) {
                NativeAllocator.malloc().free(segment);
            }
        }
    }

    long allocated() {
        return allocated.get();
    }

    long freed() {
        return freed.get();
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
