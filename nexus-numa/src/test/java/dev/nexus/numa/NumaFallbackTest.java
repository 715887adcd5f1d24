package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.numa.internal.NumaBinding;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The fallbacks, forced through the fake binding: no libnuma, numa_available() &lt; 0, mbind refused
 * with EPERM. The allocators keep working, say that they are not node-placed and why, and placement
 * checks say "skipped".
 */
class NumaFallbackTest {

    private static void allocatorWorksUnplaced(NumaRuntime runtime, FakeNumaBinding binding, String reason) {
        NumaAllocator on1 = NumaAllocator.onNode(runtime, 1);
        assertThat(on1.isNodePlaced()).isFalse();
        assertThat(on1.placementPolicy()).startsWith("not node-placed").contains(reason).contains("MPOL_BIND to node 1");
        int mbinds = binding.mbinds.size();
        MemorySegment small = on1.allocate(48, 16);
        MemorySegment large = on1.allocate(3 << 20, 4096);
        small.set(ValueLayout.JAVA_LONG, 0, 7);
        large.set(ValueLayout.JAVA_LONG, (3 << 20) - 8, 9);
        assertThat(small.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(7);
        assertThat(large.get(ValueLayout.JAVA_LONG, (3 << 20) - 8)).isEqualTo(9);
        assertThat(binding.mbinds).as("no mbind in the fallback").hasSize(mbinds);
        on1.free(small);
        on1.free(large);
        assertThat(NumaAllocator.local(runtime).isNodePlaced()).isFalse();
    }

    /** Without libnuma: unplaced allocators, Placement.of refused with UnsupportedOperationException, check skipped. */
    @Test
    void noLibnuma() {
        FakeNumaBinding binding = new FakeNumaBinding();
        NumaRuntime runtime = Fixtures.runtime(binding, "two-node");
        allocatorWorksUnplaced(runtime, binding, "libnuma not found");
        NumaAllocator on0 = NumaAllocator.onNode(runtime, 0);
        MemorySegment s = on0.allocate(8192, 4096);
        assertThatThrownBy(() -> Placement.of(runtime, s)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("libnuma not found");
        PlacementCheck check = Placement.check(runtime, s, 0);
        assertThat(check.status()).isEqualTo(PlacementCheck.Status.SKIPPED);
        assertThat(check.detail()).startsWith("skipped: ").contains("libnuma");
        assertThat(check.passed()).isFalse();
        on0.free(s);
    }

    /** numa_available() &lt; 0: the same fallback, the reason names numa_available. */
    @Test
    void numaUnavailable() {
        FakeNumaBinding binding = new FakeNumaBinding().withNumaUnavailable();
        NumaRuntime runtime = Fixtures.runtime(binding, "two-node");
        allocatorWorksUnplaced(runtime, binding, "numa_available() returned -1");
        MemorySegment s = NumaAllocator.onNode(runtime, 0).allocate(4096, 4096);
        assertThat(Placement.check(runtime, s, 0).status()).isEqualTo(PlacementCheck.Status.SKIPPED);
    }

    /** mbind refused with EPERM (a container): the probe finds it, the allocators fall back and name EPERM. */
    @Test
    void mbindRefused() {
        FakeNumaBinding binding = new FakeNumaBinding().withLibnuma().withMbindErrno(NumaBinding.EPERM);
        NumaRuntime runtime = Fixtures.runtime(binding, "two-node");
        assertThat(runtime.placementProblem()).contains("mbind refused: EPERM (Operation not permitted)");
        assertThat(binding.mbinds).as("the probe").hasSize(1);
        allocatorWorksUnplaced(runtime, binding, "EPERM (Operation not permitted)");
        assertThat(runtime.topology().isNuma()).as("the topology itself is NUMA").isTrue();
    }

    /** A node that is not allowed is rejected even in the fallback: the caller asked for the impossible. */
    @Test
    void notAllowedNodeRejectedWithoutLibnuma() {
        NumaRuntime runtime = Fixtures.runtime(new FakeNumaBinding(), "eight-node-cpuset");
        assertThatThrownBy(() -> NumaAllocator.onNode(runtime, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowed nodes=[2, 3]");
        assertThatThrownBy(() -> NumaThreads.bindCurrentThread(runtime, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowed nodes=[2, 3]");
    }
}
