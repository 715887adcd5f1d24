package dev.nexus.bench;

import dev.nexus.epoch.NativeAllocator;
import dev.nexus.numa.NumaAllocator;
import dev.nexus.numa.NumaThreads;
import dev.nexus.numa.NumaTopology;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * nexus-numa's allocators beside {@code malloc}, in µs per operation:
 * <ul>
 *   <li>{@code allocTouchFree}: allocate {@code size} bytes, write one byte per 4 KiB page (the first
 *       touch that places fresh pages), free. Contenders ({@code allocator}): {@code NUMA_ON_NODE},
 *       {@link NumaAllocator#onNode(int)} on the node the benchmark thread is bound to (small sizes
 *       are blocks of a bound chunk, large ones a bound mapping each: {@code mmap}, {@code mbind},
 *       faults, {@code munmap}); {@code NUMA_CACHED}, the same with a 256 MiB
 *       {@link NumaAllocator#withMappingCache(long) mapping cache} (a freed large mapping, still bound
 *       and faulted in, serves the next allocation of its size); {@code MALLOC},
 *       {@link NativeAllocator#malloc()} (glibc serves large
 *       sizes from {@code mmap} until its dynamic threshold rises, then from its heap, already
 *       touched: the baseline the node allocator has to live with).
 *   <li>{@code readBandwidth}: one pass of 8-byte reads over a 64 MiB buffer, from a thread bound to
 *       the first allowed node, with the buffer {@code LOCAL} (same node), {@code REMOTE} (the farthest
 *       allowed node) or {@code INTERLEAVED} (all allowed nodes). Needs two allowed nodes: on one node
 *       (or without libnuma) the trial records {@code skipped = 1} with the reason, the method returns
 *       at once, and the report says "skipped" instead of a figure.
 * </ul>
 * The benchmark thread is bound to its node ({@link NumaThreads#bindCurrentThread(int)}) when libnuma
 * and a CPU of the node are available.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar NumaBenchmark -rf json -rff numa.json};
 * fewer sizes: {@code -p size=64,65536,1048576,67108864}; one contender: {@code -p allocator=MALLOC}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class NumaBenchmark {

    /** Bytes between two touches: the base page size of x86-64 and most arm64 kernels. */
    static final long PAGE = 4096;

    /** Bytes of freed mappings {@code NUMA_CACHED} keeps for reuse: one of the largest size, and more. */
    static final long CACHE = 256L << 20;

    /** Bytes of the buffer {@code readBandwidth} reads. */
    static final long BUFFER = 64L << 20;

    /** Where {@code allocTouchFree} gets its memory. */
    public enum Allocator {
        /** {@link NumaAllocator#onNode(int)} on the thread's node. */
        NUMA_ON_NODE,
        /** The same with {@link NumaAllocator#withMappingCache(long)} of {@link #CACHE} bytes. */
        NUMA_CACHED,
        /** {@link NativeAllocator#malloc()}. */
        MALLOC
    }

    /** Where the buffer of {@code readBandwidth} is, seen from the reading thread. */
    public enum Placement {
        /** On the reader's node. */
        LOCAL,
        /** On the farthest allowed node. */
        REMOTE,
        /** Interleaved over every allowed node. */
        INTERLEAVED
    }

    /** Binds the benchmark thread to the first allowed node, when possible. */
    static int bindToFirstNode(NumaTopology topology) {
        int node = topology.allowedNodes().getFirst();
        if (topology.hasLibnuma() && !topology.allowedCpus(node).isEmpty()) {
            NumaThreads.bindCurrentThread(node);
        }
        return node;
    }

    /** The allocator of one trial. */
    @State(Scope.Thread)
    public static class Alloc {

        @Param
        Allocator allocator;

        @Param({"64", "4096", "65536", "1048576", "16777216", "67108864"})
        long size;

        NativeAllocator memory;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            NumaTopology topology = NumaTopology.current();
            int node = bindToFirstNode(topology);
            if (allocator != Allocator.MALLOC) {
                NumaAllocator numa = allocator == Allocator.NUMA_CACHED
                        ? NumaAllocator.onNode(node).withMappingCache(CACHE) : NumaAllocator.onNode(node);
                AuxOutput.record(params, "nodePlaced", numa.isNodePlaced() ? 1 : 0, "bool");
                System.out.println("# nexus-bench: NumaBenchmark allocator: " + numa.placementPolicy());
                memory = numa;
            } else {
                memory = NativeAllocator.malloc();
            }
            // one untimed round trip: class initialization and downcall linking (hundreds of ms in the
            // interpreter) stay out of the first timed operation of a run without warmup (smoke)
            memory.free(memory.allocate(size, 8));
        }
    }

    /** The buffer of one trial of {@code readBandwidth}. */
    @State(Scope.Thread)
    public static class Buffer {

        @Param
        Placement placement;

        NumaAllocator allocator;
        MemorySegment segment;
        boolean skipped;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            NumaTopology topology = NumaTopology.current();
            List<Integer> nodes = topology.allowedNodes();
            if (!topology.isNuma()) {
                skipped = true;
                AuxOutput.record(params, "skipped", 1, "bool");
                System.out.println("# nexus-bench: NumaBenchmark.readBandwidth skipped: "
                        + topology.whyNot().orElse("not NUMA"));
                return;
            }
            int reader = bindToFirstNode(topology);
            int remote = nodes.stream().max((a, b) -> Integer.compare(topology.distance(reader, a),
                    topology.distance(reader, b))).orElseThrow();
            allocator = switch (placement) {
                case LOCAL -> NumaAllocator.onNode(reader);
                case REMOTE -> NumaAllocator.onNode(remote);
                case INTERLEAVED -> NumaAllocator.interleaved(nodes);
            };
            segment = allocator.allocate(BUFFER, PAGE);
            segment.fill((byte) 1);
            AuxOutput.record(params, "skipped", 0, "bool");
            AuxOutput.record(params, "distance", topology.distance(reader, placement == Placement.REMOTE ? remote
                    : reader), "");
        }

        @TearDown(Level.Trial)
        public void close() {
            if (segment != null) {
                allocator.free(segment);
            }
        }
    }

    /**
     * Allocate, first touch of every page, free.
     *
     * @param alloc the trial's allocator and size
     * @return the address, so that nothing is optimized away
     */
    @Benchmark
    public long allocTouchFree(Alloc alloc) {
        MemorySegment s = alloc.memory.allocate(alloc.size, 8);
        for (long offset = 0; offset < alloc.size; offset += PAGE) {
            s.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
        }
        long address = s.address();
        alloc.memory.free(s);
        return address;
    }

    /**
     * One pass of reads over the buffer.
     *
     * @param buffer the trial's buffer
     * @return the sum of the longs read
     */
    @Benchmark
    public long readBandwidth(Buffer buffer) {
        if (buffer.skipped) {
            return 0;
        }
        MemorySegment s = buffer.segment;
        long sum = 0;
        for (long offset = 0; offset < BUFFER; offset += Long.BYTES) {
            sum += s.get(ValueLayout.JAVA_LONG, offset);
        }
        return sum;
    }
}
