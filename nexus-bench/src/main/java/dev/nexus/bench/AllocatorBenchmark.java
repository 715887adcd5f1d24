package dev.nexus.bench;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What validated frees cost: {@link NativeAllocator#malloc()} (every allocation recorded in an
 * off-heap table, every free and retire checked against it) against
 * {@link NativeAllocator#mallocUnchecked()} (plain malloc/free downcalls), in ns per segment, the
 * baseline in the same run.
 *
 * <ul>
 *   <li>{@code mallocFree}: allocate 64 bytes and free them at once (the table entry stays in cache).
 *   <li>{@code mallocFreeBatch}: allocate {@value #BATCH} segments of 64 bytes, then free them all, per
 *       segment: the table holds a batch of live entries and lookups leave the cache now and then.
 *   <li>{@code retireFree}: allocate 64 bytes and {@code retire} them to a domain that reclaims inline;
 *       {@code validation=OFF} is {@code mallocUnchecked()} with {@code detectDoubleRetire(false)} (no
 *       check at all), {@code FREE_ONLY} is {@code malloc()} with {@code detectDoubleRetire(false)}
 *       (the free is validated, the retire is not marked), {@code ON} is {@code malloc()} with the
 *       default {@code detectDoubleRetire(true)} (the retire is marked, a CAS in the table).
 * </ul>
 * The cost of validation is the difference between {@code VALIDATED} and {@code UNCHECKED} (or
 * {@code ON} and {@code OFF}); the report computes it. Target (issue 10): at most 15 ns per
 * allocate+free pair.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar AllocatorBenchmark -rf json -rff
 * allocator.json}; short: {@code ./scripts/bench --quick --only allocator}; with a profiler:
 * {@code -prof perfasm}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class AllocatorBenchmark {

    /** Bytes of each segment. */
    static final long SEGMENT_BYTES = 64;
    /** Segments allocated before any is freed in {@code mallocFreeBatch}. */
    static final int BATCH = 1024;

    /** Which malloc. */
    public enum Allocator {
        /** {@link NativeAllocator#mallocUnchecked()}: the baseline. */
        UNCHECKED,
        /** {@link NativeAllocator#malloc()}: validated. */
        VALIDATED;

        NativeAllocator get() {
            return this == UNCHECKED ? NativeAllocator.mallocUnchecked() : NativeAllocator.malloc();
        }
    }

    /** How much of retire and free is validated. */
    public enum Validation {
        /** {@code mallocUnchecked()}, {@code detectDoubleRetire(false)}: nothing. */
        OFF,
        /** {@code malloc()}, {@code detectDoubleRetire(false)}: the free only. */
        FREE_ONLY,
        /** {@code malloc()}, {@code detectDoubleRetire(true)} (the default): retire and free. */
        ON
    }

    /** An allocator chosen by the parameter, and room for a batch. */
    @State(Scope.Thread)
    public static class Allocation {

        @Param
        Allocator allocator;

        NativeAllocator malloc;
        final MemorySegment[] batch = new MemorySegment[BATCH];

        @Setup(Level.Trial)
        public void open() {
            malloc = allocator.get();
        }
    }

    /** A domain that reclaims inline, configured by the parameter. */
    @State(Scope.Thread)
    public static class Retiring {

        @Param
        Validation validation;

        NativeAllocator malloc;
        EpochDomain domain;

        @Setup(Level.Trial)
        public void open() {
            malloc = validation == Validation.OFF ? NativeAllocator.mallocUnchecked() : NativeAllocator.malloc();
            domain = EpochDomain.builder().name("allocator-bench").reclaimInline(true)
                    .detectDoubleRetire(validation == Validation.ON).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            domain.close();
        }
    }

    @Benchmark
    public void mallocFree(Allocation state) {
        state.malloc.free(state.malloc.allocate(SEGMENT_BYTES));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void mallocFreeBatch(Allocation state) {
        MemorySegment[] batch = state.batch;
        for (int i = 0; i < BATCH; i++) {
            batch[i] = state.malloc.allocate(SEGMENT_BYTES);
        }
        for (int i = 0; i < BATCH; i++) {
            state.malloc.free(batch[i]);
            batch[i] = null;
        }
    }

    @Benchmark
    public void retireFree(Retiring state) {
        state.domain.retire(state.malloc.allocate(SEGMENT_BYTES), state.malloc);
    }
}
