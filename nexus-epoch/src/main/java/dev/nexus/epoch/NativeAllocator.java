package dev.nexus.epoch;

import dev.nexus.epoch.internal.CheckedAllocator;
import dev.nexus.epoch.internal.MallocAllocator;
import java.lang.foreign.MemorySegment;

/**
 * Allocates and frees native memory. An epoch domain calls {@link #free} for a segment passed to
 * {@link EpochDomain#retire} once no pinned reader can still reach it.
 *
 * <p>Implementations must be thread-safe: {@code free} runs on the domain's reclaimer thread (or on a
 * thread that reclaims inline), not on the thread that allocated. {@code nexus-slab} and
 * {@code nexus-numa} provide more implementations.
 *
 * <p>Memory effects: actions of a thread before it retires a segment happen-before the call to
 * {@code free} for that segment; see the {@linkplain dev.nexus.epoch package documentation}.
 */
public interface NativeAllocator {

    /**
     * Allocates {@code bytes} of native memory aligned to {@code alignment}. The contents are
     * unspecified unless the implementation says otherwise.
     *
     * @param bytes size in bytes, {@code >= 0}
     * @param alignment a power of two
     * @return a native segment of exactly {@code bytes} bytes
     * @throws IllegalArgumentException if {@code bytes < 0} or {@code alignment} is not a power of two
     * @throws OutOfMemoryError if the memory cannot be had
     */
    MemorySegment allocate(long bytes, long alignment);

    /**
     * Allocates {@code bytes} aligned to 8.
     *
     * @param bytes size in bytes, {@code >= 0}
     * @return a native segment of exactly {@code bytes} bytes
     */
    default MemorySegment allocate(long bytes) {
        return allocate(bytes, Long.BYTES);
    }

    /**
     * Frees a segment this allocator returned.
     *
     * @param segment a segment from {@link #allocate}, not freed before
     * @throws IllegalArgumentException if the allocator can tell that it did not allocate it or freed
     *     it already
     */
    void free(MemorySegment segment);

    /**
     * The C library's {@code malloc}/{@code free} (and {@code posix_memalign} above 16-byte
     * alignment) through FFM downcalls: the fast path. Segments it returns have global scope, so a
     * read after a premature free is undefined behaviour, as in C.
     *
     * @return the shared malloc allocator
     */
    static NativeAllocator malloc() {
        return MallocAllocator.INSTANCE;
    }

    /**
     * An allocator that gives each allocation its own shared {@link java.lang.foreign.Arena} and
     * closes it on free, so a read through a segment freed too early throws
     * {@link IllegalStateException} instead of reading freed memory. Slow (each free is an arena
     * close, tens of microseconds): for tests, canaries and debugging.
     *
     * @return a new checked allocator
     */
    static NativeAllocator checked() {
        return new CheckedAllocator();
    }
}
