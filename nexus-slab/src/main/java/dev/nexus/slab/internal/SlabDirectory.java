package dev.nexus.slab.internal;

import dev.nexus.epoch.NativeAllocator;
import dev.nexus.slab.SlabReport;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The slabs of one slab instance: a fixed-size directory of slab segments, each slab its own
 * allocation from the instance's {@link NativeAllocator}, allocated on first need and published
 * with release semantics. Nothing is ever copied or moved: growth fills the next directory entry.
 * Also applies and records huge-page advice and {@code mlock}.
 *
 * <p>Progress: {@link #slabAcquire} is wait-free. {@link #ensure} is wait-free once the slab
 * exists; the first callers that need a new slab block on this object's monitor while one of them
 * allocates it (allocation is a system call, not a spin).
 */
public final class SlabDirectory {

    /*
     * Implementation notes. The directory array is sized once, to ceil(capacity / slotsPerSlab)
     * entries (at most 2^20 references), so it never grows: a slab reference, once published, stays
     * at its index until releaseAll(). Entry i is written once under the monitor with a release
     * store after the slab's header words were zeroed; readers load it with acquire, so a reader
     * that sees the slab sees zeroed (VACANT(0)) headers. The report counters are guarded by the
     * monitor.
     */

    private final String owner;
    private final SlabLayout layout;
    private final long capacity;
    private final NativeAllocator allocator;
    /** Entry i: slab i, or null until allocated. Written once under the monitor (release). */
    private final MemorySegment[] slabs;
    private final boolean[] locked;
    private final boolean hugePages;
    private final boolean mlock;
    private final long hugePageSize;
    private final long pageSize;

    // guarded by this
    private int allocatedSlabs;
    private long allocatedBytes;
    private int advisedSlabs;
    private int adviceFailures;
    private String adviceFailure;
    private int lockedSlabs;
    private long lockedBytes;
    private int lockFailures;
    private String lockFailure;
    private boolean released;

    /**
     * A directory with no slab allocated.
     *
     * @param owner the owning slab's name, for messages
     * @param layout the slab layout
     * @param capacity slots in all slabs together
     * @param allocator where slab memory comes from
     * @param hugePages whether to advise huge pages before first touch
     * @param mlock whether to lock slabs in RAM
     */
    public SlabDirectory(String owner, SlabLayout layout, long capacity, NativeAllocator allocator,
            boolean hugePages, boolean mlock) {
        this.owner = owner;
        this.layout = layout;
        this.capacity = capacity;
        this.allocator = allocator;
        int count = (int) ((capacity + layout.slotsPerSlab() - 1) / layout.slotsPerSlab());
        this.slabs = new MemorySegment[count];
        this.locked = new boolean[count];
        this.hugePages = hugePages;
        this.mlock = mlock;
        this.hugePageSize = hugePages ? OsMemory.hugePageSize() : 0;
        this.pageSize = mlock ? OsMemory.pageSize() : 0;
    }

    /**
     * Entries in the directory: the most slabs this instance can have.
     *
     * @return {@code ceil(capacity / slotsPerSlab)}
     */
    public int slabCount() {
        return slabs.length;
    }

    /**
     * Slots in a slab: {@code slotsPerSlab}, fewer in the last one.
     *
     * @param slab a slab number
     * @return the slab's slots
     */
    public int slotsIn(int slab) {
        long first = (long) slab * layout.slotsPerSlab();
        return (int) Math.min(layout.slotsPerSlab(), capacity - first);
    }

    /**
     * A slab, if allocated.
     *
     * @param slab a slab number in {@code [0, slabCount())}
     * @return the slab, or null
     */
    public MemorySegment slabAcquire(int slab) {
        // acquire: pairs with the release store in allocate(): a non-null slab has zeroed headers
        return (MemorySegment) SLABS.getAcquire(slabs, slab);
    }

    /**
     * A slab, allocated now if needed.
     *
     * @param slab a slab number in {@code [0, slabCount())}
     * @return the slab
     * @throws OutOfMemoryError if the allocator cannot provide it
     * @throws IllegalStateException if the directory was released
     */
    public MemorySegment ensure(int slab) {
        MemorySegment segment = slabAcquire(slab);
        return segment != null ? segment : allocate(slab);
    }

    /**
     * Allocates every slab (the fixed variant). On failure the slabs allocated so far stay
     * allocated; the caller releases them.
     */
    public void allocateAll() {
        for (int slab = 0; slab < slabs.length; slab++) {
            ensure(slab);
        }
    }

    private synchronized MemorySegment allocate(int slab) {
        MemorySegment existing = slabs[slab]; // plain: entries are written under this monitor
        if (existing != null) {
            return existing;
        }
        if (released) {
            throw new IllegalStateException("slab '" + owner + "' is closed");
        }
        int slots = slotsIn(slab);
        long bytes = layout.slabBytes(slots);
        long alignment = layout.slabAlignment();
        boolean advise = hugePages && bytes >= hugePageSize;
        if (advise) {
            bytes = SlabLayout.alignUp(bytes, hugePageSize);
            alignment = Math.max(alignment, hugePageSize);
        }
        if (mlock) {
            bytes = SlabLayout.alignUp(bytes, pageSize); // lock whole pages of this slab only
            alignment = Math.max(alignment, pageSize);
        }
        MemorySegment segment = allocator.allocate(bytes, alignment);
        if (segment.byteSize() < bytes || (segment.address() & (alignment - 1)) != 0) {
            allocator.free(segment);
            throw new IllegalStateException("slab '" + owner + "': allocator " + allocator
                    + " returned " + segment.byteSize() + " bytes at 0x" + Long.toHexString(segment.address())
                    + " for a request of " + bytes + " bytes aligned to " + alignment);
        }
        if (hugePages) {
            adviseHugePages(segment, bytes, advise); // before the first touch below
        }
        if (mlock) {
            lock(slab, segment, bytes);
        }
        segment.asSlice(0, slots * SlabLayout.HEADER_BYTES).fill((byte) 0); // every slot VACANT(0)
        allocatedSlabs++;
        allocatedBytes += bytes;
        // release: publishes the zeroed headers with the slab; pairs with getAcquire in slabAcquire
        SLABS.setRelease(slabs, slab, segment);
        return segment;
    }

    private void adviseHugePages(MemorySegment segment, long bytes, boolean advise) {
        if (!advise) {
            adviceFailures++;
            adviceFailure = "slab of " + bytes + " bytes is smaller than a huge page (" + hugePageSize
                    + " bytes): raise slotsPerSlab";
            return;
        }
        int errno = OsMemory.adviseHugePages(segment.address(), bytes);
        if (errno == 0) {
            advisedSlabs++;
        } else {
            adviceFailures++;
            adviceFailure = "madvise(0x" + Long.toHexString(segment.address()) + ", " + bytes
                    + ", MADV_HUGEPAGE) failed: errno=" + errno + " (" + OsMemory.errnoName(errno) + ")";
        }
    }

    private void lock(int slab, MemorySegment segment, long bytes) {
        int errno = OsMemory.lock(segment.address(), bytes);
        if (errno == 0) {
            locked[slab] = true;
            lockedSlabs++;
            lockedBytes += bytes;
        } else {
            lockFailures++;
            lockFailure = mlockFailure(segment.address(), bytes, errno, OsMemory.memlockLimit());
        }
    }

    /**
     * The message for a failed {@code mlock}: call, arguments, errno and the memlock limit.
     *
     * @param address start of the range
     * @param bytes length of the range
     * @param errno the errno
     * @param limit {@link OsMemory#memlockLimit()}
     * @return the message
     */
    public static String mlockFailure(long address, long bytes, int errno, String limit) {
        return "mlock(0x" + Long.toHexString(address) + ", " + bytes + ") failed: errno=" + errno + " ("
                + OsMemory.errnoName(errno) + "); RLIMIT_MEMLOCK " + limit
                + "; raise the limit (ulimit -l, limits.conf) or grant CAP_IPC_LOCK";
    }

    /**
     * Frees every slab (unlocking locked ones first). Idempotent. The caller guarantees that no
     * thread can still access slab memory.
     *
     * @throws RuntimeException the first failure of the allocator's {@code free}, after trying all
     */
    public synchronized void releaseAll() {
        if (released) {
            return;
        }
        released = true;
        RuntimeException failure = null;
        for (int slab = 0; slab < slabs.length; slab++) {
            MemorySegment segment = slabs[slab];
            if (segment == null) {
                continue;
            }
            slabs[slab] = null; // plain: nobody reads the directory after close (caller's guarantee)
            try {
                if (locked[slab]) {
                    OsMemory.unlock(segment.address(), segment.byteSize());
                }
                allocator.free(segment);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Slabs allocated so far.
     *
     * @return the count
     */
    public synchronized int allocatedSlabs() {
        return allocatedSlabs;
    }

    /**
     * Bytes allocated for slabs so far.
     *
     * @return the bytes
     */
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    /**
     * What the OS granted for huge pages (reads {@code /proc/self/smaps}: milliseconds).
     *
     * @return the report
     */
    public synchronized SlabReport.HugePages hugePageReport() {
        if (!hugePages) {
            return new SlabReport.HugePages(false, OsMemory.transparentHugePageMode(), 0, 0, 0, 0, "not requested");
        }
        long granted = OsMemory.anonHugePageBytes(starts(), ends());
        String mode = OsMemory.transparentHugePageMode();
        String detail = "madvise(MADV_HUGEPAGE) accepted for " + advisedSlabs + " of " + allocatedSlabs
                + " slabs; transparent huge pages: " + mode + "; AnonHugePages of the mappings holding the slabs: "
                + (granted < 0 ? "unknown" : granted + " bytes")
                + (adviceFailure == null ? "" : "; last refusal: " + adviceFailure);
        return new SlabReport.HugePages(true, mode, hugePageSize, advisedSlabs, adviceFailures, granted, detail);
    }

    /**
     * What the OS granted for {@code mlock}.
     *
     * @return the report
     */
    public synchronized SlabReport.Mlock mlockReport() {
        if (!mlock) {
            return new SlabReport.Mlock(false, 0, 0, 0, "not requested");
        }
        String detail = "locked " + lockedSlabs + " of " + allocatedSlabs + " slabs (" + lockedBytes + " bytes)"
                + (lockFailure == null ? "" : "; last failure: " + lockFailure);
        return new SlabReport.Mlock(true, lockedBytes, lockedSlabs, lockFailures, detail);
    }

    private long[] starts() {
        long[] starts = new long[allocatedSlabs];
        int n = 0;
        for (MemorySegment segment : slabs) {
            if (segment != null && n < starts.length) {
                starts[n++] = segment.address();
            }
        }
        return starts;
    }

    private long[] ends() {
        long[] ends = new long[allocatedSlabs];
        int n = 0;
        for (MemorySegment segment : slabs) {
            if (segment != null && n < ends.length) {
                ends[n++] = segment.address() + segment.byteSize();
            }
        }
        return ends;
    }

    // VarHandle mechanics
    private static final VarHandle SLABS = MethodHandles.arrayElementVarHandle(MemorySegment[].class);
}
