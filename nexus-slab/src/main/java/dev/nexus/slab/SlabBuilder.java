package dev.nexus.slab;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.slab.internal.KeyCodec;
import dev.nexus.slab.internal.NativeAccess;
import dev.nexus.slab.internal.OsMemory;
import java.util.Objects;

/**
 * Options of a {@link Slab}, from {@link Slab#builder(EpochDomain)}. Each option is validated when
 * set, combinations in {@link #build()}; {@code build()} may be called more than once. Not
 * thread-safe.
 */
public final class SlabBuilder {

    final EpochDomain domain;
    String name;
    long slotSize = -1;
    long alignment = Long.BYTES;
    int slotsPerSlab;
    long capacity; // 0: the default, which depends on slotsPerSlab
    boolean fixed;
    NativeAllocator allocator = NativeAllocator.malloc();
    boolean hugePages;
    boolean mlock;
    boolean poison;
    boolean brokenRecycle;
    long maxGeneration = KeyCodec.MAX_GENERATION;

    SlabBuilder(EpochDomain domain) {
        this.domain = domain;
    }

    /**
     * Names the slab (exceptions, reports). Default: {@code slab-N}.
     *
     * @param name a non-blank name
     * @return this builder
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public SlabBuilder name(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: name='" + name + "'");
        }
        this.name = name;
        return this;
    }

    /**
     * Bytes per slot. Required. Must be a multiple of the {@linkplain #alignment(long) alignment}
     * (checked in {@link #build()}).
     *
     * @param bytes the slot size, in [1, 2^30]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public SlabBuilder slotSize(long bytes) {
        if (bytes <= 0 || bytes > Slab.MAX_SLOT_SIZE) {
            throw new IllegalArgumentException("slotSize must be in [1, " + Slab.MAX_SLOT_SIZE + "]: slotSize="
                    + bytes);
        }
        this.slotSize = bytes;
        return this;
    }

    /**
     * Alignment of every slot. Default: 8.
     *
     * @param alignment a power of two in [1, 2^21]
     * @return this builder
     * @throws IllegalArgumentException if not a power of two or out of range
     */
    public SlabBuilder alignment(long alignment) {
        if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > Slab.MAX_ALIGNMENT) {
            throw new IllegalArgumentException("alignment must be a power of two in [1, " + Slab.MAX_ALIGNMENT
                    + "]: alignment=" + alignment);
        }
        this.alignment = alignment;
        return this;
    }

    /**
     * Slots per slab: the unit of allocation and growth. Default: as many as fit a 2 MiB huge page
     * (a power of two, at most 65,536), no more than the capacity needs.
     *
     * @param slots a power of two in [1, 2^26]
     * @return this builder
     * @throws IllegalArgumentException if not a power of two or out of range
     */
    public SlabBuilder slotsPerSlab(int slots) {
        if (slots <= 0 || Integer.bitCount(slots) != 1 || slots > Slab.MAX_CAPACITY) {
            throw new IllegalArgumentException("slotsPerSlab must be a power of two in [1, " + Slab.MAX_CAPACITY
                    + "]: slotsPerSlab=" + slots);
        }
        this.slotsPerSlab = slots;
        return this;
    }

    /**
     * The most slots the slab holds: allocated up front by the fixed variant, the growth limit of
     * the growing one. Default: {@link Slab#MAX_CAPACITY}, or 2^20 slabs of {@code slotsPerSlab}
     * slots if that is less.
     *
     * @param slots a number in [1, 2^26]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public SlabBuilder capacity(long slots) {
        if (slots <= 0 || slots > Slab.MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + Slab.MAX_CAPACITY + "]: capacity="
                    + slots);
        }
        this.capacity = slots;
        return this;
    }

    /**
     * The fixed variant: {@link #build()} allocates every slab (applying huge pages and
     * {@code mlock} then), inserts never allocate, and a full slab is reported as {@link Slab#FULL}.
     *
     * @return this builder
     */
    public SlabBuilder fixed() {
        this.fixed = true;
        return this;
    }

    /**
     * The growing variant (default): slabs are allocated when first needed, up to the capacity;
     * growth adds a slab and never copies or moves a record.
     *
     * @return this builder
     */
    public SlabBuilder growing() {
        this.fixed = false;
        return this;
    }

    /**
     * Where slab memory comes from; each slab is one allocation. Default:
     * {@link NativeAllocator#malloc()}.
     *
     * @param allocator a thread-safe allocator
     * @return this builder
     */
    public SlabBuilder allocator(NativeAllocator allocator) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        return this;
    }

    /**
     * Asks for transparent huge pages: each slab of at least one huge page is allocated aligned to
     * the huge page size, rounded up to whole huge pages, and advised with
     * {@code madvise(MADV_HUGEPAGE)} before its first touch. What the kernel granted is in
     * {@link Slab#report()}; a refusal never fails the slab. Default: false.
     *
     * @param enabled whether to ask
     * @return this builder
     */
    public SlabBuilder hugePages(boolean enabled) {
        this.hugePages = enabled;
        return this;
    }

    /**
     * Locks every slab in RAM with {@code mlock} when it is allocated (page-aligned, whole pages).
     * A failure (errno, {@code RLIMIT_MEMLOCK}) is reported in {@link Slab#report()}, never thrown;
     * the slab is then used unlocked. Default: false.
     *
     * @param enabled whether to lock
     * @return this builder
     */
    public SlabBuilder mlock(boolean enabled) {
        this.mlock = enabled;
        return this;
    }

    /**
     * Debugging aid: fills every slot with {@link Slab#POISON} when it is recycled (after its grace
     * period, before reuse), so that a read of a reused slot shows. Costs a fill of
     * {@code slotSize} bytes per reuse. Default: false.
     *
     * @param enabled whether to poison
     * @return this builder
     */
    public SlabBuilder poisonOnRecycle(boolean enabled) {
        this.poison = enabled;
        return this;
    }

    /**
     * Test switch, never public: recycles a removed slot at once, without a grace period. The slab
     * is then broken on purpose (a pinned reader may see its slot reused); the torture test must
     * catch it.
     */
    SlabBuilder brokenRecycleWithoutGracePeriodForTests() {
        this.brokenRecycle = true;
        return this;
    }

    /**
     * Test switch, never public: slots retire after generation {@code max} instead of 2^32 - 1, so
     * that a test can use a generation up.
     */
    SlabBuilder generationLimitForTests(long max) {
        if (max < 0 || max > KeyCodec.MAX_GENERATION) {
            throw new IllegalArgumentException("generation limit must be in [0, " + KeyCodec.MAX_GENERATION
                    + "]: max=" + max);
        }
        this.maxGeneration = max;
        return this;
    }

    /**
     * Builds an open slab.
     *
     * @return a new slab
     * @throws IllegalStateException if {@code slotSize} was not set, or the domain is closed
     * @throws IllegalArgumentException if the options do not fit together (slot size not a multiple
     *     of the alignment, too many slabs, slabs too large)
     * @throws OutOfMemoryError if the fixed variant cannot allocate its slabs
     * @throws IllegalCallerException if the JVM denies this module native access
     *     ({@code --illegal-native-access=deny}); the message names the flag to add
     */
    public Slab build() {
        NativeAccess.ensure();
        if (slotSize < 0) {
            throw new IllegalStateException("slotSize must be set: Slab.builder(domain).slotSize(bytes)");
        }
        if (slotSize % alignment != 0) {
            throw new IllegalArgumentException("slotSize must be a multiple of alignment: slotSize="
                    + slotSize + ", alignment=" + alignment);
        }
        int perSlab = slotsPerSlab != 0 ? slotsPerSlab : defaultSlotsPerSlab();
        long slots = capacity != 0 ? capacity : Math.min(Slab.MAX_CAPACITY, (long) Slab.MAX_SLABS * perSlab);
        long slabs = (slots + perSlab - 1) / perSlab;
        if (slabs > Slab.MAX_SLABS) {
            throw new IllegalArgumentException("a slab instance holds at most " + Slab.MAX_SLABS + " slabs; raise slotsPerSlab:"
                    + " capacity=" + slots + ", slotsPerSlab=" + perSlab + ", slabs=" + slabs);
        }
        if (Math.multiplyHigh(perSlab, slotSize) != 0 || perSlab * slotSize > Slab.MAX_SLAB_BYTES) {
            throw new IllegalArgumentException("a slab must be at most " + Slab.MAX_SLAB_BYTES
                    + " bytes: slotsPerSlab=" + perSlab + ", slotSize=" + slotSize);
        }
        if (domain.isClosed()) {
            throw new IllegalStateException("epoch domain '" + domain.name() + "' is closed");
        }
        return new Slab(this, perSlab, slots);
    }

    private int defaultSlotsPerSlab() {
        long perHugePage = Math.max(1, OsMemory.DEFAULT_HUGE_PAGE / slotSize);
        long slots = capacity != 0 ? capacity : Slab.MAX_CAPACITY;
        long wanted = Math.min(Math.min(perHugePage, 1 << 16), Long.highestOneBit(slots - 1) << 1);
        return (int) Math.max(1, Long.highestOneBit(wanted));
    }
}
