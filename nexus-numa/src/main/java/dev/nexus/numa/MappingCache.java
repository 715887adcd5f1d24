package dev.nexus.numa;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Freed large mappings kept for reuse ({@link NumaAllocator#withMappingCache(long)}): a mapping stays
 * bound by its policy and keeps its pages, so a later allocation of the same mapped length,
 * alignment and node gets it without {@code mmap}, {@code mbind} or page faults. Bounded by bytes;
 * a mapping that does not fit is not kept (the caller unmaps it). Thread-safe: every method holds the
 * cache's lock; a mapping is either in the cache or handed out, never both.
 */
final class MappingCache {

    /** What a request must match. */
    record Key(long length, long alignment, int node) {
    }

    private final long capacity;
    private final Map<Key, ArrayDeque<Mapping>> free = new HashMap<>();
    private long cachedBytes; // guarded by this

    MappingCache(long capacity) {
        this.capacity = capacity;
    }

    /** A cached mapping for {@code key}, removed from the cache, or null. */
    synchronized Mapping take(Key key) {
        ArrayDeque<Mapping> mappings = free.get(key);
        Mapping mapping = mappings == null ? null : mappings.pollFirst();
        if (mapping != null) {
            cachedBytes -= mapping.length();
        }
        return mapping;
    }

    /** Keeps {@code mapping} if it fits; false if the caller must unmap it. */
    synchronized boolean offer(Mapping mapping) {
        if (cachedBytes + mapping.length() > capacity) {
            return false;
        }
        free.computeIfAbsent(key(mapping), k -> new ArrayDeque<>()).addFirst(mapping);
        cachedBytes += mapping.length();
        return true;
    }

    long capacity() {
        return capacity;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    static Key key(Mapping mapping) {
        return new Key(mapping.length(), mapping.alignment(), mapping.node());
    }
}
