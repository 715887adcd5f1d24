package dev.nexus.epoch.internal;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link NativeAllocator#checked()}: one shared arena per allocation, closed on free, so that a read
 * after a premature free throws {@link IllegalStateException}. Thread-safe.
 */
public final class CheckedAllocator implements NativeAllocator {

    private final ConcurrentHashMap<Long, Arena> live = new ConcurrentHashMap<>();

    /** A new allocator with no live allocation. */
    public CheckedAllocator() {
    }

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        Allocations.checkRequest(bytes, alignment);
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(Math.max(bytes, 1), alignment).asSlice(0, bytes);
        live.put(segment.address(), arena);
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        Allocations.checkNative(segment);
        Arena arena = live.remove(segment.address());
        if (arena == null) {
            throw new IllegalArgumentException("segment was not allocated by this checked allocator, or"
                    + " was freed already: address=0x" + Long.toHexString(segment.address()));
        }
        arena.close();
    }

    /** Allocations not yet freed. */
    public int liveCount() {
        return live.size();
    }

    @Override
    public String toString() {
        return "NativeAllocator.checked(live=" + live.size() + ")";
    }
}
