package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.numa.internal.NumaBinding;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The allocators' policy decisions on simulated multi-node machines, through the fake binding: which
 * mode, which nodemask bits, which maxnode, which lengths are mapped and unmapped. The memory is real
 * (mmap of the C library); only libnuma's answers and the mbind calls are simulated.
 */
class NumaAllocatorPolicyTest {

    private final FakeNumaBinding binding = new FakeNumaBinding().withLibnuma();
    private final NumaRuntime fourNodes = Fixtures.runtime(binding, "four-node");

    /** onNode(n) binds with MPOL_BIND, bit n alone in the mask, maxnode = mask bits + 1. */
    @Test
    void onNodeBindsStrictly() {
        NumaAllocator on2 = NumaAllocator.onNode(fourNodes, 2);
        binding.mbinds.clear(); // the probe's
        MemorySegment s = on2.allocate(1 << 20, 4096);
        FakeNumaBinding.MbindCall call = binding.lastMbind();
        assertThat(call.mode()).isEqualTo(NumaBinding.MPOL_BIND);
        assertThat(call.nodemask()).containsExactly(1L << 2);
        assertThat(call.maxnode()).isEqualTo(65);
        assertThat(call.address()).isEqualTo(s.address());
        assertThat(call.bytes()).isEqualTo(1 << 20);
        assertThat(on2.isNodePlaced()).isTrue();
        assertThat(on2.placementPolicy()).isEqualTo("MPOL_BIND to node 2");
        on2.free(s);
    }

    /** preferred(n) uses MPOL_PREFERRED with bit n. */
    @Test
    void preferredUsesPreferred() {
        NumaAllocator p3 = NumaAllocator.preferred(fourNodes, 3);
        MemorySegment s = p3.allocate(100_000, 8);
        assertThat(binding.lastMbind().mode()).isEqualTo(NumaBinding.MPOL_PREFERRED);
        assertThat(binding.lastMbind().nodes()).containsExactly(3);
        p3.free(s);
    }

    /** interleaved(nodes) uses MPOL_INTERLEAVE with one bit per node. */
    @Test
    void interleavedSetsEveryBit() {
        NumaAllocator i = NumaAllocator.interleaved(fourNodes, List.of(3, 0, 1));
        MemorySegment s = i.allocate(4 << 20, 4096);
        assertThat(binding.lastMbind().mode()).isEqualTo(NumaBinding.MPOL_INTERLEAVE);
        assertThat(binding.lastMbind().nodemask()).containsExactly(0b1011L);
        assertThat(i.nodes()).containsExactly(0, 1, 3);
        assertThat(i.placementPolicy()).isEqualTo("MPOL_INTERLEAVE over nodes 0-1,3");
        i.free(s);
    }

    /** local() follows the CPU the caller runs on at each call: MPOL_PREFERRED to that CPU's node. */
    @Test
    void localFollowsTheCallersNode() {
        NumaAllocator local = NumaAllocator.local(fourNodes);
        binding.currentCpu = 20; // node 2
        MemorySegment a = local.allocate(64 << 10, 8);
        assertThat(binding.lastMbind().mode()).isEqualTo(NumaBinding.MPOL_PREFERRED);
        assertThat(binding.lastMbind().nodes()).containsExactly(2);
        binding.currentCpu = 4; // node 1
        MemorySegment b = local.allocate(64 << 10, 8);
        assertThat(binding.lastMbind().nodes()).containsExactly(1);
        binding.currentCpu = 16; // node 1 again: small blocks come from node 1's chunk
        MemorySegment small = local.allocate(64, 8);
        assertThat(binding.lastMbind().nodes()).containsExactly(1);
        assertThat(binding.lastMbind().bytes()).isEqualTo(ChunkPool.CHUNK);
        local.free(a);
        local.free(b);
        local.free(small);
    }

    /** A node that does not exist or is not allowed is an IllegalArgumentException naming the allowed nodes. */
    @Test
    void notAllowedNodesRejected() {
        assertThatThrownBy(() -> NumaAllocator.onNode(fourNodes, 7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node 7").hasMessageContaining("allowed nodes=[0, 1, 2, 3]");
        NumaRuntime cpuset = Fixtures.runtime(new FakeNumaBinding().withLibnuma(), "eight-node-cpuset");
        assertThatThrownBy(() -> NumaAllocator.onNode(cpuset, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowed nodes=[2, 3]").hasMessageContaining("machine nodes=[0, 1, 2, 3, 4, 5, 6, 7]");
        assertThatThrownBy(() -> NumaAllocator.preferred(cpuset, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NumaAllocator.interleaved(cpuset, List.of(2, 4))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node 4");
        assertThatThrownBy(() -> NumaAllocator.interleaved(cpuset, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NumaAllocator.interleaved(cpuset, List.of(2, 2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distinct");
        assertThat(NumaAllocator.onNode(cpuset, 3).nodes()).containsExactly(3);
    }

    /** Small allocations share one bound chunk: a thousand 64-byte blocks cost one mmap and one mbind. */
    @Test
    void smallAllocationsShareChunks() {
        NumaAllocator on1 = NumaAllocator.onNode(fourNodes, 1);
        int before = binding.mbinds.size();
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            segments.add(on1.allocate(64, 8));
        }
        assertThat(binding.mbinds.size() - before).isEqualTo(1);
        assertThat(on1.mappedBytes()).isEqualTo(ChunkPool.CHUNK);
        assertThat(segments).extracting(MemorySegment::address).doesNotHaveDuplicates();
        segments.forEach(on1::free);
        assertThat(on1.mappedBytes()).isEqualTo(ChunkPool.CHUNK); // the last chunk of a class stays
    }

    /** A large allocation is unmapped with exactly the length that was mapped (over-mapped for alignment). */
    @Test
    void freeUnmapsTheMappedLength() {
        NumaAllocator on0 = NumaAllocator.onNode(fourNodes, 0);
        MemorySegment s = on0.allocate(100_000, 1 << 16);
        assertThat(s.address() % (1 << 16)).isZero();
        long mapped = binding.mmaps.getLast();
        assertThat(mapped).isEqualTo(NodeMapper.roundUp(100_000, 4096) + (1 << 16) - 4096);
        assertThat(binding.lastMbind().bytes()).isEqualTo(mapped);
        on0.free(s);
        assertThat(binding.munmaps.getLast().bytes()).isEqualTo(mapped);
        assertThat(on0.mappedBytes()).isZero();
    }

    /** Prefault of a preferred policy on a node the caller does not run on binds a toucher thread to that node's CPUs. */
    @Test
    void prefaultTouchesFromTheTargetNode() {
        binding.currentCpu = 0; // caller on node 0
        NumaAllocator p2 = NumaAllocator.preferred(fourNodes, 2).withPrefault(true);
        binding.affinities.clear();
        MemorySegment s = p2.allocate(1 << 20, 4096);
        assertThat(binding.affinities).hasSize(1);
        assertThat(binding.affinities.getFirst()).containsExactly(8, 9, 10, 11, 20, 21, 22, 23);
        assertThat(p2.placementPolicy()).contains("prefault");
        p2.free(s);
        NumaAllocator bind2 = NumaAllocator.onNode(fourNodes, 2).withPrefault(true);
        bind2.free(bind2.allocate(1 << 20, 4096));
        assertThat(binding.affinities).as("MPOL_BIND places pages whoever touches them").hasSize(1);
    }

    /** Huge pages: a 3 MiB allocation is rounded up to whole 2 MiB pages and aligned to 2 MiB. */
    @Test
    void hugePagesRoundAndAlign() {
        NumaAllocator huge = NumaAllocator.onNode(fourNodes, 0).withHugePages(true);
        MemorySegment s = huge.allocate(3 << 20, 8);
        assertThat(s.address() % NodeMapper.HUGE_PAGE).isZero();
        assertThat(binding.mmaps.getLast()).isEqualTo((4L << 20) + NodeMapper.HUGE_PAGE - 4096);
        assertThat(huge.placementPolicy()).contains("huge pages advised");
        huge.free(s);
    }

    /** EINVAL from mbind after the probe worked is a NumaException with errno and its meaning; nothing stays mapped. */
    @Test
    void unexpectedMbindErrorCarriesErrno() {
        NumaAllocator on0 = NumaAllocator.onNode(fourNodes, 0);
        binding.mbindErrno = NumaBinding.EINVAL;
        assertThatThrownBy(() -> on0.allocate(1 << 20, 8)).isInstanceOf(NumaException.class)
                .hasMessageContaining("mbind(").hasMessageContaining("MPOL_BIND nodes 0")
                .hasMessageContaining("errno=22 (Invalid argument)")
                .satisfies(e -> assertThat(((NumaException) e).errno()).isEqualTo(22));
        assertThat(binding.munmaps).isNotEmpty();
        assertThat(on0.mappedBytes()).isZero();
        binding.mbindErrno = NumaBinding.ENOMEM;
        assertThatThrownBy(() -> on0.allocate(64, 8)).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("errno=12");
    }

    /** A request no address space can hold is an OutOfMemoryError: from mmap (ENOMEM, with errno and strerror) or before it. */
    @Test
    void impossibleSizesAreOutOfMemory() {
        NumaAllocator on0 = NumaAllocator.onNode(fourNodes, 0);
        assertThatThrownBy(() -> on0.allocate(1L << 50, 8)).isInstanceOf(OutOfMemoryError.class)
                .hasMessageContaining("mmap(NULL, " + (1L << 50)).hasMessageContaining("errno=12 (Cannot allocate memory)");
        assertThatThrownBy(() -> on0.allocate(Long.MAX_VALUE, 8)).isInstanceOf(OutOfMemoryError.class)
                .hasMessageContaining("larger than any address space");
        assertThat(on0.mappedBytes()).isZero();
    }

    /** With a mapping cache, a freed large mapping serves the next request of its length and alignment: no mmap, no mbind; the bound is kept. */
    @Test
    void mappingCacheReusesBoundMappings() {
        NumaAllocator cached = NumaAllocator.onNode(fourNodes, 2).withMappingCache(3L << 20);
        MemorySegment a = cached.allocate(1 << 20, 4096);
        int mmaps = binding.mmaps.size();
        int mbinds = binding.mbinds.size();
        cached.free(a);
        assertThat(cached.cachedBytes()).isEqualTo(1 << 20);
        assertThat(cached.mappedBytes()).isEqualTo(1 << 20);
        MemorySegment b = cached.allocate((1 << 20) - 100, 8);
        assertThat(b.address()).isEqualTo(a.address());
        assertThat(b.byteSize()).isEqualTo((1 << 20) - 100);
        assertThat(binding.mmaps).hasSize(mmaps);
        assertThat(binding.mbinds).hasSize(mbinds);
        assertThat(cached.cachedBytes()).isZero();
        MemorySegment other = cached.allocate(2 << 20, 4096); // another length: a new mapping
        assertThat(binding.mmaps).hasSize(mmaps + 1);
        MemorySegment big = cached.allocate(4 << 20, 4096);
        cached.free(b);
        cached.free(other);
        assertThat(cached.cachedBytes()).isEqualTo(3 << 20);
        int munmaps = binding.munmaps.size();
        cached.free(big); // does not fit the 3 MiB bound: unmapped at once
        assertThat(binding.munmaps).hasSize(munmaps + 1);
        assertThat(binding.munmaps.getLast().bytes()).isEqualTo(4 << 20);
        assertThat(cached.mappedBytes()).isEqualTo(3 << 20);
        assertThat(cached.placementPolicy()).contains("mapping cache 3145728 bytes");
        assertThatThrownBy(() -> cached.free(b)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cached.withMappingCache(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
