package dev.nexus.numa;

import dev.nexus.numa.internal.NumaBinding;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Maps, binds and (optionally) advises and touches anonymous memory, in that order: the pages are
 * not touched before {@code mbind} has set the policy, so the first touch places them by it.
 * Stateless apart from its options; thread-safe.
 */
final class NodeMapper {

    /** The transparent huge page size assumed for alignment and rounding: 2 MiB (x86-64, arm64 4K). */
    static final long HUGE_PAGE = 2L << 20;

    /** Larger requests are refused before any arithmetic could overflow: 2^56 bytes, beyond any mmap. */
    static final long MAX_MAPPING = 1L << 56;

    private final NumaRuntime runtime;
    private final boolean prefault;
    private final boolean hugePages;

    NodeMapper(NumaRuntime runtime, boolean prefault, boolean hugePages) {
        this.runtime = runtime;
        this.prefault = prefault;
        this.hugePages = hugePages;
    }

    boolean prefault() {
        return prefault;
    }

    boolean hugePages() {
        return hugePages;
    }

    /**
     * Maps at least {@code bytes} aligned to {@code alignment}, binds the whole mapping by
     * {@code policy}, advises huge pages if asked and the mapping holds one, and touches every page
     * if asked to prefault.
     *
     * @throws OutOfMemoryError if {@code mmap} or {@code mbind} reports {@code ENOMEM}
     * @throws NumaException if {@code mbind} fails otherwise (the mapping is undone first)
     */
    Mapping map(long bytes, long alignment, MemoryPolicy policy) {
        if (bytes > MAX_MAPPING || alignment > MAX_MAPPING) {
            throw new OutOfMemoryError("cannot map " + bytes + " bytes aligned to " + alignment
                    + ": larger than any address space (limit " + MAX_MAPPING + ")");
        }
        NumaBinding binding = runtime.binding();
        long page = binding.pageSize();
        boolean huge = hugePages && bytes >= HUGE_PAGE;
        long unit = huge ? HUGE_PAGE : page;
        long align = Math.max(alignment, unit);
        long length = roundUp(Math.max(bytes, 1), unit);
        long mapped = mappedLength(bytes, alignment);
        long base = binding.mmap(mapped);
        if (base < 0) {
            int errno = (int) -base;
            String message = NumaException.message("mmap(NULL, " + mapped + ", PROT_READ|PROT_WRITE, MAP_PRIVATE"
                    + "|MAP_ANONYMOUS|MAP_NORESERVE)", errno, binding.strerror(errno));
            if (errno == NumaBinding.ENOMEM) {
                throw new OutOfMemoryError(message);
            }
            throw new NumaException("mmap(NULL, " + mapped + ")", errno, binding.strerror(errno));
        }
        long address = roundUp(base, align);
        if (policy.placed()) {
            long[] mask = runtime.nodemask(policy.nodes());
            long maxnode = NumaRuntime.maxnode(mask);
            int errno = binding.mbind(base, mapped, policy.mode(), mask, maxnode);
            if (errno != 0) {
                unmap(base, mapped);
                String call = "mbind(0x" + Long.toHexString(base) + ", " + mapped + ", " + policy + ", maxnode "
                        + maxnode + ")";
                if (errno == NumaBinding.ENOMEM) {
                    throw new OutOfMemoryError(NumaException.message(call, errno, binding.strerror(errno)));
                }
                throw new NumaException(call, errno, binding.strerror(errno));
            }
        }
        if (huge) {
            // a refusal (EINVAL without THP support) leaves base pages: nothing to undo or report
            binding.madvise(address, length, NumaBinding.MADV_HUGEPAGE);
        }
        if (prefault) {
            touch(address, length, policy);
        }
        return new Mapping(base, mapped, address, bytes, align, policy.singleNode());
    }

    /** The alignment of the address {@link #map} hands out for a request. */
    long mappedAlignment(long bytes, long alignment) {
        long unit = hugePages && bytes >= HUGE_PAGE ? HUGE_PAGE : runtime.binding().pageSize();
        return Math.max(alignment, unit);
    }

    /** The length {@link #map} maps for a request: whole pages (huge pages), plus slack for alignment. */
    long mappedLength(long bytes, long alignment) {
        long page = runtime.binding().pageSize();
        long unit = hugePages && bytes >= HUGE_PAGE ? HUGE_PAGE : page;
        long align = Math.max(alignment, unit);
        long length = roundUp(Math.max(bytes, 1), unit);
        return align > page ? Math.addExact(length, align - page) : length;
    }

    /** {@code munmap} of a whole mapping. */
    void unmap(Mapping mapping) {
        unmap(mapping.base(), mapping.length());
    }

    private void unmap(long base, long length) {
        int errno = runtime.binding().munmap(base, length);
        if (errno != 0) {
            throw new NumaException("munmap(0x" + Long.toHexString(base) + ", " + length + ")", errno,
                    runtime.binding().strerror(errno));
        }
    }

    /**
     * Writes one byte per page. When the policy places pages whoever touches them (bind, interleave)
     * or the caller already runs on the target node, the caller touches; otherwise (preferred, or
     * the unbound fallback) a platform thread bound to the target node does, so that first touch
     * puts the pages there.
     */
    private void touch(long address, long length, MemoryPolicy policy) {
        int target = policy.singleNode();
        NumaTopology topology = runtime.topology();
        if (policy.placesRegardlessOfToucher() || target < 0 || topology.allowedNodes().size() < 2
                || topology.currentNode() == target) {
            touchPages(address, length, runtime.binding().pageSize());
            return;
        }
        Throwable[] failure = new Throwable[1];
        Thread toucher = Thread.ofPlatform().name("numa-prefault-node" + target).start(() -> {
            try {
                NumaThreads.bindCurrentThread(runtime, target);
                touchPages(address, length, runtime.binding().pageSize());
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                toucher.join(); // the memory may not be handed out while another thread writes it
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            // binding the toucher failed: touch here, the pages are then placed wherever we run
            touchPages(address, length, runtime.binding().pageSize());
        }
    }

    static void touchPages(long address, long length, long page) {
        MemorySegment memory = MemorySegment.ofAddress(address).reinterpret(length);
        for (long offset = 0; offset < length; offset += page) {
            memory.set(ValueLayout.JAVA_BYTE, offset, (byte) 0);
        }
    }

    static long roundUp(long value, long unit) {
        return Math.addExact(value, unit - 1) & -unit;
    }
}
