package dev.nexus.epoch.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide off-heap region that holds the protocol words of every epoch domain, and the only
 * class that reads or writes them.
 *
 * <p>Why one region: the JIT folds the bounds, alignment and liveness checks of a memory segment
 * access only when the segment is a constant, that is a {@code static final} field. A domain keeps
 * just offsets into {@link #MEMORY}; the hot paths then cost what an on-heap volatile field costs
 * (DESIGN.md section 7 has the measurements that led here).
 *
 * <p>The region is reserved with {@code mmap(MAP_NORESERVE)}: virtual address space only, committed
 * by the kernel page by page on first touch and therefore already zero. Domains carve blocks with a
 * bump pointer that moves (by CAS) only for a block that fits. A block is never handed out again,
 * even after its domain is closed: a racing or erroneous access through a stale offset then touches
 * memory nobody else uses, never another domain's words. Closing a domain returns its pages with {@code madvise(MADV_DONTNEED)}.
 * Where {@code mmap} is missing, a smaller region comes from {@link Arena#global()}.
 */
public final class SharedRegion {

    /** The region. Every protocol word of every domain lives here. */
    public static final MemorySegment MEMORY;

    /** Size of a block's unit of carving: pages, so that {@code madvise} covers whole pages. */
    public static final long PAGE = 4096;

    private static final long[] RESERVE_TRIES = {1L << 40, 1L << 36, 1L << 32, 1L << 30};
    private static final long FALLBACK_BYTES = 256L << 20;

    private static final boolean MAPPED;
    private static final AtomicLong NEXT = new AtomicLong();

    static {
        long base = 0;
        long size = 0;
        if (Libc.hasMmap()) {
            for (long attempt : RESERVE_TRIES) {
                base = Libc.mmapReserve(attempt);
                if (base != 0) {
                    size = attempt;
                    break;
                }
            }
        }
        if (base != 0) {
            MEMORY = MemorySegment.ofAddress(base).reinterpret(size);
            MAPPED = true;
        } else {
            MEMORY = Arena.global().allocate(FALLBACK_BYTES, PAGE);
            MAPPED = false;
        }
    }

    private SharedRegion() {
    }

    /**
     * Carves a zeroed, page-aligned block of at least {@code bytes}; returns its offset in
     * {@link #MEMORY}. A request that does not fit moves nothing: later, smaller requests still get
     * what is left.
     *
     * @throws IllegalArgumentException if {@code bytes < 0}
     * @throws IllegalStateException when the rest of the region's address space is smaller than the
     *     request (the message says how much fits)
     */
    public static long carve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("block size must be >= 0: bytes=" + bytes);
        }
        while (true) {
            long offset = NEXT.get(); // volatile; pairs with the CAS below (other carvers)
            long rest = MEMORY.byteSize() - offset;
            if (bytes > rest) { // checked before rounding: bytes near Long.MAX_VALUE cannot overflow
                throw exhausted(bytes, rest);
            }
            long size = (bytes + PAGE - 1) & -PAGE; // rest is page-aligned, so size <= rest
            // volatile CAS: the cursor moves only for a request that fits (checked above), so a
            // failed request leaves the space to later ones; a lost race retries with the new cursor
            if (NEXT.compareAndSet(offset, offset + size)) {
                return offset;
            }
        }
    }

    private static IllegalStateException exhausted(long bytes, long rest) {
        return new IllegalStateException("nexus shared region exhausted: requested " + bytes
                + " bytes, but only " + rest + " bytes fit (of " + MEMORY.byteSize()
                + " bytes reserved; blocks of closed domains are not reused): ask for fewer slots"
                + " (EpochDomain.builder().maxGuards(...)/maxParticipants(...))");
    }

    /** Gives a closed domain's pages back to the kernel; the block itself is never reused. */
    public static void release(long offset, long bytes) {
        long size = (bytes + PAGE - 1) & -PAGE;
        if (MAPPED) {
            Libc.dontNeed(MEMORY.address() + offset, size);
        }
    }

    /** Bytes of address space reserved for the region. */
    public static long reservedBytes() {
        return MEMORY.byteSize();
    }

    /**
     * Whether the processor orders every store before later loads around a locked read-modify-write
     * (x86-64: a {@code lock cmpxchg} is a full barrier). Elsewhere (AArch64: the CAS's store half is
     * a store-release that a later plain load may pass) {@link #fenceAfterPin()} issues a fence.
     */
    private static final boolean CAS_IS_FULL_FENCE;

    static {
        String arch = System.getProperty("os.arch", "");
        CAS_IS_FULL_FENCE = arch.equals("amd64") || arch.equals("x86_64");
    }

    /**
     * The store->load point of a pin, after the pin CAS: the reader's later plain loads of shared
     * links must not be performed before its slot publication is visible (pairs with the writer's
     * {@code fullFence} between unlink and tag read; crossbeam's SeqCst fence in {@code pin}). On
     * x86-64 the CAS already is that fence and this folds to nothing (a {@code static final} branch).
     */
    public static void fenceAfterPin() {
        if (!CAS_IS_FULL_FENCE) {
            VarHandle.fullFence();
        }
    }

    // ---- long words --------------------------------------------------------------------------

    /** Plain read; for owner-only words and racy diagnostics. */
    public static long getLongPlain(long offset) {
        return MEMORY.get(ValueLayout.JAVA_LONG, offset);
    }

    /** Plain write; for owner-only words. */
    public static void setLongPlain(long offset, long value) {
        MEMORY.set(ValueLayout.JAVA_LONG, offset, value);
    }

    /** Opaque read: a racy read that is coherent and not hoisted out of loops. */
    public static long getLongOpaque(long offset) {
        return (long) LONG.getOpaque(MEMORY, offset);
    }

    /** Acquire read: later accesses stay after it; pairs with a release write or a CAS. */
    public static long getLongAcquire(long offset) {
        return (long) LONG.getAcquire(MEMORY, offset);
    }

    /** Volatile read: sequentially consistent with every other volatile access. */
    public static long getLongVolatile(long offset) {
        return (long) LONG.getVolatile(MEMORY, offset);
    }

    /** Volatile write. */
    public static void setLongVolatile(long offset, long value) {
        LONG.setVolatile(MEMORY, offset, value);
    }

    /**
     * Opaque write: coherent, never elided, and (in HotSpot) bracketed by compiler barriers, so
     * later loads stay after it in program order; no hardware fence. The membarrier read side's pin
     * store (docs/memory-model.md, "Why the JIT keeps the reader's loads after an opaque store").
     */
    public static void setLongOpaque(long offset, long value) {
        LONG.setOpaque(MEMORY, offset, value);
    }

    /** Release write: everything before it happens-before a volatile/acquire read that sees it. */
    public static void setLongRelease(long offset, long value) {
        LONG.setRelease(MEMORY, offset, value);
    }

    /** Strong CAS with volatile semantics for both the read and the write. */
    public static boolean casLong(long offset, long expected, long value) {
        return LONG.compareAndSet(MEMORY, offset, expected, value);
    }

    // ---- int words ---------------------------------------------------------------------------

    /** Volatile read of an int word. */
    public static int getIntVolatile(long offset) {
        return (int) INT.getVolatile(MEMORY, offset);
    }

    /** Volatile get-and-add of an int word; returns the previous value. */
    public static int getAndAddIntVolatile(long offset, int delta) {
        return (int) INT.getAndAdd(MEMORY, offset, delta);
    }

    // VarHandle mechanics
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
}
