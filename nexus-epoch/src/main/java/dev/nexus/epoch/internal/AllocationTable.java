package dev.nexus.epoch.internal;

import static dev.nexus.epoch.internal.AllocationTableLayout.INSERTING;
import static dev.nexus.epoch.internal.AllocationTableLayout.KEY;
import static dev.nexus.epoch.internal.AllocationTableLayout.LIVE;
import static dev.nexus.epoch.internal.AllocationTableLayout.MAX_DISTANCE;
import static dev.nexus.epoch.internal.AllocationTableLayout.SIZE;
import static dev.nexus.epoch.internal.AllocationTableLayout.STATE_MASK;
import static dev.nexus.epoch.internal.AllocationTableLayout.address;
import static dev.nexus.epoch.internal.AllocationTableLayout.entry;
import static dev.nexus.epoch.internal.AllocationTableLayout.isFree;
import static dev.nexus.epoch.internal.AllocationTableLayout.key;
import static dev.nexus.epoch.internal.AllocationTableLayout.state;

/**
 * The live allocations of {@link ValidatedMallocAllocator}: address to size and state (LIVE,
 * RETIRED, FREED), off-heap, so that a free or retire of a segment the allocator does not own is
 * refused before it reaches the C library.
 *
 * <p>Progress: {@link #transition} and {@link #lookup} are lock-free (wait-free when no other thread
 * changes the same entry); {@link #insert} is lock-free except when the newest level is crowded,
 * where it adds a level under a lock (once per doubling of the table).
 */
final class AllocationTable {

    /*
     * Implementation notes.
     *
     * Open addressing with linear probing over levels carved from SharedRegion.MEMORY (a static final
     * segment, so the JIT folds the bounds and liveness checks; see SharedRegion). The layout and the
     * key word (address | state in the two low bits that malloc's 16-byte alignment leaves zero) are
     * in AllocationTableLayout. The hash keeps neighbours together (see home): malloc hands out
     * neighbouring addresses to allocations made close in time, so a burst of allocations and its
     * frees touch a few table lines instead of one random line each (AllocatorBenchmark's
     * mallocFreeBatch is that pattern; on the shared 2-core development machine the gain over plain
     * Fibonacci hashing of the address was within the noise of a short run).
     *
     * Why not tombstones. Lookups do not stop at an empty entry: they scan the whole window an insert
     * could have used, [home, home + maxDistance], where maxDistance (one word per level, raised by
     * inserts, never lowered) is the farthest any insert of that level went, and at most WINDOW - 1.
     * So a free just moves the key word to FREED, which is at once a free entry for the next insert:
     * no tombstone piles up, no rehash, no backward shift (neither of which is lock-free), and a
     * miss costs at most WINDOW probes per level.
     *
     * Growth. An insert that finds no free entry in its window of the newest level adds a level of
     * twice the capacity (under a lock: rare, and the only blocking step) and inserts there; older
     * levels stay and drain as their allocations are freed. Lookups search the newest level first:
     * short-lived allocations, most of them, live there. A striped set of tables was the other
     * candidate; it would need the same growth per stripe and would not make lookups cheaper.
     *
     * First match wins. Every insert of an address claims the first free entry of its window, and
     * the allocation it records is the address's only live one (malloc never hands out an address
     * twice before it is freed). A FREED entry of an earlier life of the same address in the same
     * level is itself free, so a later life lands at or before it; earlier lives in older levels are
     * searched later. Hence the first entry with the address, newest level first, is the current one.
     * Invariant (FirstMatchIsCurrent): at most one entry of an address is LIVE, RETIRED or INSERTING,
     * and no FREED entry of it precedes that one in lookup order. Mixing in mallocUnchecked()'s free
     * breaks it (a LIVE entry stays behind); that is documented on NativeAllocator.
     *
     * Memory ordering, per access:
     *  - levelCount: volatile write in addLevel after levels[i] (plain) is set; volatile read first
     *    in every operation, so levels[i] for i < count is seen.
     *  - key word, claim: volatile CAS FREE -> address|INSERTING (two inserters: one wins).
     *  - size word: plain write by the claimer, then the key's release store address|LIVE publishes
     *    it; readers load the key with acquire, then the size plainly. A reader that raced a reuse of
     *    the entry may read another allocation's size: benign, its CAS on the key word then fails.
     *  - key word, transitions (LIVE -> RETIRED -> FREED, LIVE -> FREED, RETIRED -> LIVE): volatile
     *    CAS from the exact word the lookup saw, so of two racing frees one wins and the other sees
     *    FREED.
     *  - key word, insert scan: opaque reads, a hint only: the CAS decides.
     *  - maxDistance: raised by volatile CAS before the key's release store (inserts at distance 0,
     *    most of them, need not); read with acquire, by find only after the window's first entry did
     *    not match. A lookup that must find an entry happens-after its insert (through the caller
     *    handing the segment over), so it sees a maxDistance that covers it.
     */

    /** Entries an insert probes in the newest level before it adds a level. */
    static final int WINDOW = 16;
    /** Capacity (log2) of the largest level. */
    static final int MAX_LEVEL_LOG2 = 30;

    private final int firstLog2;
    /** Level bases in SharedRegion.MEMORY; entry i is written before levelCount exceeds i. */
    private final long[] levels;
    /** Levels in use; the newest is levels[levelCount - 1]. */
    private volatile int levelCount;

    /**
     * A table whose first level has {@code 2^firstLog2} entries.
     *
     * @throws IllegalArgumentException if {@code firstLog2} is outside [4, 30]
     */
    AllocationTable(int firstLog2) {
        if (firstLog2 < 4 || firstLog2 > MAX_LEVEL_LOG2) {
            throw new IllegalArgumentException("first level must have 2^4 to 2^30 entries: firstLog2="
                    + firstLog2);
        }
        this.firstLog2 = firstLog2;
        this.levels = new long[MAX_LEVEL_LOG2 - firstLog2 + 1];
        this.levels[0] = SharedRegion.carve(AllocationTableLayout.levelBytes(1L << firstLog2));
        this.levelCount = 1; // volatile: publishes levels[0]
    }

    /**
     * Records a fresh allocation as LIVE.
     *
     * @throws IllegalStateException if the address is 0 or not 4-byte aligned (no malloc does that)
     * @throws OutOfMemoryError if the table cannot grow
     */
    void insert(long address, long size) {
        if (address == 0 || (address & STATE_MASK) != 0) {
            throw unrecordable(address);
        }
        // fast path, small enough to be inlined into allocate: the window's first entry
        int level = levelCount - 1; // volatile: pairs with addLevel
        long entry = entry(levels[level], home(address, firstLog2 + level));
        long word = SharedRegion.getLongOpaque(entry + KEY); // a hint; the CAS decides
        // volatile CAS: claims the entry against other inserters
        if (isFree(word) && SharedRegion.casLong(entry + KEY, word, key(address, INSERTING))) {
            SharedRegion.setLongPlain(entry + SIZE, size); // published by the release below
            // release: publishes the size to lookups that acquire LIVE (distance 0: no maxDistance)
            SharedRegion.setLongRelease(entry + KEY, key(address, LIVE));
            return;
        }
        insertProbing(address, size);
    }

    private static IllegalStateException unrecordable(long address) {
        return new IllegalStateException("malloc returned an address the allocation table cannot record"
                + " (0 or not 4-byte aligned): address=0x" + Long.toHexString(address));
    }

    /** The rest of the window, and growth: what {@link #insert} does when the first entry is taken. */
    private void insertProbing(long address, long size) {
        while (true) {
            int count = levelCount; // volatile: pairs with addLevel
            int level = count - 1;
            long base = levels[level];
            int log2 = firstLog2 + level;
            long mask = (1L << log2) - 1;
            long home = home(address, log2);
            for (int d = 0; d < WINDOW; d++) {
                long entry = entry(base, (home + d) & mask);
                long word = SharedRegion.getLongOpaque(entry + KEY); // a hint; the CAS decides
                // volatile CAS: claims the entry against other inserters
                if (isFree(word) && SharedRegion.casLong(entry + KEY, word, key(address, INSERTING))) {
                    SharedRegion.setLongPlain(entry + SIZE, size); // published by the release below
                    if (d != 0) {
                        raiseMaxDistance(base, d); // distance 0 is always scanned
                    }
                    // release: publishes the size (and maxDistance) to lookups that acquire LIVE
                    SharedRegion.setLongRelease(entry + KEY, key(address, LIVE));
                    return;
                }
            }
            addLevel(count);
        }
    }

    /**
     * Moves the current entry of {@code address} from state {@code from} to {@code to}, if it is in
     * state {@code from} and records exactly {@code size} bytes. The volatile CAS is the
     * linearization point.
     *
     * @return false (nothing changed) if there is no such entry, its state or size differs, or
     *     another thread changed it first
     */
    boolean transition(long address, long size, long from, long to) {
        // fast path, small enough to be inlined: the first entry of the newest level's window
        int level = levelCount - 1; // volatile: pairs with addLevel
        long entry = entry(levels[level], home(address, firstLog2 + level));
        // acquire: pairs with insert's release store (the size is then visible)
        long word = SharedRegion.getLongAcquire(entry + KEY);
        if (word == key(address, from)) {
            // plain size read: published by the release store we acquired; racy only when the entry
            // was reused meanwhile, and then the CAS fails
            return SharedRegion.getLongPlain(entry + SIZE) == size
                    && SharedRegion.casLong(entry + KEY, word, key(address, to));
        }
        return address(word) != address && transitionProbing(address, size, from, to);
    }

    /** {@link #transition} when the first entry of the newest window holds another address. */
    private boolean transitionProbing(long address, long size, long from, long to) {
        long entry = find(address);
        if (entry < 0) {
            return false;
        }
        // acquire: pairs with insert's release store (the size is then visible); re-read because
        // find returns the entry, not the word (the same line, already in cache)
        long word = SharedRegion.getLongAcquire(entry + KEY);
        // plain size read: published by the release store we acquired; racy only when the entry was
        // reused meanwhile, and then the CAS below fails
        return word == key(address, from) && SharedRegion.getLongPlain(entry + SIZE) == size
                && SharedRegion.casLong(entry + KEY, word, key(address, to));
    }

    /**
     * The offset of the current entry of {@code address} (FirstMatchIsCurrent): newest level first,
     * the entry at the window's start before the max-distance word is read (most entries sit there).
     *
     * @return the entry's offset in {@link SharedRegion#MEMORY}, or -1 if the table holds none
     */
    private long find(long address) {
        int count = levelCount; // volatile: pairs with addLevel
        for (int level = count - 1; level >= 0; level--) {
            long base = levels[level];
            int log2 = firstLog2 + level;
            long mask = (1L << log2) - 1;
            long home = home(address, log2);
            long entry = entry(base, home);
            // acquire: pairs with insert's release store and the transitions' CAS
            if (address(SharedRegion.getLongAcquire(entry + KEY)) == address) {
                return entry;
            }
            // acquire: pairs with raiseMaxDistance's CAS
            int distance = (int) SharedRegion.getLongAcquire(base + MAX_DISTANCE);
            for (int d = 1; d <= distance; d++) {
                entry = entry(base, (home + d) & mask);
                if (address(SharedRegion.getLongAcquire(entry + KEY)) == address) { // as above
                    return entry;
                }
            }
        }
        return -1;
    }

    /**
     * The current entry of {@code address}, for messages and tests: a racy snapshot.
     *
     * @return the entry, or null if the table holds none
     */
    Entry lookup(long address) {
        if (address == 0) {
            return null;
        }
        int count = levelCount; // volatile: pairs with addLevel
        for (int level = count - 1; level >= 0; level--) {
            long base = levels[level];
            int log2 = firstLog2 + level;
            long mask = (1L << log2) - 1;
            long home = home(address, log2);
            int distance = (int) SharedRegion.getLongAcquire(base + MAX_DISTANCE); // as in find
            for (int d = 0; d <= distance; d++) {
                long entry = entry(base, (home + d) & mask);
                long word = SharedRegion.getLongAcquire(entry + KEY); // as in find
                if (address(word) == address) {
                    return new Entry(state(word), SharedRegion.getLongPlain(entry + SIZE), level);
                }
            }
        }
        return null;
    }

    /** Levels in use (1 until the first growth). */
    int levels() {
        return levelCount;
    }

    /**
     * Entry index of {@code address}'s window start in a level of {@code 2^log2} entries: each KiB of
     * address space maps to 64 consecutive entries (bits 4-9 of the address, one entry per 16 bytes),
     * so neighbouring allocations share table cache lines; the KiB blocks are scattered by Fibonacci
     * hashing (bits 32-63 of the product).
     */
    static long home(long address, int log2) {
        long block = (address >>> 10) * 0x9E3779B97F4A7C15L >>> 32;
        return ((block << 6) | ((address >>> 4) & 63)) & ((1L << log2) - 1);
    }

    private static void raiseMaxDistance(long base, long distance) {
        long max = SharedRegion.getLongAcquire(base + MAX_DISTANCE); // a hint; the CAS decides
        // volatile CAS: raised before the entry's release store (see notes); never lowered
        while (distance > max && !SharedRegion.casLong(base + MAX_DISTANCE, max, distance)) {
            max = SharedRegion.getLongAcquire(base + MAX_DISTANCE);
        }
    }

    /** Adds a level of twice the newest one's capacity unless another thread already did. */
    private synchronized void addLevel(int seen) {
        if (levelCount != seen) {
            return;
        }
        if (seen == levels.length) {
            throw new OutOfMemoryError("the allocation table of NativeAllocator.malloc() is full: "
                    + seen + " levels, the largest of 2^" + MAX_LEVEL_LOG2 + " entries");
        }
        long bytes = AllocationTableLayout.levelBytes(1L << (firstLog2 + seen));
        try {
            levels[seen] = SharedRegion.carve(bytes);
        } catch (IllegalStateException e) {
            OutOfMemoryError error = new OutOfMemoryError("the allocation table of NativeAllocator.malloc()"
                    + " cannot grow by " + bytes + " bytes: " + e.getMessage());
            error.initCause(e);
            throw error;
        }
        levelCount = seen + 1; // volatile: publishes levels[seen]
    }

    /**
     * A snapshot of an entry.
     *
     * @param state one of the states of {@link AllocationTableLayout}
     * @param size the allocation's size in bytes
     * @param level the level that holds it
     */
    record Entry(long state, long size, int level) {
    }
}
