package dev.nexus.epoch.internal;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link NativeAllocator#checked()}: one shared arena per allocation, closed on free, so that a read
 * after a premature free throws {@link IllegalStateException}. Refuses a segment it did not allocate
 * (or freed already: it cannot tell which), a slice, a retired segment freed by hand and a second
 * retire. Thread-safe.
 */
public final class CheckedAllocator implements NativeAllocator {

    private static final int LIVE = 0;
    private static final int RETIRED = 1;
    private static final int FREED = 2;

    private final ConcurrentHashMap<Long, Allocation> live = new ConcurrentHashMap<>();

    /** A new allocator with no live allocation. */
    public CheckedAllocator() {
    }

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        Allocations.checkRequest(bytes, alignment);
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(Math.max(bytes, 1), alignment).asSlice(0, bytes);
        live.put(segment.address(), new Allocation(arena, bytes));
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        release(allocation(segment, "free"), segment, LIVE, "free");
    }

    @Override
    public void markRetired(MemorySegment segment) {
        move(allocation(segment, "retire"), segment, LIVE, RETIRED, "retire");
    }

    @Override
    public void unmarkRetired(MemorySegment segment) {
        move(allocation(segment, "give back"), segment, RETIRED, LIVE, "give back");
    }

    @Override
    public void freeRetired(MemorySegment segment) {
        release(allocation(segment, "free the retired"), segment, RETIRED, "free the retired");
    }

    private Allocation allocation(MemorySegment segment, String call) {
        Allocations.checkNative(segment);
        Allocation allocation = live.get(segment.address());
        if (allocation == null) {
            throw new IllegalArgumentException(prefix(segment, call) + "it was not allocated by this checked"
                    + " allocator, or was freed already");
        }
        if (allocation.size != segment.byteSize()) {
            throw new IllegalArgumentException(prefix(segment, call) + "the allocation at that address has "
                    + allocation.size + " bytes: pass the segment as allocated, not a slice");
        }
        return allocation;
    }

    private void release(Allocation allocation, MemorySegment segment, int from, String call) {
        move(allocation, segment, from, FREED, call);
        live.remove(segment.address(), allocation);
        allocation.arena.close();
    }

    private static void move(Allocation allocation, MemorySegment segment, int from, int to, String call) {
        int seen = allocation.state.compareAndExchange(from, to); // volatile: of racing calls one wins
        if (seen != from) {
            throw new IllegalStateException(prefix(segment, call) + switch (seen) {
                case RETIRED -> from == LIVE && to == RETIRED
                        ? "it is already retired and not yet freed; retire a segment once"
                        : "it is retired to an epoch domain, which frees it; a retired segment is never"
                                + " freed by hand";
                case LIVE -> "it is live, not retired";
                default -> "it was already freed";
            });
        }
    }

    private static String prefix(MemorySegment segment, String call) {
        return "NativeAllocator.checked() refuses to " + call + " segment 0x"
                + Long.toHexString(segment.address()) + " (" + segment.byteSize() + " bytes), nothing freed: ";
    }

    /** Allocations not yet freed. */
    public int liveCount() {
        return live.size();
    }

    @Override
    public String toString() {
        return "NativeAllocator.checked(live=" + live.size() + ")";
    }

    /** One allocation: its arena, size and state (LIVE, RETIRED, FREED). */
    private static final class Allocation {

        final Arena arena;
        final long size;
        final AtomicInteger state = new AtomicInteger(LIVE);

        Allocation(Arena arena, long size) {
            this.arena = arena;
            this.size = size;
        }
    }
}
