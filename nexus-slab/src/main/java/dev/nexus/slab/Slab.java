package dev.nexus.slab;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.slab.internal.InstanceTags;
import dev.nexus.slab.internal.KeyCodec;
import dev.nexus.slab.internal.SlabDirectory;
import dev.nexus.slab.internal.SlabLayout;
import dev.nexus.slab.internal.SlotPool;
import dev.nexus.slab.internal.SlotState;
import java.lang.foreign.MemorySegment;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A generational slab: fixed-size off-heap slots named by {@code long} keys, in slabs of native
 * memory that never move. A removed slot is reused only after a grace period of the slab's
 * {@link EpochDomain}, so a reader inside a guard never sees its slot reused, and a key that was
 * removed is rejected forever, never aliased to a later record.
 *
 * <pre>{@code
 * EpochDomain domain = EpochDomain.create();
 * try (Slab slab = Slab.builder(domain).slotSize(64).capacity(1_000_000).build()) {
 *     long key = slab.insert(slot -> slot.set(ValueLayout.JAVA_LONG, 0, 42L));  // Slab.FULL if full
 *     try (Guard _ = domain.pin()) {
 *         MemorySegment slot = slab.get(key);                      // null once removed
 *         long value = slot.get(ValueLayout.JAVA_LONG, 0);
 *     }
 *     slab.remove(key);                                           // reusable after a grace period
 * }
 * }</pre>
 *
 * <p><b>Caller assumptions.</b> A segment returned by {@link #get} is used only inside the guard of
 * the slab's domain that was open when {@code get} was called (as any reference loaded in a guard).
 * {@link #close()} is called once nothing but readers inside guards may still use the slab, and not
 * inside a guard of the domain. The slab is closed before its domain.
 *
 * <p><b>Guarantees.</b> A key is live from the insert (or commit) that returned it until the first
 * {@link #remove} of it; afterwards every method rejects it: {@link #get} returns {@code null},
 * {@link #contains} and {@link #remove} return {@code false}. A value that can be told not to be a
 * key of this slab makes {@code get} and {@code remove} throw {@link IllegalArgumentException}: a
 * negative value ({@link #FULL}), a key with another tag (a key of another open slab while at most
 * 32 are open), or one naming a slot beyond the capacity or in a slab never allocated. Any other value
 * no slab issued, or a key of another slab sharing this one's tag, is taken as a stale key ({@code
 * get} returns {@code null}, {@code remove} {@code false}): its generation matches a live record only
 * with probability 2^-32 (the per-slab salt, see below). {@code contains} never throws for a bad key.
 * {@code NoReclaimWhilePinned} for slots: a slot removed
 * at time t is reused only after every guard of the domain open at t has closed, so a segment
 * obtained by {@code get} inside a guard keeps its record until the guard closes. Growth adds a slab
 * and never copies or moves a record. The fixed variant never allocates after {@code build()} and
 * reports a full slab as the value {@link #FULL}.
 *
 * <p><b>Progress.</b> {@link #get} and {@link #contains} are wait-free and O(1). {@link #insert},
 * {@link #reserve} and {@link #remove} pin a guard internally and are lock-free (one CAS on a shared
 * word, retried only when another thread won), except that an insert which needs a new slab of the
 * growing variant blocks while that slab is allocated (once per {@code slotsPerSlab} inserts).
 * {@link #close()} blocks until a grace period has passed and pending slots are recycled.
 *
 * <h2>Keys: the bit budget</h2>
 * <pre>
 *   63  62      58 57                            32 31                                 0
 *  +---+---------+--------------------------------+------------------------------------+
 *  | 0 | tag (5) | slot index (26)                | generation XOR salt (32)           |
 *  +---+---------+--------------------------------+------------------------------------+
 *                  slot index = slab * slotsPerSlab + slot in slab (slotsPerSlab a power of two)
 * </pre>
 * <ul>
 *   <li>Bit 63 is 0: keys are never negative, so {@link #FULL} ({@code -1}) is never a key.</li>
 *   <li>Tag, 5 bits: up to 32 open slabs carry distinct tags, so a key of another open slab is
 *       rejected by its tag alone. With more open slabs tags are shared and a per-slab random salt,
 *       XORed into the generation field, still makes a foreign key match a live record only with
 *       probability 2^-32.</li>
 *   <li>Slot index, 26 bits: at most {@value #MAX_CAPACITY} slots per slab instance.</li>
 *   <li>Generation, 32 bits: a slot carries generations 0 to 2^32 - 1 = 4,294,967,295; every remove
 *       moves it to the next. At 100 M reuses per second of one slot, a generation would wrap after
 *       2^32 / 10^8 = 42.9 seconds. But a slot is reused only after a grace period (two epoch
 *       advances, and the domain's batching of deferred actions), so one slot is reused at most some
 *       10^3 to 10^5 times per second (one slot churned alone in a tight loop: about 800 times per
 *       second on the 2-core development VM, as the reclaimer seals a partly filled bag after 1 ms):
 *       2^32 reuses then take 12 hours to 50 days of continuous churn of that one slot.
 *       It does not wrap even then: a slot whose generation is used up is retired for good
 *       ({@link SlabReport#retiredSlots()}), so no key is ever aliased. The cost is one slot per 2^32
 *       reuses: at 100 M removes per second across the slab, one slot every 43 seconds, about 2,000
 *       slots (128 KiB of 64-byte slots) a day.</li>
 * </ul>
 *
 * <p>Memory effects: actions in {@code init} ({@link #insert}) or before {@link VacantEntry#commit()}
 * happen-before every {@link #get} that returns the record; accesses to a slot inside a guard
 * happen-before the slot's reuse. See the {@linkplain dev.nexus.slab package documentation}.
 */
public final class Slab implements AutoCloseable {

    /*
     * Implementation notes.
     *
     * Memory. A directory (SlabDirectory) of ceil(capacity / slotsPerSlab) entries, sized once;
     * entry i is slab i, one allocation from the instance's NativeAllocator, published with a
     * release store after its headers are zeroed and read with acquire. Each slab holds a header
     * array (one state word per slot, see SlabLayout) and then the slots.
     *
     * State word (SlotState): (generation, VACANT | OCCUPIED | RETIRED, and the free-stack link of
     * a free slot). A key (index, g) is live iff the word equals OCCUPIED(g). Who writes it:
     *   insert/commit:   VACANT(g) -> OCCUPIED(g), release store by the thread that popped the slot
     *                    (it owns the slot: nobody else writes a VACANT word);
     *   remove:          OCCUPIED(g) -> VACANT(g+1), or RETIRED(g) at the last generation, by CAS;
     *                    the CAS is the linearization point, so of two racing removes one wins;
     *   abandon:         VACANT(g) -> VACANT(g+1) / RETIRED(g), by the owner;
     *   free-stack push: VACANT(g) -> VACANT(g) + link, by the owner (SlotPool.release).
     * Invariant GenerationMonotone: a slot's generation never decreases, and a key's generation is
     * issued once, so a dead key never becomes live again (NoAlias).
     *
     * Reuse. remove() defers recycle(index) with domain.defer: the slot goes back to the free stack
     * (SlotPool: a lock-free LIFO stack with an ABA-tagged head; why not per-thread magazines is
     * explained there) after a grace period, poisoned first if asked. So NoReclaimWhilePinned of the
     * domain gives, for slots: a reader that got the segment inside a guard finishes before the slot
     * can be popped again. An abandoned reservation returns at once: its slot was never OCCUPIED at
     * its new generation, so no reader holds it. A remove whose defer finds the domain closed (it
     * closed after the remove pinned) gives the slot up instead (deferRecycle): the key is dead, the
     * remove returns true, and no insert can pin the closed domain to reuse the slot.
     *
     * Readers. get(key): volatile read of 'closed', acquire read of the directory entry, acquire read
     * of the state word, compare with OCCUPIED(g). The acquire pairs with the release store of the
     * insert/commit, so the record is visible. No CAS, no store: wait-free.
     *
     * Close. Every mutator runs inside a guard of the domain and checks 'closed' inside it; close()
     * sets 'closed' (volatile), then synchronize() waits for every guard that might have seen the
     * slab open (a mutator that pinned later sees 'closed' and throws), then barrier() runs every
     * recycle they deferred; only then is slab memory freed. Readers that got a segment before
     * close() are covered by the same synchronize().
     *
     * Counters (size, pending, retired) are LongAdders: exact when quiescent, never contended.
     */

    /** What {@link #insert} returns when no slot is free: never a key (keys are {@code >= 0}). */
    public static final long FULL = -1L;

    /** The byte that fills a recycled slot when {@link SlabBuilder#poisonOnRecycle(boolean)} is set. */
    public static final byte POISON = (byte) 0xA5;

    /** The most slots one slab instance can hold: 2^26. */
    public static final long MAX_CAPACITY = KeyCodec.MAX_SLOTS;

    static final int MAX_SLABS = 1 << 20;
    static final long MAX_SLOT_SIZE = 1L << 30;
    static final long MAX_ALIGNMENT = 1L << 21;
    static final long MAX_SLAB_BYTES = 1L << 40;
    private static final AtomicLong SLAB_IDS = new AtomicLong();

    private final String name;
    private final EpochDomain domain;
    private final boolean fixed;
    private final long capacity;
    private final long alignment;
    private final boolean poison;
    private final boolean brokenRecycle;
    private final long maxGeneration;
    private final int tagHandle;
    private final KeyCodec keys;
    private final SlabLayout layout;
    private final SlabDirectory directory;
    private final SlotPool pool;
    private final LongAdder live = new LongAdder();
    private final LongAdder pending = new LongAdder();
    private final LongAdder retired = new LongAdder();
    private final AtomicBoolean released = new AtomicBoolean();

    /**
     * Set once by close(). Invariant: no mutator that read it false is still outside a guard.
     * Non-invariant: a reader may see false while close() runs; its guard then holds the memory.
     */
    private volatile boolean closed;

    Slab(SlabBuilder b, int slotsPerSlab, long capacity) {
        this.name = b.name != null ? b.name : "slab-" + SLAB_IDS.incrementAndGet();
        this.domain = b.domain;
        this.fixed = b.fixed;
        this.capacity = capacity;
        this.alignment = b.alignment;
        this.poison = b.poison;
        this.brokenRecycle = b.brokenRecycle;
        this.maxGeneration = b.maxGeneration;
        this.tagHandle = InstanceTags.acquire();
        this.keys = new KeyCodec(InstanceTags.tag(tagHandle), ThreadLocalRandom.current().nextInt(), slotsPerSlab);
        this.layout = new SlabLayout(b.slotSize, b.alignment, slotsPerSlab);
        this.directory = new SlabDirectory(name, layout, capacity, b.allocator, b.hugePages, b.mlock);
        this.pool = new SlotPool(directory, keys, capacity);
        if (fixed) {
            try {
                directory.allocateAll();
            } catch (RuntimeException | Error e) {
                try {
                    directory.releaseAll();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                InstanceTags.release(tagHandle);
                throw e;
            }
        }
    }

    /**
     * A builder for a slab whose removed slots are reclaimed through {@code domain}.
     *
     * @param domain the epoch domain readers pin
     * @return a new builder: growing variant, alignment 8, {@link NativeAllocator#malloc()}
     */
    public static SlabBuilder builder(EpochDomain domain) {
        return new SlabBuilder(Objects.requireNonNull(domain, "domain"));
    }

    // ---- writers --------------------------------------------------------------------------------

    /**
     * Inserts a record: takes a free slot (the most recently recycled one first), lets {@code init}
     * write the record, then publishes it. If {@code init} throws, the slot is given back and the
     * exception propagates.
     *
     * @param init writes the record into the slot (whose prior contents are unspecified); it runs
     *     while the slab holds a guard of its domain, so keep it short
     * @return the record's key, or {@link #FULL} if no slot is free (every slot live, retired, or
     *     removed within the last grace period; {@code domain.barrier()} makes the latter reusable)
     * @throws IllegalStateException if the slab or its domain is closed
     * @throws OutOfMemoryError if the growing variant cannot allocate a slab
     */
    public long insert(Consumer<? super MemorySegment> init) {
        Objects.requireNonNull(init, "init");
        try (Guard _ = domain.pin()) { // keeps slab memory allocated against a concurrent close()
            checkOpen();
            int index = pool.acquire();
            if (index < 0) {
                return FULL;
            }
            MemorySegment slab = directory.slabAcquire(keys.slab(index));
            int slot = keys.slot(index);
            // opaque: this thread owns the popped slot, so the word is stable; readers race on it
            long generation = SlotState.generation(SlabLayout.stateOpaque(slab, slot));
            try {
                init.accept(layout.slot(slab, slot));
            } catch (RuntimeException | Error e) {
                abandon(index, generation);
                throw e;
            }
            publish(slab, slot, generation);
            return keys.encode(index, generation);
        }
    }

    /**
     * Reserves a slot whose key is known before the record is visible, for records that contain
     * their own key; see {@link VacantEntry}.
     *
     * @return an open entry (holding a guard of the domain until committed or closed), or
     *     {@code null} if no slot is free (as for {@link #FULL})
     * @throws IllegalStateException if the slab or its domain is closed
     * @throws OutOfMemoryError if the growing variant cannot allocate a slab
     */
    public VacantEntry reserve() {
        Guard guard = domain.pin(); // held by the entry: its slot memory stays valid until it ends
        try {
            checkOpen();
            int index = pool.acquire();
            if (index < 0) {
                guard.close();
                return null;
            }
            MemorySegment slab = directory.slabAcquire(keys.slab(index));
            int slot = keys.slot(index);
            // opaque: the popped slot's word is stable (see insert)
            long generation = SlotState.generation(SlabLayout.stateOpaque(slab, slot));
            return new VacantEntry(this, guard, index, generation, layout.slot(slab, slot),
                    keys.encode(index, generation));
        } catch (RuntimeException | Error e) {
            guard.close();
            throw e;
        }
    }

    /** Publishes a reserved slot; called by {@link VacantEntry#commit()} inside its guard. */
    void commit(int index, long generation) {
        checkOpen();
        publish(directory.slabAcquire(keys.slab(index)), keys.slot(index), generation);
    }

    private void publish(MemorySegment slab, int slot, long generation) {
        // release: linearization point of insert/commit; publishes the record written into the slot
        // to every reader whose acquire load of the word sees OCCUPIED(g) (get, contains)
        SlabLayout.setStateRelease(slab, slot, SlotState.occupied(generation));
        live.increment();
    }

    /**
     * Gives back a reserved, never published slot at once: no reader can hold it, as its word was
     * never OCCUPIED at this generation. The generation still moves on, so the key stays dead.
     */
    void abandon(int index, long generation) {
        MemorySegment slab = directory.slabAcquire(keys.slab(index));
        int slot = keys.slot(index);
        long next = SlotState.afterRelease(generation, maxGeneration);
        // release: the owner's last word for this generation; readers see VACANT or RETIRED (stale)
        SlabLayout.setStateRelease(slab, slot, next);
        if (SlotState.isRetired(next)) {
            retired.increment();
        } else {
            giveBack(slab, slot, index);
        }
    }

    /**
     * Removes a record. The key is dead when this returns; the slot is reused after a grace period.
     *
     * @param key a key of this slab
     * @return true if the key was live and is now removed; false if it was stale (already removed,
     *     or reserved and not committed)
     * @throws IllegalArgumentException if the key can be told not to be this slab's (negative, as
     *     {@link #FULL}; another tag; a slot beyond the capacity or in a slab never allocated); other
     *     foreign values are taken as stale keys (see the class documentation)
     * @throws IllegalStateException if the slab or its domain is closed; then nothing was removed. A
     *     remove that pinned before the domain closed completes (the key is dead, the slot is given
     *     up with the domain rather than reused) and returns normally
     */
    public boolean remove(long key) {
        try (Guard _ = domain.pin()) { // keeps slab memory allocated against a concurrent close()
            checkOpen();
            int index = checkedIndex(key);
            MemorySegment slab = slabOf(key, index);
            int slot = keys.slot(index);
            long generation = keys.generation(key);
            long next = SlotState.afterRelease(generation, maxGeneration);
            // volatile CAS OCCUPIED(g) -> VACANT(g+1) | RETIRED(g): linearization point of remove; of
            // racing removes one wins. Pairs with the acquire loads of get/contains: they see it dead.
            if (!SlabLayout.casState(slab, slot, SlotState.occupied(generation), next)) {
                return false;
            }
            live.decrement();
            if (SlotState.isRetired(next)) {
                retired.increment(); // generation used up: never reused, so never aliased
                return true;
            }
            pending.increment();
            if (brokenRecycle) {
                recycle(index); // test switch: no grace period, readers may see the slot reused
            } else {
                deferRecycle(index);
            }
            return true;
        }
    }

    /**
     * Recycles a removed slot after a grace period. If the domain closed after this remove pinned
     * (its guard keeps close() waiting, but defer already refuses), the slot is given up instead of
     * recycled: no insert or reserve can pin the closed domain any more, so it would never be handed
     * out again, and pushing (or poisoning) it now could disturb readers still inside their guards.
     * The remove has happened either way; the slab's memory is freed by {@link #close()}.
     */
    private void deferRecycle(int index) {
        try {
            // after the unlink (the CAS in remove); defer's full fence orders it before the epoch tag
            domain.defer(() -> recycle(index));
        } catch (IllegalStateException e) {
            if (!domain.isClosed()) {
                throw e; // defer fails only on a closed domain; anything else is not ours to hide
            }
            pending.decrement(); // given up with the closed domain: nothing waits for it any more
        }
    }

    /** Returns a removed slot to the free stack; runs after its grace period (reclaimer thread). */
    private void recycle(int index) {
        giveBack(directory.slabAcquire(keys.slab(index)), keys.slot(index), index);
        pending.decrement();
    }

    private void giveBack(MemorySegment slab, int slot, int index) {
        if (poison) {
            layout.slot(slab, slot).fill(POISON); // plain writes, published by the push's CAS
        }
        pool.release(index);
    }

    // ---- readers --------------------------------------------------------------------------------

    /**
     * The slot of a live key. Call inside a guard of the slab's domain and use the segment only in
     * that guard: the slot keeps its record until the guard closes, even if the key is removed
     * meanwhile.
     *
     * @param key a key of this slab
     * @return the slot's {@code slotSize} bytes, or {@code null} if the key is stale (removed, or
     *     reserved and not committed)
     * @throws IllegalArgumentException if the key can be told not to be this slab's (as for
     *     {@link #remove}); other foreign values are taken as stale keys and return {@code null}
     * @throws IllegalStateException if the slab is closed
     */
    public MemorySegment get(long key) {
        checkOpen();
        int index = checkedIndex(key);
        MemorySegment slab = slabOf(key, index);
        int slot = keys.slot(index);
        // acquire: pairs with the release store of insert/commit (publish): the record is visible
        long word = SlabLayout.stateAcquire(slab, slot);
        return word == SlotState.occupied(keys.generation(key)) ? layout.slot(slab, slot) : null;
    }

    /**
     * Whether a key is live. Never throws for a bad key.
     *
     * @param key any value
     * @return true if {@code key} is a live key of this slab; false for stale keys, keys of other
     *     slabs and any other value
     * @throws IllegalStateException if the slab is closed
     */
    public boolean contains(long key) {
        checkOpen();
        if (!keys.hasTag(key)) {
            return false;
        }
        int index = keys.index(key);
        if (index >= capacity) {
            return false;
        }
        MemorySegment slab = directory.slabAcquire(keys.slab(index));
        // acquire: as in get
        return slab != null
                && SlabLayout.stateAcquire(slab, keys.slot(index)) == SlotState.occupied(keys.generation(key));
    }

    /**
     * The live keys, weakly consistent: every key live for the whole iteration is returned once;
     * keys inserted or removed meanwhile may or may not be. Use inside a guard of the domain if the
     * slab may be closed concurrently. Not thread-safe (one iterator, one thread).
     *
     * @return an iterator over live keys, in slot order
     * @throws IllegalStateException if the slab is closed (also from the iterator's methods)
     */
    public PrimitiveIterator.OfLong keys() {
        checkOpen();
        return new KeyIterator(pool.freshVolatile());
    }

    /**
     * Live records: inserts and commits minus removes. Exact when no thread is inserting or
     * removing; otherwise a racy sum.
     *
     * @return the number of live records
     */
    public long size() {
        return Math.max(0, live.sum());
    }

    /**
     * The most slots this slab can hold (the fixed variant has them all allocated).
     *
     * @return the capacity
     */
    public long capacity() {
        return capacity;
    }

    /**
     * Bytes per slot: the size of every segment {@link #get} returns.
     *
     * @return the slot size
     */
    public long slotSize() {
        return layout.slotSize();
    }

    /**
     * The domain whose guards protect readers of this slab.
     *
     * @return the domain
     */
    public EpochDomain domain() {
        return domain;
    }

    /**
     * The slab's name, used in exceptions and reports.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Counters, slabs, and what the OS granted for huge pages and {@code mlock}. Reads
     * {@code /proc/self/smaps} when huge pages were requested (milliseconds): not for hot paths.
     *
     * @return a snapshot
     */
    public SlabReport report() {
        return new SlabReport(name, fixed, capacity, size(), Math.max(0, pending.sum()), retired.sum(),
                layout.slotSize(), alignment, layout.slotsPerSlab(), directory.allocatedSlabs(),
                directory.allocatedBytes(), directory.hugePageReport(), directory.mlockReport());
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /**
     * Closes the slab: every method throws {@link IllegalStateException} from now on; waits for a
     * grace period (readers still inside guards finish) and for removed slots to be recycled, then
     * frees the slabs. Idempotent. If the domain is already closed, waits for its close to finish
     * and frees the slabs.
     *
     * @throws IllegalStateException if called inside a guard of the slab's domain (waiting would
     *     deadlock); the slab stays closed, and a later {@code close()} outside the guard frees it
     */
    @Override
    public void close() {
        closed = true; // volatile: pairs with checkOpen() inside every mutator's guard (see notes)
        if (released.get()) {
            return;
        }
        try {
            if (!domain.isClosed()) {
                domain.synchronize(); // every guard that may have seen the slab open has closed
                domain.barrier();     // every recycle those guards deferred has run
            }
        } catch (IllegalStateException e) {
            if (!domain.isClosed()) {
                throw new IllegalStateException("slab '" + name + "' is closed, but its memory cannot be"
                        + " freed from inside a guard of epoch domain '" + domain.name()
                        + "': call close() again outside the guard", e);
            }
        }
        if (domain.isClosed()) {
            domain.close(); // idempotent; returns once the domain ran every deferred recycle
        }
        if (released.compareAndSet(false, true)) {
            try {
                directory.releaseAll();
            } finally {
                InstanceTags.release(tagHandle);
            }
        }
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) { // volatile read; see the field
            throw new IllegalStateException("slab '" + name + "' is closed");
        }
    }

    /** The slot index of a key that has this slab's tag and a slot below capacity, or IAE. */
    private int checkedIndex(long key) {
        if (!keys.hasTag(key)) {
            throw foreignKey(key);
        }
        int index = keys.index(key);
        if (index >= capacity) {
            throw new IllegalArgumentException("key was not issued by slab '" + name + "': key=0x"
                    + Long.toHexString(key) + ", its slot index " + index + " is beyond the capacity "
                    + capacity);
        }
        return index;
    }

    private MemorySegment slabOf(long key, int index) {
        MemorySegment slab = directory.slabAcquire(keys.slab(index));
        if (slab == null) {
            throw new IllegalArgumentException("key was not issued by slab '" + name + "': key=0x"
                    + Long.toHexString(key) + ", its slot index " + index + " lies in slab "
                    + keys.slab(index) + ", never allocated");
        }
        return slab;
    }

    private IllegalArgumentException foreignKey(long key) {
        if (key < 0) {
            return new IllegalArgumentException("a key of slab '" + name + "' is never negative (FULL is -1,"
                    + " not a key): key=" + key);
        }
        return new IllegalArgumentException("key belongs to another slab: key=0x" + Long.toHexString(key)
                + " has tag " + KeyCodec.tagOf(key) + ", slab '" + name + "' has tag " + keys.tag());
    }

    @Override
    public String toString() {
        return "Slab[" + name + ", " + (fixed ? "fixed" : "growing") + ", slotSize=" + layout.slotSize()
                + ", size=" + size() + ", capacity=" + capacity + (closed ? ", closed" : "") + "]";
    }

    /** Live keys in slot order, below the fresh cursor read at creation. */
    private final class KeyIterator implements PrimitiveIterator.OfLong {

        private final long end;
        private int index = -1;
        private long nextKey = -1;

        KeyIterator(long end) {
            this.end = end;
            advance();
        }

        private void advance() {
            nextKey = -1;
            while (++index < end) {
                MemorySegment slab = directory.slabAcquire(keys.slab(index));
                // acquire: as in get; a record inserted before the iterator is seen with its word
                long word = SlabLayout.stateAcquire(slab, keys.slot(index));
                if (SlotState.state(word) == SlotState.OCCUPIED) {
                    nextKey = keys.encode(index, SlotState.generation(word));
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            checkOpen();
            return nextKey >= 0;
        }

        @Override
        public long nextLong() {
            if (!hasNext()) {
                throw new NoSuchElementException("no more live keys in slab '" + name + "'");
            }
            long key = nextKey;
            advance();
            return key;
        }
    }
}
