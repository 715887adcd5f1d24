package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeAllocator#malloc()} refuses, at {@code retire} or {@code free} time and with nothing
 * freed, every segment it did not hand out or no longer owns (issue 10, item 6). Each of these calls
 * aborted the JVM or freed twice before its allocations were validated.
 */
class ValidatedFreeTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    /** A segment of a shared, confined or automatic arena is refused by retire and free; the arena keeps it. */
    @Test
    void arenaSegmentsAreRefused() {
        try (EpochDomain domain = EpochDomain.create(); Arena shared = Arena.ofShared();
                Arena confined = Arena.ofConfined()) {
            MemorySegment[] segments = {shared.allocate(64), confined.allocate(64), Arena.ofAuto().allocate(64)};
            for (MemorySegment segment : segments) {
                assertThatThrownBy(() -> domain.retire(segment, MALLOC))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Arena");
                assertThatThrownBy(() -> MALLOC.free(segment))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Arena");
                segment.set(ValueLayout.JAVA_LONG, 0, 7L); // still the arena's, still usable
            }
            domain.barrier();
            assertThat(domain.stats().retiredCount()).isZero();
        }
    }

    /** A segment at an address malloc() never returned (here: inside another allocation) is refused. */
    @Test
    void foreignAddressIsRefused() {
        MemorySegment owner = MALLOC.allocate(256);
        MemorySegment foreign = MemorySegment.ofAddress(owner.address() + 64).reinterpret(64);
        try (EpochDomain domain = EpochDomain.create()) {
            // an earlier allocation may have started at that address and been freed: then the table
            // still knows it as freed (IllegalStateException), else not at all (IllegalArgumentException)
            assertThatThrownBy(() -> domain.retire(foreign, MALLOC))
                    .isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class)
                    .hasMessageContaining("0x" + Long.toHexString(foreign.address()))
                    .hasMessageContaining("nothing freed");
            assertThatThrownBy(() -> MALLOC.free(foreign))
                    .isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class);
            MemorySegment raw = MemorySegment.ofAddress(0x1000).reinterpret(8); // never a malloc result
            assertThatThrownBy(() -> domain.retire(raw, MALLOC)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0x1000 (8 bytes), nothing freed")
                    .hasMessageContaining("not the start of a live allocation");
            assertThatThrownBy(() -> MALLOC.free(raw)).isInstanceOf(IllegalArgumentException.class);
        }
        MALLOC.free(owner);
    }

    /** Slices (inside, or at the start with another size) are refused; the allocation is still freed once. */
    @Test
    void slicesAreRefused() {
        MemorySegment segment = MALLOC.allocate(128);
        MemorySegment inside = segment.asSlice(16);
        MemorySegment prefix = segment.asSlice(0, 64);
        try (EpochDomain domain = EpochDomain.create()) {
            // as in foreignAddressIsRefused: unknown, or known as freed from an earlier allocation
            assertThatThrownBy(() -> domain.retire(inside, MALLOC))
                    .isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class);
            assertThatThrownBy(() -> MALLOC.free(inside))
                    .isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class);
            assertThatThrownBy(() -> domain.retire(prefix, MALLOC)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("128 bytes").hasMessageContaining("64 bytes");
            assertThatThrownBy(() -> MALLOC.free(prefix)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("slice");
            domain.retire(segment, MALLOC); // the whole allocation is still the caller's
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
            assertThat(domain.stats().reclaimFailures()).isZero();
        }
    }

    /** A segment freed by hand after it was retired is refused; the domain's own free then succeeds once. */
    @Test
    void freeAfterRetireIsRefused() {
        try (EpochDomain domain = EpochDomain.create()) {
            MemorySegment segment = MALLOC.allocate(32);
            domain.retire(segment, MALLOC);
            assertThatThrownBy(() -> MALLOC.free(segment)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("retired");
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
            assertThat(domain.stats().reclaimFailures()).isZero();
            assertThatThrownBy(() -> MALLOC.free(segment)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already freed");
        }
    }

    /** Retiring a segment already freed by hand, or already freed by the domain, is refused. */
    @Test
    void retireAfterFreeIsRefused() {
        try (EpochDomain domain = EpochDomain.create()) {
            MemorySegment freedByHand = MALLOC.allocate(32);
            MALLOC.free(freedByHand);
            assertThatThrownBy(() -> domain.retire(freedByHand, MALLOC)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already freed");
            MemorySegment freedByDomain = MALLOC.allocate(48);
            domain.retire(freedByDomain, MALLOC);
            domain.barrier();
            assertThatThrownBy(() -> domain.retire(freedByDomain, MALLOC))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already freed");
            domain.barrier();
            assertThat(domain.stats().retiredCount()).isEqualTo(1);
            assertThat(domain.stats().reclaimFailures()).isZero();
        }
    }

    /** Retiring twice is refused while pending; a second free by hand is refused. */
    @Test
    void secondRetireAndSecondFreeAreRefused() {
        try (EpochDomain domain = EpochDomain.create()) {
            Guard hold = domain.pin();
            MemorySegment segment = MALLOC.allocate(32);
            domain.retire(segment, MALLOC);
            assertThatThrownBy(() -> domain.retire(segment, MALLOC)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already retired");
            hold.close();
            MemorySegment other = MALLOC.allocate(32);
            MALLOC.free(other);
            assertThatThrownBy(() -> MALLOC.free(other)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already freed");
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        }
    }

    /** Of threads racing to free the same segment, exactly one frees it and the others are refused. */
    @Test
    void racingFreesFreeOnce() {
        for (int round = 0; round < 200; round++) {
            MemorySegment segment = MALLOC.allocate(24);
            AtomicInteger freed = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            try (TestThreads threads = new TestThreads()) {
                for (int t = 0; t < 3; t++) {
                    threads.platform("free-" + t, () -> {
                        try {
                            MALLOC.free(segment);
                            freed.incrementAndGet();
                        } catch (IllegalStateException | IllegalArgumentException expected) {
                            refused.incrementAndGet();
                        }
                    });
                }
            }
            assertThat(freed.get()).as("frees that succeeded in round %d", round).isEqualTo(1);
            assertThat(refused.get()).isEqualTo(2);
        }
    }

    /** checked() refuses a second retire, a free by hand of a retired segment and a slice, like malloc(). */
    @Test
    void checkedAllocatorTakesPartInRetire() {
        NativeAllocator checked = NativeAllocator.checked();
        try (EpochDomain domain = EpochDomain.create()) {
            MemorySegment segment = checked.allocate(64);
            assertThatThrownBy(() -> domain.retire(segment.asSlice(0, 8), checked))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slice");
            domain.retire(segment, checked);
            assertThatThrownBy(() -> domain.retire(segment, checked)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already retired");
            assertThatThrownBy(() -> checked.free(segment)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("retired");
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
            assertThat(domain.stats().reclaimFailures()).isZero();
            assertThatThrownBy(() -> checked.free(segment)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("freed already");
        }
    }

    /**
     * With detectDoubleRetire(false) the allocator is not told about retires: a free by hand of a
     * retired malloc() segment is not refused, but the domain's later free is, so nothing is freed
     * twice; the failure is counted.
     */
    @Test
    void withoutRetireMarksTheSecondFreeIsStillRefused() {
        try (EpochDomain domain = EpochDomain.builder().detectDoubleRetire(false).build()) {
            Guard hold = domain.pin();
            MemorySegment segment = MALLOC.allocate(32);
            domain.retire(segment, MALLOC);
            MALLOC.free(segment); // the documented loss: not refused at this point
            hold.close();
            domain.barrier();
            assertThat(domain.stats().reclaimFailures()).isEqualTo(1);
            assertThat(domain.stats().reclaimedCount()).isZero();
        }
    }

    /** mallocUnchecked() allocates and frees without the table; its segments retire and free normally. */
    @Test
    void uncheckedMallocStillWorks() {
        NativeAllocator unchecked = NativeAllocator.mallocUnchecked();
        assertThat(unchecked.toString()).isEqualTo("NativeAllocator.mallocUnchecked()");
        assertThat(MALLOC.toString()).isEqualTo("NativeAllocator.malloc()");
        try (EpochDomain domain = EpochDomain.create()) {
            MemorySegment segment = unchecked.allocate(40, 64);
            assertThat(segment.address() % 64).isZero();
            domain.retire(segment, unchecked);
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
            unchecked.free(unchecked.allocate(8));
            assertThatThrownBy(() -> unchecked.free(MemorySegment.ofArray(new byte[4])))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * Threads allocating, freeing and retiring at once, so that malloc hands addresses from one
     * thread's frees to another's allocations: no legitimate free or retire is ever refused, and the
     * domain frees every retired segment exactly once.
     */
    @Test
    void concurrentUseIsNeverRefused() {
        int threadsCount = 4;
        int perThread = 20_000;
        try (EpochDomain domain = EpochDomain.create()) {
            try (TestThreads threads = new TestThreads()) {
                for (int t = 0; t < threadsCount; t++) {
                    threads.platform("churn-" + t, () -> {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        MemorySegment[] held = new MemorySegment[64];
                        for (int i = 0; i < perThread; i++) {
                            int slot = random.nextInt(held.length);
                            if (held[slot] != null) {
                                if (random.nextBoolean()) {
                                    MALLOC.free(held[slot]);
                                } else {
                                    domain.retire(held[slot], MALLOC);
                                }
                            }
                            held[slot] = MALLOC.allocate(1 + random.nextInt(200), random.nextBoolean() ? 8 : 64);
                        }
                        for (MemorySegment segment : held) {
                            if (segment != null) {
                                MALLOC.free(segment);
                            }
                        }
                    });
                }
            }
            domain.barrier();
            EpochStats stats = domain.stats();
            assertThat(stats.reclaimFailures()).isZero();
            assertThat(stats.reclaimedCount()).isEqualTo(stats.retiredCount());
        }
    }
}
