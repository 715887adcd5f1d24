package dev.nexus.bench;

import dev.nexus.epoch.Detector;
import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.epoch.Participant;
import dev.nexus.epoch.ReadSide;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * Grace-period detection as the number of leased slots T grows: the latency of
 * {@code domain.synchronize()} (one full grace period) and of {@code domain.barrier()} (everything
 * deferred so far has run: at least two grace periods), in µs, sampled per call, for
 * {@link Detector#QUIESCENCE_TREE} against {@link Detector#FLAT_SCAN}.
 *
 * <p>{@code slots} slots are leased before the trial, then left idle, except 2 that stay active:
 * <ul>
 *   <li>{@code lease=PARTICIPANT}: {@code slots - 2} virtual threads each register a participant,
 *       pin and unpin once, and park until the trial ends (a participant belongs to its thread);
 *       2 platform reader threads register the 2 active participants.
 *   <li>{@code lease=POOLED}: {@code slots} virtual threads each hold a {@code domain.pin()} guard at
 *       the same time, so the pool grows to {@code slots}, then all close; the 2 readers pin through
 *       the pool. Leasing costs more than linear time in the pool size, so a {@code POOLED} trial of
 *       more than {@value #MAX_POOLED_SLOTS} slots fails at once.
 * </ul>
 * The readers pin, read 64 bytes and unpin in a loop, back to back ({@code readers=BUSY}) or parking
 * 50 µs between pins ({@code PACED}: on two cores, two busy readers and the measuring thread share
 * two cores and the measurement includes the scheduler).
 *
 * <p>{@code synchronizeWithVirtualThreads}/{@code barrierWithVirtualThreads}: 100,000 virtual threads
 * that each pin through the pool about once a second (0.5-1.5 s apart) and read 64 bytes.
 *
 * <p>Before a {@code synchronize} trial starts, the setup checks that {@code synchronize()} returns
 * within {@value #SYNCHRONIZE_PROBE_SECONDS} s, and fails the trial with a message otherwise, instead
 * of hanging the run.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar DetectionScalingBenchmark
 * -rf json -rff detection.json}; scaling only: {@code -p lease=PARTICIPANT -p readers=PACED};
 * pooled lease up to 65,536 slots: {@code -p lease=POOLED -p slots=16,256,4096,65536}; with a
 * profiler: {@code -prof gc}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class DetectionScalingBenchmark {

    /** How long the setup waits for a probing {@code synchronize()} before failing the trial. */
    static final int SYNCHRONIZE_PROBE_SECONDS = 3;

    /** Most slots a {@code POOLED} lease may take; more fails the trial instead of running for hours. */
    static final int MAX_POOLED_SLOTS = 65_536;

    /** Pause of a paced reader between two pins. */
    static final long PACE_NANOS = 50_000;

    /** How the idle slots are leased. */
    public enum Lease {
        /** One participant per virtual thread, kept registered. */
        PARTICIPANT,
        /** Pool slots, leased by concurrent {@code domain.pin()} guards, then closed. */
        POOLED
    }

    /** What the two active readers do between pins. */
    public enum Readers {
        /** Park {@value #PACE_NANOS} ns between pins. */
        PACED,
        /** Pin again at once. */
        BUSY
    }

    /** A domain with {@code slots} leased slots, 2 of them active. */
    @State(Scope.Benchmark)
    public static class Leased {

        @Param
        Detector detector;

        @Param({"16", "256", "4096", "65536", "1048576"})
        int slots;

        @Param
        Lease lease;

        @Param
        Readers readers;

        /** How participants pin ({@code MEMBARRIER}: opaque store, membarrier on this side; {@code CAS}). */
        @Param({"MEMBARRIER", "CAS"})
        ReadSide readSide;

        EpochDomain domain;
        private MemorySegment shared;
        private final CountDownLatch release = new CountDownLatch(1);
        private Thread[] idle = new Thread[0];
        private Thread[] active = new Thread[0];
        private volatile boolean running = true;
        volatile long checksum;

        @Setup(Level.Trial)
        public void lease(BenchmarkParams params) {
            if (slots < 16) {
                throw new IllegalArgumentException("slots must be at least 16: slots=" + slots);
            }
            if (lease == Lease.POOLED && slots > MAX_POOLED_SLOTS) {
                throw new IllegalArgumentException("lease=POOLED leases at most " + MAX_POOLED_SLOTS
                        + " slots here (leasing the pool takes more than linear time: minutes at 262,144):"
                        + " slots=" + slots + "; use lease=PARTICIPANT");
            }
            EpochDomain.Builder builder = EpochDomain.builder().name("detection").detector(detector)
                    .readSide(readSide);
            domain = lease == Lease.PARTICIPANT
                    ? builder.maxGuards(16).maxParticipants(slots).build()
                    : builder.maxGuards(slots).maxParticipants(0).build();
            shared = NativeAllocator.malloc().allocate(64);
            Payload.fill(shared, 1);
            long start = System.nanoTime();
            if (lease == Lease.PARTICIPANT) {
                leaseParticipants(slots - 2);
            } else {
                leasePooled(slots);
            }
            System.out.printf("# nexus-bench: leased %d %s slots in %d ms; %s%n", slots, lease,
                    (System.nanoTime() - start) / 1_000_000, domain.stats());
            active = new Thread[2];
            for (int i = 0; i < active.length; i++) {
                active[i] = Thread.ofPlatform().daemon().name("active-reader-", i).start(this::readLoop);
            }
            if (params.getBenchmark().endsWith(".synchronize")) {
                probeSynchronize(domain);
            }
        }

        private void leaseParticipants(int count) {
            CountDownLatch leased = new CountDownLatch(count);
            idle = new Thread[count];
            for (int i = 0; i < count; i++) {
                idle[i] = Thread.ofVirtual().start(() -> {
                    Participant participant = domain.register();
                    participant.pin().close();
                    leased.countDown();
                    IdleThreads.awaitUninterruptibly(release);
                    participant.close();
                });
            }
            IdleThreads.awaitUninterruptibly(leased);
        }

        private void leasePooled(int count) {
            CountDownLatch pinned = new CountDownLatch(count);
            CountDownLatch unpin = new CountDownLatch(1);
            Thread[] pinners = new Thread[count];
            for (int i = 0; i < count; i++) {
                pinners[i] = Thread.ofVirtual().start(() -> {
                    Guard guard = domain.pin();
                    pinned.countDown();
                    IdleThreads.awaitUninterruptibly(unpin);
                    guard.close();
                });
            }
            IdleThreads.awaitUninterruptibly(pinned);
            unpin.countDown();
            for (Thread pinner : pinners) {
                IdleThreads.joinUninterruptibly(pinner);
            }
        }

        private void readLoop() {
            Participant participant = lease == Lease.PARTICIPANT ? domain.register() : null;
            long sum = 0;
            while (running) {
                Guard guard = participant != null ? participant.pin() : domain.pin();
                sum += Payload.sum(shared);
                guard.close();
                if (readers == Readers.PACED) {
                    LockSupport.parkNanos(PACE_NANOS);
                }
            }
            checksum = sum;
            if (participant != null) {
                participant.close();
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            running = false;
            for (Thread thread : active) {
                IdleThreads.joinUninterruptibly(thread);
            }
            release.countDown();
            for (Thread thread : idle) {
                IdleThreads.joinUninterruptibly(thread);
            }
            domain.close();
            NativeAllocator.malloc().free(shared);
        }
    }

    /** 100,000 virtual threads that pin through the pool now and then. */
    @State(Scope.Benchmark)
    public static class VirtualReaders {

        @Param
        Detector detector;

        @Param("100000")
        int virtualThreads;

        EpochDomain domain;
        private MemorySegment shared;
        private Thread[] threads = new Thread[0];
        private volatile boolean running = true;
        volatile long checksum;

        @Setup(Level.Trial)
        public void start(BenchmarkParams params) {
            domain = EpochDomain.builder().name("detection-virtual").detector(detector).build();
            shared = NativeAllocator.malloc().allocate(64);
            Payload.fill(shared, 1);
            threads = new Thread[virtualThreads];
            for (int i = 0; i < virtualThreads; i++) {
                threads[i] = Thread.ofVirtual().start(this::pinNowAndThen);
            }
            if (params.getBenchmark().endsWith(".synchronizeWithVirtualThreads")) {
                probeSynchronize(domain);
            }
        }

        private void pinNowAndThen() {
            long sum = 0;
            while (running) {
                try {
                    Thread.sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(500, 1500)));
                } catch (InterruptedException e) {
                    break;
                }
                Guard guard = domain.pin();
                sum += Payload.sum(shared);
                guard.close();
            }
            checksum = sum; // keeps the reads
        }

        @TearDown(Level.Trial)
        public void stop() {
            running = false;
            for (Thread thread : threads) {
                thread.interrupt();
            }
            for (Thread thread : threads) {
                IdleThreads.joinUninterruptibly(thread);
            }
            System.out.printf("# nexus-bench: %d virtual threads stopped; %s%n", virtualThreads, domain.stats());
            domain.close();
            NativeAllocator.malloc().free(shared);
        }
    }

    /**
     * Fails fast, with the reason, when {@code synchronize()} does not return: a benchmark that hangs
     * measures nothing and stops the whole run.
     */
    static void probeSynchronize(EpochDomain domain) {
        Thread probe = Thread.ofPlatform().daemon().name("synchronize-probe").start(() -> {
            try {
                domain.synchronize();
            } catch (IllegalStateException closed) {
                // the domain was closed after a failed probe: nothing to report
            }
        });
        try {
            probe.join(Duration.ofSeconds(SYNCHRONIZE_PROBE_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing synchronize()", e);
        }
        if (probe.isAlive()) {
            throw new IllegalStateException("epoch domain '" + domain.name() + "': synchronize() did not return within "
                    + SYNCHRONIZE_PROBE_SECONDS + " s with nothing retired and 2 readers pinning (" + domain.stats()
                    + "): a liveness issue of nexus-epoch, not of the benchmark");
        }
    }

    @Benchmark
    public void synchronize(Leased leased) {
        leased.domain.synchronize();
    }

    @Benchmark
    public void barrier(Leased leased) {
        leased.domain.barrier();
    }

    @Benchmark
    public void synchronizeWithVirtualThreads(VirtualReaders readers) {
        readers.domain.synchronize();
    }

    @Benchmark
    public void barrierWithVirtualThreads(VirtualReaders readers) {
        readers.domain.barrier();
    }
}
