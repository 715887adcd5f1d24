package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.numa.internal.NumaBinding;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Placement's reading of move_pages statuses and its verdicts, on simulated machines. */
class PlacementTest {

    private final FakeNumaBinding binding = new FakeNumaBinding().withLibnuma();
    private final NumaRuntime twoNodes = Fixtures.runtime(binding, "two-node");

    /** Pages bound to node 1 are counted on node 1; the check passes for 1 and fails for 0, naming the pages. */
    @Test
    void verdictsOnTwoNodes() {
        NumaAllocator on1 = NumaAllocator.onNode(twoNodes, 1);
        MemorySegment s = on1.allocate(16 * 4096, 4096);
        Placement p = Placement.of(twoNodes, s);
        assertThat(p.pages()).isEqualTo(16);
        assertThat(p.pagesOn(1)).isEqualTo(16);
        assertThat(p.verifyOn(1).status()).isEqualTo(PlacementCheck.Status.PASSED);
        PlacementCheck wrong = p.verifyOn(0);
        assertThat(wrong.status()).isEqualTo(PlacementCheck.Status.FAILED);
        assertThat(wrong.offNodePages()).hasSize(16).startsWith(0, 1, 2);
        assertThat(wrong.detail()).contains("16 of 16 touched pages are not on nodes [0]").contains("page 0 (0x")
                .contains("on node 1");
        assertThat(p.verifyOn(List.of(0, 1)).passed()).isTrue();
        on1.free(s);
    }

    /** -ENOENT and -EFAULT are untouched pages, not node 0; a mixed range names exactly the off-node page. */
    @Test
    void untouchedIsNotNodeZero() {
        binding.pageStatus = new int[] {1, -NumaBinding.ENOENT, 0, -NumaBinding.EFAULT};
        MemorySegment s = NumaAllocator.onNode(twoNodes, 1).allocate(4 * 4096, 4096);
        Placement p = Placement.of(twoNodes, s);
        assertThat(p.untouched()).isEqualTo(2);
        assertThat(p.pagesOn(0)).isEqualTo(1);
        assertThat(p.pagesOn(1)).isEqualTo(1);
        assertThat(p.nodeOfPage(1)).isEqualTo(-1);
        assertThat(p.nodeOfPage(2)).isEqualTo(0);
        assertThat(p.pagesByNode()).containsExactly(java.util.Map.entry(0, 1), java.util.Map.entry(1, 1));
        PlacementCheck check = p.verifyOn(1);
        assertThat(check.status()).isEqualTo(PlacementCheck.Status.FAILED);
        assertThat(check.offNodePages()).containsExactly(2);
        assertThatThrownBy(() -> p.nodeOfPage(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** No page touched yet: the check is skipped, not passed. */
    @Test
    void nothingTouchedIsSkipped() {
        binding.pageStatus = new int[] {-NumaBinding.ENOENT};
        MemorySegment s = NumaAllocator.onNode(twoNodes, 0).allocate(8 * 4096, 4096);
        PlacementCheck check = Placement.of(twoNodes, s).verifyOn(0);
        assertThat(check.status()).isEqualTo(PlacementCheck.Status.SKIPPED);
        assertThat(check.detail()).contains("no page touched yet");
    }

    /** On a machine with one node the verdict is "skipped: one node", even when every page is on node 0. */
    @Test
    void oneNodeIsSkipped() {
        FakeNumaBinding single = new FakeNumaBinding().withLibnuma();
        NumaRuntime runtime = new NumaRuntime(single, Path.of("/nonexistent-nexus-root"));
        assertThat(runtime.topology().nodes()).containsExactly(0);
        single.pageStatus = new int[] {0};
        MemorySegment s = NumaAllocator.onNode(runtime, 0).allocate(4096, 4096);
        PlacementCheck check = Placement.check(runtime, s, 0);
        assertThat(check.status()).isEqualTo(PlacementCheck.Status.SKIPPED);
        assertThat(check.detail()).startsWith("skipped: one node");
    }

    /** A segment spanning parts of pages counts every page it touches; a move_pages failure carries errno. */
    @Test
    void pageCountingAndErrors() {
        MemorySegment s = NumaAllocator.onNode(twoNodes, 0).allocate(3 * 4096, 4096);
        assertThat(Placement.of(twoNodes, s.asSlice(4000, 200)).pages()).isEqualTo(2);
        assertThat(Placement.of(twoNodes, s.asSlice(0, 0)).pages()).isZero();
        assertThatThrownBy(() -> Placement.of(twoNodes, MemorySegment.ofArray(new byte[8])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
        NumaRuntime invalid = new NumaRuntime(new FailingMovePages(binding, NumaBinding.EINVAL), Fixtures.root("two-node"));
        assertThatThrownBy(() -> Placement.of(invalid, s)).isInstanceOf(NumaException.class)
                .hasMessageContaining("numa_move_pages(0, 3").hasMessageContaining("errno=22 (Invalid argument)");
    }

    /** move_pages refused (EPERM in a container): Placement.of is unsupported, and the check is skipped, never passed. */
    @Test
    void movePagesRefused() {
        MemorySegment s = NumaAllocator.onNode(twoNodes, 0).allocate(4096, 4096);
        NumaRuntime refused = new NumaRuntime(new FailingMovePages(binding, NumaBinding.EPERM), Fixtures.root("two-node"));
        assertThatThrownBy(() -> Placement.of(refused, s)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("refuses move_pages").hasMessageContaining("EPERM (Operation not permitted)");
        PlacementCheck check = Placement.check(refused, s, 0);
        assertThat(check.status()).isEqualTo(PlacementCheck.Status.SKIPPED);
        assertThat(check.detail()).contains("EPERM");
    }

    /** The fake binding with a move_pages that fails with one errno. */
    private static final class FailingMovePages implements NumaBinding {
        private final NumaBinding d;
        private final int errno;

        FailingMovePages(NumaBinding delegate, int errno) {
            this.d = delegate;
            this.errno = errno;
        }

        @Override public String libnumaProblem() { return d.libnumaProblem(); }
        @Override public int numaAvailable() { return d.numaAvailable(); }
        @Override public int maxPossibleNode() { return d.maxPossibleNode(); }
        @Override public long[] nodeMemory(int node) { return d.nodeMemory(node); }
        @Override public int distance(int a, int b) { return d.distance(a, b); }
        @Override public int[] nodeCpus(int node) { return d.nodeCpus(node); }
        @Override public int[] memsAllowed() { return d.memsAllowed(); }
        @Override public int nodeOfCpu(int cpu) { return d.nodeOfCpu(cpu); }
        @Override public int currentCpu() { return d.currentCpu(); }
        @Override public int[] affinity() { return d.affinity(); }
        @Override public int setAffinity(int[] cpus) { return d.setAffinity(cpus); }
        @Override public long pageSize() { return d.pageSize(); }
        @Override public long mmap(long bytes) { return d.mmap(bytes); }
        @Override public int munmap(long address, long bytes) { return d.munmap(address, bytes); }
        @Override public int mbind(long a, long b, int m, long[] n, long x) { return d.mbind(a, b, m, n, x); }
        @Override public int madvise(long a, long b, int advice) { return d.madvise(a, b, advice); }
        @Override public int movePages(long[] pages, int[] status) { return errno; }
        @Override public String strerror(int errno) { return d.strerror(errno); }
    }
}
