package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every public method rejects misuse with a precise exception and leaves the domain intact. */
class MisuseTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    /** Null arguments are rejected with NullPointerException naming the argument. */
    @Test
    void nullArguments() {
        try (EpochDomain domain = EpochDomain.create()) {
            assertThatThrownBy(() -> domain.retire(null, MALLOC)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("segment");
            MemorySegment segment = MALLOC.allocate(16);
            assertThatThrownBy(() -> domain.retire(segment, null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("allocator");
            assertThatThrownBy(() -> domain.defer(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("action");
            domain.retire(segment, MALLOC); // the domain still works
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        }
    }

    /** Heap segments and NULL cannot be retired. */
    @Test
    void heapAndNullSegments() {
        try (EpochDomain domain = EpochDomain.create()) {
            assertThatThrownBy(() -> domain.retire(MemorySegment.ofArray(new byte[8]), MALLOC))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
            assertThatThrownBy(() -> domain.retire(MemorySegment.NULL, MALLOC))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NULL");
        }
    }

    /** Every operation of a closed domain fails with a message naming the domain. */
    @Test
    void useAfterClose() {
        EpochDomain domain = EpochDomain.builder().name("closed-one").build();
        Participant participant = domain.register();
        domain.close();
        domain.close(); // idempotent
        assertThat(domain.isClosed()).isTrue();
        MemorySegment segment = MALLOC.allocate(8);
        for (Runnable op : new Runnable[] {domain::pin, participant::pin, domain::register,
                () -> domain.retire(segment, MALLOC), () -> domain.defer(() -> { }), domain::synchronize,
                domain::barrier}) {
            assertThatThrownBy(op::run).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'closed-one' is closed");
        }
        MALLOC.free(segment); // still ours: the failed retire did not take it
    }

    /** Closing a guard twice fails; the first close took effect. */
    @Test
    void guardClosedTwice() {
        try (EpochDomain domain = EpochDomain.create(); Participant p = domain.register()) {
            Guard pooled = domain.pin();
            pooled.close();
            assertThatThrownBy(pooled::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already closed");
            Guard owned = p.pin();
            owned.close();
            assertThatThrownBy(owned::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already closed");
            domain.synchronize(); // nothing is left pinned
        }
    }

    /** synchronize(), barrier() and close() fail fast inside a guard of the same domain. */
    @Test
    void waitingInsideOwnGuard() {
        try (EpochDomain domain = EpochDomain.builder().name("dl").build(); Participant p = domain.register()) {
            try (Guard g = domain.pin()) {
                assertThatThrownBy(domain::synchronize).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("synchronize()").hasMessageContaining("deadlock");
                assertThatThrownBy(domain::barrier).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("barrier()");
            }
            try (Guard g = p.pin()) {
                assertThatThrownBy(domain::synchronize).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("deadlock");
            }
            domain.synchronize(); // fine once the guards are closed
        }
    }

    /** close() inside its own guard fails, and succeeds once the guard is closed. */
    @Test
    void closeInsideOwnGuard() {
        EpochDomain domain = EpochDomain.create();
        Guard g = domain.pin();
        assertThatThrownBy(domain::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("close()");
        g.close();
        domain.close();
        assertThat(domain.isClosed()).isTrue();
    }

    /** A participant used from another thread, closed with an open guard, or out of order, fails. */
    @Test
    void participantMisuse() throws Exception {
        try (EpochDomain domain = EpochDomain.create()) {
            Participant p = domain.register();
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    p.pin();
                } catch (Throwable t) {
                    seen.set(t);
                }
            });
            other.join();
            assertThat(seen.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to");
            Guard outer = p.pin();
            Guard inner = p.pin();
            assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reverse order");
            assertThatThrownBy(p::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("open guard");
            inner.close();
            outer.close();
            p.close();
            assertThatThrownBy(p::pin).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    /** A participant guard cannot be closed on another thread. */
    @Test
    void participantGuardClosedElsewhere() throws Exception {
        try (EpochDomain domain = EpochDomain.create(); Participant p = domain.register()) {
            Guard g = p.pin();
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    g.close();
                } catch (Throwable t) {
                    seen.set(t);
                }
            });
            other.join();
            assertThat(seen.get()).isInstanceOf(IllegalStateException.class);
            g.close();
        }
    }

    /** Retiring a segment twice before it is freed fails; the first retire still frees it once. */
    @Test
    void doubleRetire() {
        try (EpochDomain domain = EpochDomain.create()) {
            Guard hold = domain.pin();
            MemorySegment segment = MALLOC.allocate(32);
            domain.retire(segment, MALLOC);
            assertThatThrownBy(() -> domain.retire(segment, MALLOC)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already retired");
            hold.close();
            domain.barrier();
            assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        }
    }

    /** Builder options reject out-of-range values with the rule and the value. */
    @Test
    void badBuilderOptions() {
        assertThatThrownBy(() -> EpochDomain.builder().garbageBudget(0, BudgetPolicy.FAIL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes=0");
        assertThatThrownBy(() -> EpochDomain.builder().garbageBudget(-5, BudgetPolicy.BLOCK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes=-5");
        assertThatThrownBy(() -> EpochDomain.builder().maxGuards(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxGuards=0");
        assertThatThrownBy(() -> EpochDomain.builder().maxParticipants(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxParticipants=-1");
        assertThatThrownBy(() -> EpochDomain.builder().stallThreshold(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EpochDomain.builder().name(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EpochDomain.builder().detector(null)).isInstanceOf(NullPointerException.class);
    }

    /** Under FAIL, a retire past the budget throws and the segment stays the caller's. */
    @Test
    void budgetFail() {
        try (EpochDomain domain = EpochDomain.builder().garbageBudget(4096, BudgetPolicy.FAIL).build()) {
            MemorySegment big = MALLOC.allocate(8192);
            assertThatThrownBy(() -> domain.retire(big, MALLOC)).isInstanceOf(GarbageBudgetExceededException.class)
                    .hasMessageContaining("4096").hasMessageContaining("alone exceeds");
            domain.retire(big.asSlice(0, 0).reinterpret(0), new NativeAllocator() {
                @Override
                public MemorySegment allocate(long bytes, long alignment) {
                    throw new UnsupportedOperationException("this test allocator only frees");
                }

                @Override
                public void free(MemorySegment segment) {
                    // zero-byte view of big: nothing to free
                }
            });
            MALLOC.free(big);
        }
    }

    /** Under BLOCK, a retire inside the caller's own guard that cannot fit fails fast. */
    @Test
    void budgetBlockInsideGuard() {
        try (EpochDomain domain = EpochDomain.builder().garbageBudget(8192, BudgetPolicy.BLOCK).build()) {
            try (Guard g = domain.pin()) {
                for (int i = 0; i < 2; i++) {
                    domain.retire(MALLOC.allocate(4096), MALLOC);
                }
                MemorySegment third = MALLOC.allocate(4096);
                assertThatThrownBy(() -> domain.retire(third, MALLOC)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("garbage budget");
                MALLOC.free(third);
            }
            domain.retire(MALLOC.allocate(4096), MALLOC); // outside the guard it waits and fits
            domain.barrier();
        }
    }

    /** The checked allocator turns a read after free into IllegalStateException. */
    @Test
    void checkedAllocatorCatchesUseAfterFree() {
        NativeAllocator checked = NativeAllocator.checked();
        MemorySegment segment = checked.allocate(16);
        segment.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 42);
        checked.free(segment);
        assertThatThrownBy(() -> segment.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> checked.free(segment)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("freed already");
        assertThatThrownBy(() -> checked.allocate(-1, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes=-1");
        assertThatThrownBy(() -> MALLOC.allocate(8, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alignment=3");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment aligned = MALLOC.allocate(100, 4096);
            assertThat(aligned.address() % 4096).isZero();
            assertThat(aligned.byteSize()).isEqualTo(100);
            MALLOC.free(aligned);
            assertThat(arena).isNotNull();
        }
    }
}
