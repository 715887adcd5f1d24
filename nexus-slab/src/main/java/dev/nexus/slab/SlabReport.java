package dev.nexus.slab;

/**
 * A snapshot of a slab's counters and of what the operating system granted it. Counters are read
 * separately and racily while other threads work, so the snapshot is not atomic; it is exact when
 * the slab is quiescent.
 *
 * @param name the slab's name
 * @param fixed whether the slab is the fixed variant (all slabs allocated up front, never grows)
 * @param capacity the most slots the slab can hold
 * @param size live (committed) records
 * @param pendingSlots removed slots waiting for their grace period before they can be reused
 * @param retiredSlots slots retired for good because their generation ran out
 * @param slotSize bytes per slot
 * @param alignment alignment of every slot
 * @param slotsPerSlab slots per slab (the last slab may hold fewer)
 * @param slabs slabs allocated so far
 * @param allocatedBytes native bytes allocated for slabs (headers, slots and rounding)
 * @param hugePages what was asked and granted for transparent huge pages
 * @param mlock what was asked and granted for {@code mlock}
 */
public record SlabReport(String name, boolean fixed, long capacity, long size, long pendingSlots,
        long retiredSlots, long slotSize, long alignment, int slotsPerSlab, int slabs, long allocatedBytes,
        HugePages hugePages, Mlock mlock) {

    /**
     * Transparent huge pages for the slabs.
     *
     * @param requested whether {@link SlabBuilder#hugePages(boolean)} was set
     * @param mode the kernel's THP mode ({@code always}, {@code madvise}, {@code never}, or
     *     {@code unavailable})
     * @param pageSize the huge page size in bytes (0 if not requested)
     * @param advisedSlabs slabs for which {@code madvise(MADV_HUGEPAGE)} returned 0
     * @param failedSlabs slabs not advised: the call failed, or the slab is smaller than a huge page
     * @param grantedBytes {@code AnonHugePages} of the mappings holding the slabs, from
     *     {@code /proc/self/smaps}: what the kernel actually backs with huge pages (an upper bound for
     *     the slabs, as a mapping can hold neighbours); -1 if unreadable
     * @param detail a sentence for humans: counts, mode, granted bytes and the last refusal
     */
    public record HugePages(boolean requested, String mode, long pageSize, int advisedSlabs, int failedSlabs,
            long grantedBytes, String detail) {
    }

    /**
     * Locking the slabs in RAM.
     *
     * @param requested whether {@link SlabBuilder#mlock(boolean)} was set
     * @param lockedBytes bytes locked
     * @param lockedSlabs slabs locked
     * @param failedSlabs slabs whose {@code mlock} failed (they are used unlocked)
     * @param detail a sentence for humans; on failure it names the call, its arguments, errno and
     *     {@code RLIMIT_MEMLOCK}
     */
    public record Mlock(boolean requested, long lockedBytes, int lockedSlabs, int failedSlabs, String detail) {
    }
}
