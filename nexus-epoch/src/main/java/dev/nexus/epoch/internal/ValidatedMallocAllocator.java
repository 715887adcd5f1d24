package dev.nexus.epoch.internal;

import static dev.nexus.epoch.internal.AllocationTableLayout.FREED;
import static dev.nexus.epoch.internal.AllocationTableLayout.LIVE;
import static dev.nexus.epoch.internal.AllocationTableLayout.RETIRED;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;

/**
 * {@link NativeAllocator#malloc()}: malloc/posix_memalign/free downcalls whose every allocation is
 * recorded in an {@link AllocationTable}, so that {@code free}, and an epoch domain's retire, refuse
 * with an exception (and free nothing) any segment that is not a live allocation of this allocator,
 * exactly as it was handed out. Thread-safe.
 */
public final class ValidatedMallocAllocator implements NativeAllocator {

    /*
     * Implementation notes.
     *
     * State machine of an allocation (AllocationTable entry), each arrow one volatile CAS:
     *
     *   allocate -> LIVE --free--------------------------> FREED   (then free(3))
     *                LIVE --markRetired--> RETIRED --freeRetired--> FREED   (then free(3))
     *                       RETIRED --unmarkRetired--> LIVE
     *
     * The CAS happens before the C library's free, so an address is out of the table's LIVE/RETIRED
     * states before malloc can hand it out again. Every refusal goes through refused(), which looks
     * the address up again (a racy snapshot, for the message only).
     */

    /** Capacity (log2) of the table's first level: 2^16 entries, 1 MiB, grown by doubling. */
    static final int FIRST_LEVEL_LOG2 = 16;

    /** The one instance behind {@link NativeAllocator#malloc()}. */
    public static final ValidatedMallocAllocator INSTANCE =
            new ValidatedMallocAllocator(new AllocationTable(FIRST_LEVEL_LOG2));

    /** The scope of every segment made from a raw address, as {@link #allocate} makes them. */
    private static final MemorySegment.Scope GLOBAL_SCOPE = MemorySegment.NULL.scope();

    private final AllocationTable table;

    ValidatedMallocAllocator(AllocationTable table) {
        this.table = table;
    }

    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        Allocations.checkRequest(bytes, alignment);
        long address = Libc.allocate(bytes, alignment);
        try {
            table.insert(address, bytes);
        } catch (RuntimeException | Error e) {
            Libc.free(address); // not recorded: give it back, nothing leaks
            throw e;
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override
    public void free(MemorySegment segment) {
        Allocations.checkNative(segment);
        if (!table.transition(segment.address(), segment.byteSize(), LIVE, FREED)) {
            throw refused(segment, "free", LIVE);
        }
        Libc.free(segment.address());
    }

    @Override
    public void markRetired(MemorySegment segment) {
        Allocations.checkNative(segment);
        if (!table.transition(segment.address(), segment.byteSize(), LIVE, RETIRED)) {
            throw refused(segment, "retire", LIVE);
        }
    }

    @Override
    public void unmarkRetired(MemorySegment segment) {
        Allocations.checkNative(segment);
        if (!table.transition(segment.address(), segment.byteSize(), RETIRED, LIVE)) {
            throw refused(segment, "give back", RETIRED);
        }
    }

    @Override
    public void freeRetired(MemorySegment segment) {
        Allocations.checkNative(segment);
        if (!table.transition(segment.address(), segment.byteSize(), RETIRED, FREED)) {
            throw refused(segment, "free the retired", RETIRED);
        }
        Libc.free(segment.address());
    }

    /** The table's current entry for {@code address}, or null; for tests. */
    AllocationTable.Entry entry(long address) {
        return table.lookup(address);
    }

    /** Why a segment is refused: the exception, built from a fresh look at the table. */
    private RuntimeException refused(MemorySegment segment, String call, long expected) {
        long address = segment.address();
        long size = segment.byteSize();
        String what = "NativeAllocator.malloc() refuses to " + call + " segment 0x" + Long.toHexString(address)
                + " (" + size + " bytes), nothing freed: ";
        if (!segment.scope().equals(GLOBAL_SCOPE)) {
            return new IllegalArgumentException(what + "it belongs to an Arena (its scope is " + segment.scope()
                    + "), not to this allocator; close its Arena instead");
        }
        AllocationTable.Entry entry = table.lookup(address);
        if (entry == null || entry.state() == AllocationTableLayout.INSERTING) {
            return new IllegalArgumentException(what + "it is not the start of a live allocation of this"
                    + " allocator: a slice of one (asSlice), memory from elsewhere (Arena.global(), another"
                    + " allocator, a raw address), or an allocation freed long ago");
        }
        if (entry.state() == FREED) {
            return new IllegalStateException(what + "it was already freed (the allocation that started at"
                    + " this address was freed; if the segment is a slice of a later allocation that covers"
                    + " the address, pass that allocation's own segment)");
        }
        if (entry.size() != size) {
            return new IllegalArgumentException(what + "the allocation at that address has " + entry.size()
                    + " bytes, the segment " + size + " bytes: pass the segment as allocated, not a slice"
                    + " (asSlice) or a reinterpreted one");
        }
        if (entry.state() == RETIRED && expected == LIVE) {
            return new IllegalStateException(what + ("retire".equals(call)
                    ? "it is already retired and not yet freed; retire a segment once"
                    : "it is retired to an epoch domain, which frees it after a grace period; a retired"
                            + " segment is never freed by hand"));
        }
        if (entry.state() == LIVE && expected == RETIRED) {
            return new IllegalStateException(what + "it is live, not retired");
        }
        return new IllegalStateException(what + "another thread freed or retired it at the same time");
    }

    @Override
    public String toString() {
        return "NativeAllocator.malloc()";
    }
}
