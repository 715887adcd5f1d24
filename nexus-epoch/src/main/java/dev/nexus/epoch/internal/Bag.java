package dev.nexus.epoch.internal;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;

/**
 * A batch of retired segments and deferred actions, weighted by bytes, tagged with the largest epoch
 * read by any of its retirements. Not thread-safe: filled under its stripe's lock, then handed to
 * the reclaimer through a queue, which publishes it.
 */
final class Bag {

    /** Items per bag before it is sealed. */
    static final int CAPACITY = 64;

    private final Object[] items = new Object[CAPACITY];
    private final NativeAllocator[] allocators = new NativeAllocator[CAPACITY];
    private final long[] weights = new long[CAPACITY];
    private int size;
    private long bytes;
    private long tag;
    /** When the first item was added ({@link System#nanoTime()}): the oldest item's retire time. */
    private long firstAdded;
    private final boolean marker;

    Bag() {
        this(false);
    }

    private Bag(boolean marker) {
        this.marker = marker;
    }

    /** A bag holding one action that must run after every ordinary bag freed in the same pass. */
    static Bag marker(Runnable action, long tag) {
        Bag bag = new Bag(true);
        bag.add(action, null, 0, tag);
        return bag;
    }

    /** Adds an item; returns whether the bag is full. {@code allocator} is null for an action. */
    boolean add(Object item, NativeAllocator allocator, long weight, long epochTag) {
        items[size] = item;
        allocators[size] = allocator;
        weights[size] = weight;
        size++;
        bytes += weight;
        tag = size == 1 ? epochTag : Math.max(tag, epochTag);
        if (size == 1) {
            firstAdded = System.nanoTime(); // once per bag: the lag gauge's start
        }
        return size == CAPACITY;
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    /** Raises the tag to {@code epochTag} if it is larger (the membarrier read side's seal tag). */
    void raiseTag(long epochTag) {
        tag = Math.max(tag, epochTag);
    }

    long tag() {
        return tag;
    }

    long firstAdded() {
        return firstAdded;
    }

    boolean isMarker() {
        return marker;
    }

    /** Frees every item, in order; a failing item is reported to {@code sink} and the rest still run. */
    void reclaim(ReclaimSink sink) {
        for (int i = 0; i < size; i++) {
            Object item = items[i];
            NativeAllocator allocator = allocators[i];
            items[i] = null;
            allocators[i] = null;
            try {
                if (allocator != null) {
                    sink.free((MemorySegment) item, allocator);
                } else {
                    ((Runnable) item).run();
                }
                if (!marker) {
                    sink.reclaimed(weights[i]);
                }
            } catch (RuntimeException | Error failure) {
                sink.failed(item, failure);
            }
        }
    }

    /** Callbacks of {@link #reclaim}. */
    interface ReclaimSink {

        /** Frees a retired segment with its allocator. */
        void free(MemorySegment segment, NativeAllocator allocator);

        /** An item of {@code weight} bytes was freed or run. */
        void reclaimed(long weight);

        /** Freeing or running {@code item} threw. */
        void failed(Object item, Throwable failure);
    }
}
