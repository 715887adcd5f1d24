package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real allocations through this machine's libnuma (skipped, with the reason, where libnuma is missing or
 * mbind is refused): pages are untouched until the first touch and then on the bound node.
 */
class NumaAllocatorRealTest {

    private NumaRuntime runtime;
    private int node;

    @BeforeEach
    void requireLibnuma() {
        runtime = RealLibnuma.require();
        node = runtime.topology().allowedNodes().getFirst();
    }

    /** A bound allocation has no page before its first touch, and every page on the node after it. */
    @Test
    void boundBeforeFirstTouch() {
        NumaAllocator on = NumaAllocator.onNode(node);
        assertThat(on.isNodePlaced()).isTrue();
        MemorySegment s = on.allocate(1 << 20, 4096);
        Placement before = Placement.of(s);
        assertThat(before.pages()).isEqualTo((1 << 20) / before.pageSize());
        assertThat(before.untouched()).isEqualTo(before.pages());
        assertThat(before.pagesOn(node)).isZero();
        s.fill((byte) 1);
        Placement after = Placement.of(s);
        assertThat(after.untouched()).isZero();
        assertThat(after.pagesOn(node)).isEqualTo(after.pages());
        PlacementCheck check = after.verifyOn(node);
        if (runtime.topology().allowedNodes().size() == 1) {
            assertThat(check.status()).isEqualTo(PlacementCheck.Status.SKIPPED);
            assertThat(check.detail()).startsWith("skipped: one node");
        } else {
            assertThat(check.status()).isEqualTo(PlacementCheck.Status.PASSED);
        }
        on.free(s);
        assertThat(on.mappedBytes()).isZero();
    }

    /**
     * Why the allocators map before touching: an {@code Arena} segment is zero-filled at allocation, so
     * every page is already placed (untouched() == 0) before any policy could apply.
     */
    @Test
    void arenaPlacesPagesAtAllocation() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(1 << 20, 4096);
            assertThat(Placement.of(s).untouched()).isZero();
        }
    }

    /** Prefault places every page at allocation; huge pages keep the size and 2 MiB alignment. */
    @Test
    void prefaultAndHugePages() {
        NumaAllocator on = NumaAllocator.onNode(node).withPrefault(true).withHugePages(true);
        MemorySegment s = on.allocate(4 << 20, 8);
        assertThat(s.address() % NodeMapper.HUGE_PAGE).isZero();
        assertThat(s.byteSize()).isEqualTo(4 << 20);
        Placement p = Placement.of(s);
        assertThat(p.untouched()).isZero();
        assertThat(p.pagesOn(node)).isEqualTo(p.pages());
        on.free(s);
    }

    /** A reused cached mapping is still on the node, every page already placed: no fault, no untouched page. */
    @Test
    void cachedMappingKeepsItsPlacement() {
        NumaAllocator on = NumaAllocator.onNode(node).withMappingCache(8 << 20);
        MemorySegment first = on.allocate(1 << 20, 4096);
        first.fill((byte) 3);
        on.free(first);
        MemorySegment again = on.allocate(1 << 20, 4096);
        assertThat(again.address()).isEqualTo(first.address());
        Placement p = Placement.of(again);
        assertThat(p.untouched()).isZero();
        assertThat(p.pagesOn(node)).isEqualTo(p.pages());
        on.free(again);
    }

    /** Every policy allocates real, writable memory of the size asked for, at the alignment asked for. */
    @Test
    void everyPolicyAllocates() {
        for (NumaAllocator a : List.of(NumaAllocator.onNode(node), NumaAllocator.preferred(node),
                NumaAllocator.interleaved(runtime.topology().allowedNodes()), NumaAllocator.local())) {
            for (long size : new long[] {0, 1, 64, 4000, 32 << 10, 100_000, 3 << 20}) {
                for (long alignment : new long[] {1, 8, 64, 4096, 1 << 16}) {
                    MemorySegment s = a.allocate(size, alignment);
                    assertThat(s.byteSize()).isEqualTo(size);
                    assertThat(s.address() % alignment).as("%s: %d bytes at %d", a, size, alignment).isZero();
                    if (size > 0) {
                        s.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 7);
                    }
                    a.free(s);
                }
            }
            assertThat(a.isNodePlaced()).isTrue();
        }
    }

    /** The topology of this machine: the current node is an allowed node, and its CPUs include the current CPU. */
    @Test
    void currentNodeOfThisMachine() {
        NumaTopology t = NumaTopology.current();
        assertThat(t.hasLibnuma()).isTrue();
        assertThat(t.allowedNodes()).isNotEmpty();
        int cpu = t.currentCpu();
        assertThat(cpu).isNotNegative();
        assertThat(t.allowedNodes()).contains(t.currentNode());
        assertThat(t.cpus(t.nodeOfCpu(cpu))).contains(cpu);
        assertThat(t.distance(node, node)).isEqualTo(NumaTopology.LOCAL_DISTANCE);
        assertThat(t.memoryTotal(node)).isPositive();
        if (t.allowedNodes().size() == 1) {
            assertThat(t.isNuma()).isFalse();
            assertThat(t.whyNot()).hasValueSatisfying(w -> assertThat(w).startsWith("one node"));
        }
    }

    /** Bad frees are rejected and free nothing: double free, slice, foreign, heap, wrong size. */
    @Test
    void badFreesRejected() {
        NumaAllocator on = NumaAllocator.onNode(node);
        MemorySegment small = on.allocate(64, 8);
        MemorySegment large = on.allocate(1 << 20, 8);
        assertThatThrownBy(() -> on.free(small.asSlice(8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not at its start");
        assertThatThrownBy(() -> on.free(large.asSlice(0, 4096))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size differs");
        assertThatThrownBy(() -> on.free(MemorySegment.ofArray(new long[2]))).isInstanceOf(IllegalArgumentException.class);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64);
            assertThatThrownBy(() -> on.free(foreign)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> NumaAllocator.onNode(node).free(small)).isInstanceOf(IllegalArgumentException.class);
        on.free(small);
        on.free(large);
        assertThatThrownBy(() -> on.free(small)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already freed");
        assertThatThrownBy(() -> on.free(large)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already freed");
        assertThatThrownBy(() -> on.allocate(-1, 8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes=-1");
        assertThatThrownBy(() -> on.allocate(8, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alignment=3");
    }

    /** A node this machine does not have is rejected with the allowed nodes named. */
    @Test
    void impossibleNodeRejected() {
        int missing = runtime.topology().nodes().getLast() + 6;
        assertThatThrownBy(() -> NumaAllocator.onNode(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node " + missing).hasMessageContaining("allowed nodes=" + runtime.topology().allowedNodes());
    }
}
