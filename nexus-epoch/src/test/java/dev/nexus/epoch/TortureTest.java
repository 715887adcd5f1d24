package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.internal.Membarrier;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rcutorture in spirit: readers on platform and virtual threads traverse shared links to native
 * segments inside guards (random guard lengths, nesting, suspension, rare stalls) while writers
 * replace the segments and retire the old ones through an allocator that poisons on free. Any read
 * of poison, or of a torn value, fails the run; at the end every retired segment must have been freed
 * exactly once. A deliberately broken domain (frees at {@code E >= t + 1}) must be caught. Every run
 * is made on both read sides ({@link ReadSide#MEMBARRIER} where this system supports it, and
 * {@link ReadSide#CAS}); two of the platform readers are participants, which on the membarrier read
 * side sometimes idle between guards long enough to be taken offline by the flag handshake.
 *
 * <p>Duration: {@code -Dnexus.torture.seconds=N} per run (default 4; {@code ./scripts/check --long}
 * sets 120).
 */
class TortureTest {

    private static final long SECONDS = Long.getLong("nexus.torture.seconds", 4);
    private static final int LINKS = 64;
    private static final int VALUE_BYTES = 64;

    /** The read sides this system can run: CAS always, MEMBARRIER where membarrier is supported. */
    static List<ReadSide> readSides() {
        return Membarrier.get().status().supported() ? List.of(ReadSide.MEMBARRIER, ReadSide.CAS)
                : List.of(ReadSide.CAS);
    }

    /** Every detector with every read side this system can run. */
    static List<Arguments> detectorsAndReadSides() {
        List<Arguments> all = new ArrayList<>();
        for (Detector detector : Detector.values()) {
            for (ReadSide readSide : readSides()) {
                all.add(Arguments.of(detector, readSide));
            }
        }
        return all;
    }

    /**
     * The real domain, both detectors, both read sides: no poisoned read, every retired segment
     * freed exactly once.
     */
    @ParameterizedTest
    @MethodSource("detectorsAndReadSides")
    void realDomainNeverFreesWhatAReaderCanSee(Detector detector, ReadSide readSide) {
        Result result = run(EpochDomain.builder().name("torture-" + detector + "-" + readSide).detector(detector)
                        .readSide(readSide),
                SECONDS * 1_000_000_000L, false);
        assertThat(result.violations).as("poisoned or torn reads: %s", result.firstViolation).isZero();
        assertThat(result.doubleFrees).isZero();
        assertThat(result.freed).as("every retired segment freed once").isEqualTo(result.retired);
        assertThat(result.freedBytes).isEqualTo(result.retired * VALUE_BYTES);
        assertThat(result.live).as("only the final link values stay allocated").isEqualTo(LINKS);
        assertThat(result.reads).isPositive();
        assertThat(result.retired).isPositive();
    }

    /** The same run with inline reclamation (no reclaimer thread) is just as safe, on both read sides. */
    @ParameterizedTest
    @MethodSource("readSides")
    void inlineReclamationIsSafe(ReadSide readSide) {
        Result result = run(EpochDomain.builder().name("torture-inline-" + readSide).reclaimInline(true)
                        .readSide(readSide),
                Math.max(1, SECONDS / 2) * 1_000_000_000L, false);
        assertThat(result.violations).as("poisoned reads: %s", result.firstViolation).isZero();
        assertThat(result.freed).isEqualTo(result.retired);
    }

    /** A domain that frees one epoch early is caught by the torture run, either detector, either read side. */
    @ParameterizedTest
    @MethodSource("detectorsAndReadSides")
    void brokenDomainIsCaught(Detector detector, ReadSide readSide) {
        Result result = run(EpochDomain.builder().name("broken-" + detector + "-" + readSide).detector(detector)
                .readSide(readSide).brokenGraceDistanceForTests(1), 30_000_000_000L, true);
        assertThat(result.violations).as("the torture test must see the broken domain free too early")
                .isPositive();
    }

    /**
     * Closing the domain under load, on both read sides: readers either fail to pin or read valid
     * data; all is freed.
     */
    @ParameterizedTest
    @MethodSource("readSides")
    void closeUnderLoad(ReadSide readSide) {
        Result result = run(EpochDomain.builder().name("torture-close-" + readSide).readSide(readSide),
                1_000_000_000L, false, true);
        assertThat(result.violations).as("poisoned reads: %s", result.firstViolation).isZero();
        assertThat(result.freed).isEqualTo(result.retired);
    }

    private record Result(long reads, long retired, long freed, long freedBytes, long violations,
            long doubleFrees, int live, String firstViolation) {
    }

    private static Result run(EpochDomain.Builder builder, long nanos, boolean stopAtFirstViolation) {
        return run(builder, nanos, stopAtFirstViolation, false);
    }

    private static Result run(EpochDomain.Builder builder, long nanos, boolean stopAtFirstViolation,
            boolean closeUnderLoad) {
        PoisoningAllocator allocator = new PoisoningAllocator();
        EpochDomain domain = builder.build();
        AtomicReferenceArray<MemorySegment> links = new AtomicReferenceArray<>(LINKS);
        AtomicLong version = new AtomicLong();
        for (int i = 0; i < LINKS; i++) {
            links.set(i, newValue(allocator, version.incrementAndGet()));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicLong retired = new AtomicLong();
        AtomicLong violations = new AtomicLong();
        AtomicReference<String> first = new AtomicReference<>();
        try (TestThreads threads = new TestThreads()) {
            for (int w = 0; w < 2; w++) {
                threads.platform("writer-" + w, () -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        int i = random.nextInt(LINKS);
                        MemorySegment fresh = newValue(allocator, version.incrementAndGet());
                        MemorySegment old = links.getAndSet(i, fresh); // unlink
                        try {
                            domain.retire(old, allocator);
                            retired.incrementAndGet();
                        } catch (IllegalStateException closed) {
                            links.compareAndSet(i, fresh, old); // closed: keep the old value linked
                            allocator.discard(fresh);
                            return;
                        }
                        if (random.nextInt(64) == 0) {
                            Thread.yield();
                        }
                    }
                });
            }
            for (int r = 0; r < 3; r++) {
                boolean participant = r < 2;
                threads.platform("reader-" + r, () -> read(domain, links, participant, stop, reads,
                        violations, first));
            }
            for (int v = 0; v < 16; v++) {
                threads.virtual("vreader-" + v, () -> read(domain, links, false, stop, reads, violations,
                        first));
            }
            long deadline = System.nanoTime() + nanos;
            while (System.nanoTime() < deadline && !(stopAtFirstViolation && violations.get() > 0)) {
                LockSupport.parkNanos(10_000_000);
            }
            if (closeUnderLoad) {
                domain.close(); // while readers and writers still run
            }
            stop.set(true);
        }
        domain.close();
        // the values still linked were never retired
        Result result = new Result(reads.get(), retired.get(), allocator.freed(), allocator.freedBytes(),
                violations.get(), allocator.doubleFrees(), allocator.live(), first.get());
        for (int i = 0; i < LINKS; i++) {
            NativeAllocator.malloc().free(links.get(i));
        }
        allocator.drain();
        return result;
    }

    private static MemorySegment newValue(PoisoningAllocator allocator, long version) {
        MemorySegment segment = allocator.allocate(VALUE_BYTES, 8);
        for (long off = 0; off < VALUE_BYTES; off += 8) {
            segment.set(ValueLayout.JAVA_LONG, off, version * 31 + off);
        }
        return segment;
    }

    private static void read(EpochDomain domain, AtomicReferenceArray<MemorySegment> links,
            boolean participant, AtomicBoolean stop, AtomicLong reads, AtomicLong violations,
            AtomicReference<String> first) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Participant self = null;
        long local = 0;
        try {
            self = participant ? domain.register() : null;
            while (!stop.get()) {
                if (self != null && random.nextInt(2048) == 0) {
                    LockSupport.parkNanos(2_000_000); // idle: long enough for the slot to go offline
                }
                try (Guard guard = self != null ? self.pin() : domain.pin()) {
                    int length = 1 + random.nextInt(random.nextInt(8) == 0 ? 64 : 8);
                    for (int n = 0; n < length; n++) {
                        MemorySegment value = links.get(random.nextInt(LINKS));
                        check(value, violations, first);
                        if (random.nextInt(16) == 0) {
                            spin(random.nextInt(2000)); // hold the reference across a possible advance
                            check(value, violations, first);
                        }
                        local++;
                        if (random.nextInt(512) == 0) {
                            guard.suspend(); // drop every reference: they are unprotected now
                            if (random.nextBoolean()) {
                                Thread.yield();
                            }
                            guard.resume();
                        } else if (random.nextInt(4096) == 0) {
                            LockSupport.parkNanos(200_000); // a short stall inside the guard
                        }
                    }
                } catch (IllegalStateException closed) {
                    if (!domain.isClosed()) {
                        throw closed;
                    }
                    return;
                }
            }
        } finally {
            reads.addAndGet(local);
            if (self != null && !domain.isClosed()) {
                self.close();
            }
        }
    }

    private static void check(MemorySegment value, AtomicLong violations, AtomicReference<String> first) {
        long base = value.get(ValueLayout.JAVA_LONG, 0);
        for (long off = 0; off < VALUE_BYTES; off += 8) {
            long word = value.get(ValueLayout.JAVA_LONG, off);
            if (word == PoisoningAllocator.POISON || word != base + off) {
                violations.incrementAndGet();
                first.compareAndSet(null, "read 0x" + Long.toHexString(word) + " at offset " + off
                        + " of 0x" + Long.toHexString(value.address()) + " (first word 0x"
                        + Long.toHexString(base) + ")");
                return;
            }
        }
    }

    private static void spin(int iterations) {
        for (int i = 0; i < iterations; i++) {
            Thread.onSpinWait();
        }
    }
}
