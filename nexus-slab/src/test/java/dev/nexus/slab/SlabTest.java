package dev.nexus.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.slab.internal.SlabDirectory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The slab's API contract, bad input and lifecycle, one thread. */
class SlabTest {

    private EpochDomain domain;

    @BeforeEach
    void openDomain() {
        domain = EpochDomain.builder().name("slab-test").build();
    }

    @AfterEach
    void closeDomain() {
        domain.close();
    }

    private SlabBuilder slab() {
        return Slab.builder(domain).name("s").slotSize(64).capacity(1024);
    }

    /** An inserted record is found by its key inside a guard, and its key is stale after removal. */
    @Test
    void insertGetRemove() {
        try (Slab slab = slab().build()) {
            long key = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, 42L));
            assertThat(key).isNotNegative();
            assertThat(slab.contains(key)).isTrue();
            assertThat(slab.size()).isEqualTo(1);
            try (Guard _ = domain.pin()) {
                MemorySegment s = slab.get(key);
                assertThat(s.byteSize()).isEqualTo(64);
                assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(42L);
            }
            assertThat(slab.remove(key)).isTrue();
            assertThat(slab.get(key)).isNull();
            assertThat(slab.contains(key)).isFalse();
            assertThat(slab.remove(key)).isFalse();
            assertThat(slab.size()).isZero();
        }
    }

    /** Every slot segment has the slot size and the requested alignment. */
    @Test
    void slotsAreAligned() {
        try (Slab slab = Slab.builder(domain).slotSize(192).alignment(64).slotsPerSlab(16).capacity(100).build()) {
            for (int i = 0; i < 100; i++) {
                MemorySegment s = slab.get(slab.insert(x -> { }));
                assertThat(s.byteSize()).isEqualTo(192);
                assertThat(s.address() % 64).isZero();
            }
            assertThat(slab.insert(x -> { })).isEqualTo(Slab.FULL);
        }
    }

    /** A key of another open slab is rejected with a message naming the rule, and both slabs stay usable. */
    @Test
    void keyOfAnotherSlabIsRejected() {
        try (Slab a = slab().name("a").build(); Slab b = slab().name("b").build()) {
            long keyOfA = a.insert(s -> { });
            long keyOfB = b.insert(s -> { });
            assertThatThrownBy(() -> b.get(keyOfA)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key belongs to another slab").hasMessageContaining(Long.toHexString(keyOfA))
                    .hasMessageContaining("slab 'b'");
            assertThatThrownBy(() -> b.remove(keyOfA)).isInstanceOf(IllegalArgumentException.class);
            assertThat(b.contains(keyOfA)).isFalse();
            assertThat(a.contains(keyOfA)).isTrue();
            assertThat(b.contains(keyOfB)).isTrue();
            assertThat(b.insert(s -> { })).isNotNegative();
        }
    }

    /** FULL, negative values and keys beyond the capacity are rejected by get and remove, false for contains. */
    @Test
    void valuesNeverIssuedAreRejected() {
        try (Slab slab = slab().capacity(10).build()) {
            long key = slab.insert(s -> { });
            long beyond = key | (1000L << 32); // same tag, slot index 1000 >= capacity 10
            for (long bad : new long[] {Slab.FULL, Long.MIN_VALUE, beyond}) {
                assertThatThrownBy(() -> slab.get(bad)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("key");
                assertThatThrownBy(() -> slab.remove(bad)).isInstanceOf(IllegalArgumentException.class);
                assertThat(slab.contains(bad)).isFalse();
            }
            assertThatThrownBy(() -> slab.get(Slab.FULL)).hasMessageContaining("never negative").hasMessageContaining("key=-1");
            assertThatThrownBy(() -> slab.get(beyond)).hasMessageContaining("beyond the capacity 10");
            assertThat(slab.contains(key)).isTrue();
        }
    }

    /** A key in a slab that was never allocated is rejected as not issued by this slab. */
    @Test
    void keyInUnallocatedSlabIsRejected() {
        try (Slab slab = slab().slotsPerSlab(16).capacity(1024).build()) {
            long key = slab.insert(s -> { });
            long farSlab = key | (512L << 32);
            assertThatThrownBy(() -> slab.get(farSlab)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("never allocated");
            assertThat(slab.contains(farSlab)).isFalse();
        }
    }

    /** Builder options are validated with messages that name the rule and the value. */
    @Test
    void badOptionsAreRejected() {
        SlabBuilder b = Slab.builder(domain);
        assertThatThrownBy(() -> b.slotSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slotSize must be in [1, 1073741824]: slotSize=0");
        assertThatThrownBy(() -> b.alignment(12)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("alignment must be a power of two in [1, 2097152]: alignment=12");
        assertThatThrownBy(() -> b.slotsPerSlab(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slotsPerSlab must be a power of two in [1, 67108864]: slotsPerSlab=1000");
        assertThatThrownBy(() -> b.capacity(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be in [1, 67108864]: capacity=0");
        assertThatThrownBy(() -> b.capacity(Slab.MAX_CAPACITY + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.name(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.allocator(null)).isInstanceOf(NullPointerException.class).hasMessage("allocator");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("slotSize must be set");
        assertThatThrownBy(() -> Slab.builder(domain).slotSize(12).alignment(8).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slotSize must be a multiple of alignment: slotSize=12, alignment=8");
        assertThatThrownBy(() -> Slab.builder(domain).slotSize(8).slotsPerSlab(1).capacity(Slab.MAX_CAPACITY).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raise slotsPerSlab")
                .hasMessageContaining("slotsPerSlab=1");
        assertThatThrownBy(() -> Slab.builder(domain).slotSize(1 << 30).slotsPerSlab(1 << 12).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a slab must be at most");
        try (Slab slab = b.slotSize(16).capacity(8).build()) { // the rejected calls left the builder usable
            assertThat(slab.insert(s -> { })).isNotNegative();
        }
    }

    /** Every method fails with a message naming the slab once it is closed; close is idempotent. */
    @Test
    void useAfterCloseIsRejected() {
        Slab slab = slab().name("closing").build();
        long key = slab.insert(s -> { });
        slab.close();
        slab.close();
        assertThat(slab.isClosed()).isTrue();
        List<Runnable> uses = List.of(() -> slab.insert(s -> { }), () -> slab.get(key), () -> slab.contains(key),
                () -> slab.remove(key), slab::reserve, slab::keys);
        for (Runnable use : uses) {
            assertThatThrownBy(use::run).isInstanceOf(IllegalStateException.class)
                    .hasMessage("slab 'closing' is closed");
        }
    }

    /** Closing inside a guard of the domain fails clearly; closing again outside the guard frees the slabs. */
    @Test
    void closeInsideGuardFailsThenSucceedsOutside() {
        AtomicInteger frees = new AtomicInteger();
        Slab slab = slab().allocator(counting(new AtomicInteger(), frees)).build();
        slab.insert(s -> { });
        try (Guard _ = domain.pin()) {
            assertThatThrownBy(slab::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("call close() again outside the guard");
        }
        assertThat(frees).hasValue(0);
        slab.close();
        assertThat(frees).hasValue(1);
    }

    /** Closing frees exactly the slabs that were allocated, through the slab's allocator. */
    @Test
    void closeFreesEverySlab() {
        AtomicInteger allocations = new AtomicInteger();
        AtomicInteger frees = new AtomicInteger();
        Slab slab = slab().slotsPerSlab(8).capacity(1000).allocator(counting(allocations, frees)).build();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add(slab.insert(s -> { }));
        }
        keys.forEach(slab::remove); // pending recycles must run before the slabs go
        assertThat(allocations).hasValue(13);
        slab.close();
        assertThat(frees).hasValue(13);
    }

    /** With the checked allocator, a segment used after close throws instead of reading freed memory. */
    @Test
    void closeReallyFreesTheMemory() {
        MemorySegment s;
        try (Slab slab = slab().allocator(NativeAllocator.checked()).build()) {
            s = slab.get(slab.insert(x -> x.set(ValueLayout.JAVA_LONG, 0, 7L)));
            assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(7L);
        }
        assertThatThrownBy(() -> s.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
    }

    /** The fixed variant allocates everything up front, reports FULL as a value and never grows. */
    @Test
    void fixedReportsFullAsValue() {
        try (Slab slab = slab().fixed().capacity(10).slotsPerSlab(4).build()) {
            assertThat(slab.report().slabs()).isEqualTo(3);
            assertThat(slab.report().fixed()).isTrue();
            List<Long> keys = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                keys.add(slab.insert(s -> { }));
            }
            assertThat(keys).doesNotContain(Slab.FULL).doesNotHaveDuplicates();
            assertThat(slab.insert(s -> { })).isEqualTo(Slab.FULL);
            assertThat(slab.reserve()).isNull();
            assertThat(slab.size()).isEqualTo(slab.capacity()).isEqualTo(10);
            slab.remove(keys.getFirst());
            domain.barrier(); // the removed slot's grace period passes and it is recycled
            assertThat(slab.insert(s -> { })).isNotNegative();
            assertThat(slab.report().slabs()).isEqualTo(3);
        }
    }

    /** A throwing init propagates, leaves no record, and its slot is reused with a fresh generation. */
    @Test
    void throwingInitLeavesNoRecord() {
        try (Slab slab = slab().capacity(1).build()) {
            RuntimeException boom = new RuntimeException("boom");
            assertThatThrownBy(() -> slab.insert(s -> {
                throw boom;
            })).isSameAs(boom);
            assertThat(slab.size()).isZero();
            assertThat(slab.keys().hasNext()).isFalse();
            assertThat(slab.insert(s -> { })).isNotNegative(); // the one slot is free again at once
        }
    }

    /** A vacant entry's key is known before commit, stale until commit, and live afterwards. */
    @Test
    void vacantEntryForSelfReference() {
        try (Slab slab = slab().build()) {
            long key;
            try (VacantEntry entry = slab.reserve()) {
                key = entry.key();
                entry.segment().set(ValueLayout.JAVA_LONG, 0, key);
                assertThat(slab.contains(key)).isFalse();
                assertThat(slab.get(key)).isNull();
                assertThat(slab.remove(key)).isFalse();
                assertThat(entry.commit()).isEqualTo(key);
                assertThatThrownBy(entry::segment).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("is committed");
                assertThatThrownBy(entry::commit).isInstanceOf(IllegalStateException.class);
            }
            try (Guard _ = domain.pin()) {
                assertThat(slab.get(key).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(key);
            }
            assertThat(slab.size()).isEqualTo(1);
        }
    }

    /** An abandoned reservation leaves its key stale forever while its slot is reused at once. */
    @Test
    void abandonedReservationKeyStaysStale() {
        try (Slab slab = slab().capacity(1).build()) {
            VacantEntry entry = slab.reserve();
            long abandoned = entry.key();
            entry.close();
            assertThat(entry.isOpen()).isFalse();
            long key = slab.insert(s -> { });
            assertThat(key).isNotEqualTo(abandoned).isNotNegative();
            assertThat(slab.contains(abandoned)).isFalse();
            assertThat(slab.get(abandoned)).isNull();
            assertThat(slab.contains(key)).isTrue();
        }
    }

    /** Committing after the slab was closed fails, and the reservation is abandoned. */
    @Test
    void commitAfterCloseFails() {
        Slab slab = slab().build();
        VacantEntry entry = slab.reserve();
        try (TestThreads threads = new TestThreads()) {
            threads.platform("closer", slab::close); // waits for the entry's guard
            while (!slab.isClosed()) {
                Thread.onSpinWait();
            }
            assertThatThrownBy(entry::commit).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is closed");
            assertThat(entry.isOpen()).isFalse();
        }
    }

    /** Iteration returns each live key once and no removed key. */
    @Test
    void iterationReturnsLiveKeys() {
        try (Slab slab = slab().slotsPerSlab(16).build()) {
            Set<Long> live = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                long key = slab.insert(s -> { });
                if (i % 2 == 0) {
                    slab.remove(key);
                } else {
                    live.add(key);
                }
            }
            Set<Long> seen = new HashSet<>();
            for (PrimitiveIterator.OfLong it = slab.keys(); it.hasNext(); ) {
                assertThat(seen.add(it.nextLong())).isTrue();
            }
            assertThat(seen).isEqualTo(live);
            assertThat(slab.size()).isEqualTo(50);
        }
    }

    /** A recycled slot is the first one reused (LIFO), under a new key. */
    @Test
    void recycledSlotIsReusedFirst() {
        try (Slab slab = slab().build()) {
            long first = slab.insert(s -> { });
            for (int i = 0; i < 10; i++) {
                slab.insert(s -> { });
            }
            long address = slab.get(first).address();
            slab.remove(first);
            domain.barrier();
            long again = slab.insert(s -> { });
            assertThat(again).isNotEqualTo(first);
            assertThat(slab.get(again).address()).isEqualTo(address);
        }
    }

    /** With poisoning, a recycled slot holds only poison until it is written again. */
    @Test
    void recycledSlotIsPoisoned() {
        try (Slab slab = slab().poisonOnRecycle(true).build()) {
            long key = slab.insert(s -> s.fill((byte) 1));
            slab.remove(key);
            domain.barrier();
            try (VacantEntry entry = slab.reserve()) {
                MemorySegment s = entry.segment();
                for (long i = 0; i < s.byteSize(); i++) {
                    assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isEqualTo(Slab.POISON);
                }
            }
        }
    }

    /** Huge pages and mlock never fail the slab: the report says what was asked, granted and refused. */
    @Test
    void hugePagesAndMlockAreReported() {
        try (Slab slab = slab().hugePages(true).mlock(true).slotsPerSlab(1 << 15).capacity(1 << 16).build()) {
            for (int i = 0; i < (1 << 15) + 1; i++) { // two slabs
                slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, 1L));
            }
            SlabReport report = slab.report();
            assertThat(report.slabs()).isEqualTo(2);
            SlabReport.HugePages huge = report.hugePages();
            assertThat(huge.requested()).isTrue();
            assertThat(huge.pageSize()).isPositive();
            assertThat(huge.advisedSlabs() + huge.failedSlabs()).isEqualTo(2);
            assertThat(huge.detail()).contains("madvise(MADV_HUGEPAGE)").contains(huge.mode());
            SlabReport.Mlock lock = report.mlock();
            assertThat(lock.requested()).isTrue();
            assertThat(lock.lockedSlabs() + lock.failedSlabs()).isEqualTo(2);
            if (lock.failedSlabs() > 0) {
                assertThat(lock.detail()).contains("errno=").contains("RLIMIT_MEMLOCK");
            } else {
                assertThat(lock.lockedBytes()).isEqualTo(report.allocatedBytes());
            }
            System.out.println("hugePages: " + huge.detail() + "\nmlock: " + lock.detail());
        }
    }

    /** A slab smaller than a huge page is not advised, and the report says why. */
    @Test
    void smallSlabIsNotAdvised() {
        try (Slab slab = slab().hugePages(true).slotsPerSlab(16).build()) {
            slab.insert(s -> { });
            SlabReport.HugePages huge = slab.report().hugePages();
            assertThat(huge.failedSlabs()).isEqualTo(1);
            assertThat(huge.detail()).contains("smaller than a huge page").contains("raise slotsPerSlab");
        }
    }

    /** The mlock failure message names the call, its arguments, errno and the memlock limit. */
    @Test
    void mlockFailureMessage() {
        assertThat(SlabDirectory.mlockFailure(0x1000, 4096, 12, "soft=65536 bytes hard=65536 bytes"))
                .isEqualTo("mlock(0x1000, 4096) failed: errno=12 (ENOMEM); RLIMIT_MEMLOCK soft=65536 bytes"
                        + " hard=65536 bytes; raise the limit (ulimit -l, limits.conf) or grant CAP_IPC_LOCK");
    }

    /** Operations after the domain closed fail with the domain's message. */
    @Test
    void closedDomainIsReported() {
        Slab slab = slab().build();
        long key = slab.insert(s -> { });
        domain.close();
        assertThatThrownBy(() -> slab.insert(s -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("epoch domain 'slab-test' is closed");
        assertThatThrownBy(() -> slab.remove(key)).isInstanceOf(IllegalStateException.class);
        slab.close(); // frees the slabs although the domain is gone
        assertThatThrownBy(() -> Slab.builder(domain).slotSize(8).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }

    static NativeAllocator counting(AtomicInteger allocations, AtomicInteger frees) {
        return new NativeAllocator() {
            @Override
            public MemorySegment allocate(long bytes, long alignment) {
                allocations.incrementAndGet();
                return NativeAllocator.malloc().allocate(bytes, alignment);
            }

            @Override
            public void free(MemorySegment segment) {
                frees.incrementAndGet();
                NativeAllocator.malloc().free(segment);
            }
        };
    }

    /**
     * A value no slab issued that carries this slab's tag and a valid slot is taken as a stale key
     * (get null, remove false, contains false), as the class documentation says, not an exception.
     */
    @Test
    void foreignValueWithThisSlabsTagReadsAsStale() {
        try (Slab slab = slab().build()) {
            long key = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, 1L));
            long forged = key ^ 0x5A5A_5A5AL; // same tag and slot, another generation field
            try (Guard _ = domain.pin()) {
                assertThat(slab.get(forged)).isNull();
            }
            assertThat(slab.contains(forged)).isFalse();
            assertThat(slab.remove(forged)).isFalse();
            assertThat(slab.contains(key)).isTrue();
        }
    }

    /** The VacantEntry class example, run on a full slab, returns FULL instead of throwing. */
    @Test
    void vacantEntryExampleOnAFullSlab() {
        try (Slab slab = slab().fixed().capacity(2).slotsPerSlab(2).build()) {
            long first = insertSelfReferencing(slab);
            long second = insertSelfReferencing(slab);
            assertThat(first).isNotNegative();
            assertThat(second).isNotNegative();
            assertThat(insertSelfReferencing(slab)).isEqualTo(Slab.FULL);
            try (Guard _ = domain.pin()) {
                assertThat(slab.get(first).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(first);
            }
        }
    }

    /** The example of {@link VacantEntry}'s class documentation, verbatim. */
    private static long insertSelfReferencing(Slab slab) {
        try (VacantEntry entry = slab.reserve()) {    // null when no slot is free
            if (entry == null) {
                return Slab.FULL;                     // (try-with-resources skips a null resource)
            }
            MemorySegment node = entry.segment();
            node.set(ValueLayout.JAVA_LONG, 0, entry.key());   // the record refers to itself
            return entry.commit();                               // now get(key) finds it
        }
    }
}
