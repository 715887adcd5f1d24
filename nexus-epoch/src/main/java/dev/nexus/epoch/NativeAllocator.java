package dev.nexus.epoch;

import dev.nexus.epoch.internal.CheckedAllocator;
import dev.nexus.epoch.internal.MallocAllocator;
import dev.nexus.epoch.internal.NativeAccess;
import dev.nexus.epoch.internal.ValidatedMallocAllocator;
import java.lang.foreign.MemorySegment;

/**
 * Allocates and frees native memory. An epoch domain calls {@link #free} (or {@link #freeRetired})
 * for a segment passed to {@link EpochDomain#retire} once no pinned reader can still reach it.
 *
 * <p>Implementations must be thread-safe: {@code free} runs on the domain's reclaimer thread (or on a
 * thread that reclaims inline), not on the thread that allocated. This module provides
 * {@link #malloc()}, {@link #mallocUnchecked()} and {@link #checked()}; other Nexus modules (such as
 * {@code nexus-slab}) and applications may implement more.
 *
 * <p><b>Validation and double-retire detection.</b> An allocator that records its allocations can
 * refuse a bad {@code free} before it reaches the C library, and take part in retiring through
 * {@link #markRetired}, {@link #unmarkRetired} and {@link #freeRetired}, so that an epoch domain
 * refuses a second retire, and the allocator refuses a free by hand of a retired segment. Which
 * allocators do:
 * <ul>
 *   <li>{@link #malloc()}: every misuse listed there is refused, at {@code retire} or {@code free}
 *       time, with nothing freed.</li>
 *   <li>{@link #checked()}: refuses the same, except that it cannot tell a segment it never
 *       allocated from one it freed already (both {@link IllegalArgumentException}).</li>
 *   <li>{@link #mallocUnchecked()} and every allocator that keeps the default methods: nothing is
 *       checked. Retiring such a segment twice frees it twice, with undefined results (a JVM
 *       abort, or memory corruption).</li>
 * </ul>
 * A segment must be freed (or retired) with the allocator that allocated it: a segment of
 * {@code malloc()} freed through {@code mallocUnchecked()} leaves its record behind, and a later
 * allocation at the same address may then be refused.
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
     * Frees a segment this allocator returned and that is not retired.
     *
     * @param segment a segment from {@link #allocate}, exactly as returned, not freed before
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if the allocator can tell that it did not allocate the segment
     *     (a heap or {@code Arena} segment, a slice, another allocator's); nothing is freed
     * @throws IllegalStateException if the allocator can tell that the segment was freed already or
     *     is retired to an epoch domain (which frees it); nothing is freed
     */
    void free(MemorySegment segment);

    /**
     * Called by {@link EpochDomain#retire} before the domain takes the segment: an allocator that
     * records its allocations marks it retired, or refuses it as {@link #free} would (and a segment
     * already retired), so that the mistake fails in the retiring caller and not later on the
     * reclaimer thread. Once marked, only {@link #freeRetired} (by the domain) or
     * {@link #unmarkRetired} may follow; {@link #free} must then refuse it.
     *
     * <p>The default does nothing: the allocator does not detect a double retire.
     *
     * @param segment the segment being retired
     * @throws IllegalArgumentException if the allocator can tell that it did not allocate the segment
     * @throws IllegalStateException if the allocator can tell that the segment is already retired or
     *     freed
     */
    default void markRetired(MemorySegment segment) {
    }

    /**
     * Undoes {@link #markRetired} when the retire failed afterwards (the domain was closed
     * meanwhile): the segment is the caller's again. The default does nothing.
     *
     * @param segment a segment marked retired by this allocator
     * @throws IllegalStateException if the allocator can tell that the segment is not marked retired
     */
    default void unmarkRetired(MemorySegment segment) {
    }

    /**
     * Frees a segment marked by {@link #markRetired}; an epoch domain calls it after the grace
     * period. The default calls {@link #free}.
     *
     * @param segment a segment marked retired by this allocator
     * @throws IllegalStateException if the allocator can tell that the segment is not marked retired
     *     (then nothing is freed)
     */
    default void freeRetired(MemorySegment segment) {
        free(segment);
    }

    /**
     * The C library's {@code malloc}/{@code free} (and {@code posix_memalign} above 16-byte
     * alignment) through FFM downcalls, with every allocation recorded in an off-heap table (address,
     * size, state), so that a bad free never reaches the C library. {@link #free}, and
     * {@link EpochDomain#retire} with this allocator, refuse with an exception and free nothing:
     * a heap segment or one of an {@code Arena}; a segment at an address this allocator did not
     * return (another allocator's, a raw address, a slice inside an allocation); a segment at the
     * right address with another size (a slice or reinterpreted segment); these with
     * {@link IllegalArgumentException}, except that an address where an earlier allocation started
     * and was freed is reported as freed. With {@link IllegalStateException}: a segment already
     * freed; a retired segment freed by hand, a second retire, or a retire after a free. The record costs two compare-and-swaps per
     * allocation and free (see {@code AllocatorBenchmark} in nexus-bench for the measured cost) and
     * 16 bytes of table per live allocation (the table starts at 1 MiB and doubles when crowded).
     *
     * <p>Segments it returns have global scope, so a read after a free is undefined behaviour, as in
     * C: the table checks frees, not reads.
     *
     * @return the shared validated malloc allocator
     * @throws IllegalCallerException if the JVM denies this module native access
     *     ({@code --illegal-native-access=deny}); the message names the flag to add
     */
    static NativeAllocator malloc() {
        NativeAccess.ensure();
        return ValidatedMallocAllocator.INSTANCE;
    }

    /**
     * {@link #malloc()} without the table: plain {@code malloc}/{@code free} downcalls, a little
     * cheaper. What you lose: nothing is checked beyond a heap or {@code NULL} segment. A free of a
     * segment it did not allocate, of a slice, or a second free reaches the C library, which may
     * abort the JVM or corrupt memory; {@link EpochDomain#retire} cannot detect a second retire.
     * Never free through it a segment that {@link #malloc()} allocated, nor the reverse.
     *
     * @return the shared unchecked malloc allocator
     * @throws IllegalCallerException if the JVM denies this module native access; the message names
     *     the flag to add
     */
    static NativeAllocator mallocUnchecked() {
        NativeAccess.ensure();
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
