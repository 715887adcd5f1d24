package dev.nexus.bench;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.epoch.ReadSide;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The write side: how many 64-byte segments one thread can hand back per second, in ops/s.
 *
 * <ul>
 *   <li>{@code retire}: {@code malloc} a segment, {@code domain.retire(segment, malloc)}; the domain
 *       frees it with {@code free} after a grace period, on the same thread ({@code reclaim=INLINE}) or
 *       on its reclaimer thread ({@code BACKGROUND}).
 *   <li>{@code mallocFree}: {@code malloc} then {@code free} through the same {@link NativeAllocator}:
 *       the allocator's own cost. Per segment, retire+free without the allocator costs
 *       {@code 1/retire - 1/mallocFree} (the report computes it).
 *   <li>{@code retireNoAllocator}: retire with an allocator whose {@code free} does nothing, of
 *       segments that are never allocated: the epoch machinery alone, measured directly.
 *   <li>{@code arenaShared}: {@code Arena.ofShared()}, allocate 64 bytes, {@code close()}: the JDK's
 *       safe free, a handshake with every platform thread, hence {@code idleThreads}.
 *   <li>{@code retireLatency}: as {@code retire}, and each segment carries its retire time, so the
 *       allocator records, per segment (per operation), the time from retire to free in an
 *       HdrHistogram: p50/p99/p99.9/max over the measurement iterations, printed as
 *       {@code # nexus-bench:} lines, appended to {@code aux.jsonl} and saved as
 *       {@code retire-latency-<reclaim>.hgrm} in the results directory. The loop runs flat out, so the
 *       latency is that of a saturated writer.
 * </ul>
 * {@code detectDoubleRetire} is the domain's double-retire check (retire marks the segment retired
 * in {@code NativeAllocator.malloc()}'s allocation table: one compare-and-swap), on by default. After each trial the peak of pending bytes seen at the end of the
 * measurement iterations is recorded ({@code peakPendingBytes}): with a background reclaimer it shows
 * whether reclamation keeps up with one retiring thread.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar ReclaimBenchmark -rf json -rff reclaim.json}
 * (results directory for the histograms: environment variable {@code NEXUS_BENCH_OUT}); one variant:
 * {@code -p reclaim=INLINE -p detectDoubleRetire=OFF -p idleThreads=0}; with a profiler:
 * {@code -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class ReclaimBenchmark {

    /** Bytes of each segment. */
    static final long SEGMENT_BYTES = 64;

    /** Where freeing happens. */
    public enum Reclaim {
        /** {@code reclaimInline(true)}: in steps on the retiring thread. */
        INLINE,
        /** The domain's background reclaimer thread (the default). */
        BACKGROUND
    }

    /** The domain's double-retire check. */
    public enum DoubleRetireCheck {
        /** {@code detectDoubleRetire(true)}, the default. */
        ON,
        /** {@code detectDoubleRetire(false)}. */
        OFF
    }

    /** Parked platform threads kept alive during the trial. */
    @State(Scope.Benchmark)
    public static class Idle {

        @Param({"0", "64"})
        int idleThreads;

        IdleThreads threads;

        @Setup(Level.Trial)
        public void start() {
            threads = IdleThreads.start(idleThreads);
        }

        @TearDown(Level.Trial)
        public void stop() {
            threads.close();
        }
    }

    /** The allocator alone. */
    @State(Scope.Thread)
    public static class Malloc {
        final NativeAllocator malloc = NativeAllocator.malloc();
    }

    /** A domain configured by the parameters, and the peak of its pending bytes. */
    @State(Scope.Thread)
    public static class Domain {

        @Param
        Reclaim reclaim;

        @Param
        DoubleRetireCheck detectDoubleRetire;

        /**
         * The domain's read side: {@code MEMBARRIER} (retire issues no fence; one membarrier per
         * sealed bag) or {@code CAS} (a full fence per retire).
         */
        @Param({"MEMBARRIER", "CAS"})
        ReadSide readSide;

        final NativeAllocator malloc = NativeAllocator.malloc();
        EpochDomain domain;
        long nextFakeAddress;
        long peakPendingBytes;

        @Setup(Level.Trial)
        public void open() {
            domain = EpochDomain.builder().name("reclaim").readSide(readSide)
                    .reclaimInline(reclaim == Reclaim.INLINE)
                    .detectDoubleRetire(detectDoubleRetire == DoubleRetireCheck.ON)
                    .build();
            nextFakeAddress = 1L << 40; // never dereferenced: see NoFree
        }

        @TearDown(Level.Iteration)
        public void sample(IterationParams iteration) {
            if (iteration.getType() == IterationType.MEASUREMENT) {
                peakPendingBytes = Math.max(peakPendingBytes, domain.stats().pendingBytes());
            }
        }

        @TearDown(Level.Trial)
        public void close(BenchmarkParams params) {
            domain.close();
            AuxOutput.record(params, "peakPendingBytes", peakPendingBytes, "B");
        }

        /** A native segment that was never allocated; only {@link NoFree} ever sees it. */
        MemorySegment fakeSegment() {
            long address = nextFakeAddress;
            nextFakeAddress = address + SEGMENT_BYTES;
            return MemorySegment.ofAddress(address).reinterpret(SEGMENT_BYTES);
        }
    }

    /** An allocator whose {@code free} does nothing: retire without the allocator's cost. */
    static final class NoFree implements NativeAllocator {

        static final NoFree INSTANCE = new NoFree();

        @Override
        public MemorySegment allocate(long bytes, long alignment) {
            throw new UnsupportedOperationException("NoFree only frees");
        }

        @Override
        public void free(MemorySegment segment) {
            // nothing: the segment was never allocated
        }
    }

    /** A domain whose allocator records each segment's retire-to-free time. */
    @State(Scope.Thread)
    public static class Timed {

        @Param
        Reclaim reclaim;

        final Recorder recorder = new Recorder(3);
        final Histogram measured = new Histogram(3);
        NativeAllocator stamping;
        EpochDomain domain;

        @Setup(Level.Trial)
        public void open() {
            NativeAllocator malloc = NativeAllocator.malloc();
            stamping = new NativeAllocator() {
                @Override
                public MemorySegment allocate(long bytes, long alignment) {
                    return malloc.allocate(bytes, alignment);
                }

                @Override
                public void free(MemorySegment segment) {
                    // the retire time is in the first word; any thread may free (global scope)
                    recorder.recordValue(Math.max(0, System.nanoTime() - segment.get(ValueLayout.JAVA_LONG, 0)));
                    malloc.free(segment);
                }
            };
            domain = EpochDomain.builder().name("reclaim-latency")
                    .reclaimInline(reclaim == Reclaim.INLINE).build();
        }

        @Setup(Level.Iteration)
        public void startInterval() {
            recorder.reset(); // drop what earlier iterations left behind
        }

        @TearDown(Level.Iteration)
        public void endInterval(IterationParams iteration) {
            Histogram interval = recorder.getIntervalHistogram();
            if (iteration.getType() == IterationType.MEASUREMENT) {
                measured.add(interval);
            }
        }

        @TearDown(Level.Trial)
        public void close(BenchmarkParams params) {
            domain.close(); // frees what is pending; those frees are not recorded any more
            double us = 1000.0;
            AuxOutput.record(params, "retireToFree.p50", measured.getValueAtPercentile(50) / us, "us");
            AuxOutput.record(params, "retireToFree.p90", measured.getValueAtPercentile(90) / us, "us");
            AuxOutput.record(params, "retireToFree.p99", measured.getValueAtPercentile(99) / us, "us");
            AuxOutput.record(params, "retireToFree.p999", measured.getValueAtPercentile(99.9) / us, "us");
            AuxOutput.record(params, "retireToFree.max", measured.getMaxValue() / us, "us");
            AuxOutput.record(params, "retireToFree.count", measured.getTotalCount(), "segments");
            String dir = System.getenv(AuxOutput.OUT_ENV);
            if (dir != null && !dir.isBlank()) {
                Path file = Path.of(dir, "retire-latency-" + reclaim.name().toLowerCase() + ".hgrm");
                try (PrintStream out = new PrintStream(Files.newOutputStream(file), true, "UTF-8")) {
                    measured.outputPercentileDistribution(out, us);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file, e);
                }
            }
        }
    }

    @Benchmark
    public void mallocFree(Malloc malloc) {
        malloc.malloc.free(malloc.malloc.allocate(SEGMENT_BYTES));
    }

    @Benchmark
    public void retire(Domain domain, Idle idle) {
        domain.domain.retire(domain.malloc.allocate(SEGMENT_BYTES), domain.malloc);
    }

    @Benchmark
    public void retireNoAllocator(Domain domain) {
        domain.domain.retire(domain.fakeSegment(), NoFree.INSTANCE);
    }

    @Benchmark
    public void arenaShared(Idle idle, Blackhole blackhole) {
        try (Arena arena = Arena.ofShared()) {
            blackhole.consume(arena.allocate(SEGMENT_BYTES, Long.BYTES));
        }
    }

    @Benchmark
    public void retireLatency(Timed timed) {
        MemorySegment segment = timed.stamping.allocate(SEGMENT_BYTES);
        segment.set(ValueLayout.JAVA_LONG, 0, System.nanoTime());
        timed.domain.retire(segment, timed.stamping);
    }
}
