package dev.nexus.epoch.internal;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Argument checks shared by the allocators; messages name the rule and the value. */
public final class Allocations {

    private Allocations() {
    }

    /**
     * Checks an allocation request.
     *
     * @throws IllegalArgumentException if {@code bytes < 0} or {@code alignment} is not a power of two
     */
    public static void checkRequest(long bytes, long alignment) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0: bytes=" + bytes);
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: alignment=" + alignment);
        }
    }

    /**
     * Checks that a segment is a native, non-NULL segment.
     *
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if it is a heap segment or the NULL address
     */
    public static void checkNative(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment must be native, not a heap segment: " + segment);
        }
        if (segment.address() == 0) {
            throw new IllegalArgumentException("segment must not be MemorySegment.NULL: " + segment);
        }
    }
}
