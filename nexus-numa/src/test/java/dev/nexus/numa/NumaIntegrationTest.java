package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.slab.Slab;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Node allocators with the rest of Nexus: retire through an epoch domain, a slab on a node, per-node data. */
class NumaIntegrationTest {

    /** Segments retired through a domain are freed by the reclaimer (another thread) with the node allocator. */
    @Test
    void retireNodeMemory() {
        NumaRuntime runtime = RealLibnuma.require();
        int node = runtime.topology().allowedNodes().getFirst();
        NumaAllocator on = NumaAllocator.onNode(node);
        try (EpochDomain domain = EpochDomain.builder().name("numa-retire").build()) {
            List<MemorySegment> live = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                MemorySegment s = on.allocate(i % 2 == 0 ? 64 : 256 << 10, 8);
                s.set(ValueLayout.JAVA_INT, 0, i);
                live.add(s);
            }
            try (Guard guard = domain.pin()) {
                for (MemorySegment s : live) {
                    domain.retire(s, on);
                }
                assertThat(live.get(1).get(ValueLayout.JAVA_INT, 0)).as("still readable inside the guard").isEqualTo(1);
                assertThat(guard).isNotNull();
            }
            domain.barrier();
            assertThat(on.mappedBytes()).as("only the kept empty chunk of each class (64 B, 256 KiB)").isEqualTo(2 * ChunkPool.CHUNK);
        }
    }

    /** A slab whose slabs come from a node allocator: records are on the node and reclaimed through the domain. */
    @Test
    void slabOnANode() {
        NumaRuntime runtime = RealLibnuma.require();
        int node = runtime.topology().allowedNodes().getFirst();
        NumaAllocator on = NumaAllocator.onNode(node);
        try (EpochDomain domain = EpochDomain.builder().name("numa-slab").build();
                Slab slab = Slab.builder(domain).name("on-node").slotSize(64).slotsPerSlab(1024).capacity(8192)
                        .allocator(on).build()) {
            List<Long> keys = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                long value = i;
                keys.add(slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, value)));
            }
            try (Guard guard = domain.pin()) {
                MemorySegment record = slab.get(keys.get(4321));
                assertThat(record.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(4321);
                assertThat(Placement.of(record).pagesOn(node)).isEqualTo(1);
                assertThat(guard).isNotNull();
            }
            for (long key : keys) {
                assertThat(slab.remove(key)).isTrue();
            }
            assertThat(on.mappedBytes()).isPositive();
        }
        assertThat(on.mappedBytes()).as("closing the slab frees its 64 KiB slabs; one empty chunk stays")
                .isEqualTo(ChunkPool.CHUNK);
    }

    /** Per-node data: one allocator per allowed node, each node's readers on that node's threads read local pages. */
    @Test
    void perNodeDataWithPinnedReaders() throws Exception {
        NumaRuntime runtime = RealLibnuma.require();
        for (int node : runtime.topology().allowedNodes()) {
            NumaAllocator allocator = NumaAllocator.onNode(node);
            MemorySegment table = allocator.allocate(1 << 16, 4096);
            ExecutorService readers = NumaThreads.executor(node, 1);
            try {
                Future<Long> sum = readers.submit(() -> {
                    table.fill((byte) 1); // first touch from the node's own thread
                    long total = 0;
                    for (long i = 0; i < table.byteSize(); i++) {
                        total += table.get(ValueLayout.JAVA_BYTE, i);
                    }
                    return total;
                });
                assertThat(sum.get(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1 << 16);
                assertThat(Placement.of(table).pagesOn(node)).isEqualTo(Placement.of(table).pages());
            } finally {
                readers.shutdown();
                assertThat(readers.awaitTermination(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                allocator.free(table);
            }
        }
    }
}
