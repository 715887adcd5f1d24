package dev.nexus.bench;

import dev.nexus.epoch.Detector;
import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.Participant;
import dev.nexus.epoch.ReadSide;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
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

/**
 * The read side: one pin+unpin (or acquire+release) with nothing inside, in ns/op.
 *
 * <ul>
 *   <li>{@code pooled}: {@code domain.pin()} then {@code close()}, a slot leased from the pool.
 *   <li>{@code pooledNoBackstop}: {@code domain.pin()} on a tree domain with the default read side
 *       and {@code guardBackstop(false)}: the pooled pin without the backstop's weak reference.
 *   <li>{@code participant}: {@code participant.pin()} then {@code close()}, the participant's own slot.
 *   <li>{@code nested}: the inner pin of a participant that already holds one guard (depth 2).
 *   <li>{@code nestedFour}: four inner pins (depths 2 to 5) in one try-with-resources, one op; with
 *       {@code -prof gc} it shows whether escape analysis removed the guards (0 B/op).
 *   <li>{@code floor}: a padded on-heap {@code long} per thread, volatile store then release store:
 *       what a pin costs at least (DESIGN.md section 7: 2.5 ns here).
 *   <li>{@code refcount}: {@code incrementAndGet}+{@code decrementAndGet} of one shared {@link AtomicInteger}.
 *   <li>{@code rwlock}: read lock and unlock of one shared {@link ReentrantReadWriteLock}.
 *   <li>{@code stamped}: {@code readLock()}+{@code unlockRead()} of one shared {@link StampedLock}.
 * </ul>
 * The epoch benchmarks run once per {@link ReadSide} ({@code readSide}: {@code MEMBARRIER} or
 * {@code CAS}) and once per {@link Detector} ({@code detector} parameter): the flat-scan domain
 * is the baseline of the tree; {@code pooled} and {@code participant} also once per {@link Neighbours}
 * ({@code neighbours}): alone in the domain, or beside an idle slot in another leaf of the tree (see
 * {@link Neighbour}). Shared baselines are shared by every benchmark thread, per-thread slots are per
 * thread, as in real use.
 *
 * <p>Run with one thread (the default) and with two: {@code java -jar nexus-bench/target/benchmarks.jar
 * PinBenchmark -t 1 -rf json -rff pin-t1.json}, then the same with {@code -t 2 -rff pin-t2.json}.
 * With a profiler: add {@code -prof perfasm} (needs hsdis) or {@code -prof perfnorm}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class PinBenchmark {

    /** One domain shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Domain {

        @Param
        Detector detector;

        /**
         * How participants pin: {@code MEMBARRIER} (opaque store, no locked instruction; needs Linux
         * membarrier, else the trial fails with the probe's reason) or {@code CAS}. Pooled guards
         * lease with a CAS on both.
         */
        @Param({"MEMBARRIER", "CAS"})
        ReadSide readSide;

        EpochDomain domain;

        @Setup(Level.Trial)
        public void open() {
            domain = EpochDomain.builder().name("pin-" + detector + "-" + readSide).detector(detector)
                    .readSide(readSide).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            domain.close();
        }
    }

    /** Whether the domain has online slots besides the benchmark threads' own. */
    public enum Neighbours {
        /** Only the benchmark threads' slots are online. */
        NONE,
        /**
         * A helper thread has pinned once through a participant and once through the pool, so one
         * idle slot is online in each region, that is in another leaf than the benchmark's slot.
         */
        IDLE
    }

    /**
     * The slots beside the benchmark's. With the quiescence tree a reader reports on its first pin in
     * an epoch; if that report could also end the grace period and advance the epoch, every pin of a
     * reader alone in its domain ({@code NONE}) would be the first of a new epoch and report again,
     * while an idle slot in another leaf ({@code IDLE}) keeps the grace period open. The two must cost
     * the same: the pair guards against that regression.
     */
    @State(Scope.Benchmark)
    public static class Neighbour {

        @Param
        Neighbours neighbours;

        private final CountDownLatch release = new CountDownLatch(1);
        private Thread helper;

        @Setup(Level.Trial)
        public void start(Domain domain) {
            if (neighbours == Neighbours.NONE) {
                return;
            }
            CountDownLatch online = new CountDownLatch(1);
            helper = Thread.ofPlatform().daemon().name("idle-neighbour").start(() -> {
                Participant participant = domain.domain.register();
                participant.pin().close();
                domain.domain.pin().close();
                online.countDown();
                IdleThreads.awaitUninterruptibly(release);
                participant.close();
            });
            IdleThreads.awaitUninterruptibly(online);
        }

        @TearDown(Level.Trial)
        public void stop() {
            release.countDown();
            if (helper != null) {
                IdleThreads.joinUninterruptibly(helper);
            }
        }
    }

    /**
     * A tree domain without the pooled guards' backstop ({@code guardBackstop(false)}): what
     * {@code domain.pin()} costs, and allocates, without the weak reference the backstop needs per pin.
     */
    @State(Scope.Benchmark)
    public static class NoBackstop {

        EpochDomain domain;

        @Setup(Level.Trial)
        public void open() {
            domain = EpochDomain.builder().name("pin-no-backstop").guardBackstop(false).build();
        }

        @TearDown(Level.Trial)
        public void close() {
            domain.close();
        }
    }

    /** A participant registered by, and used on, one benchmark thread. */
    @State(Scope.Thread)
    public static class Registered {

        Participant participant;

        @Setup(Level.Trial)
        public void register(Domain domain) {
            participant = domain.domain.register();
        }

        @TearDown(Level.Trial)
        public void close() {
            participant.close();
        }
    }

    /** A participant that holds an outer guard for the whole trial; nothing is retired meanwhile. */
    @State(Scope.Thread)
    public static class Outer {

        Participant participant;
        Guard outer;

        @Setup(Level.Trial)
        public void pinOuter(Domain domain) {
            participant = domain.domain.register();
            outer = participant.pin();
        }

        @TearDown(Level.Trial)
        public void close() {
            outer.close();
            participant.close();
        }
    }

    /** Left padding of {@link FloorSlot}: 128 bytes, against false sharing and adjacent-line prefetch. */
    abstract static class FloorPadLeft {
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** The slot word of {@link FloorSlot}. */
    abstract static class FloorValue extends FloorPadLeft {
        @SuppressWarnings("unused") // accessed through SLOT
        volatile long slot;
    }

    /** Right padding of {@link FloorSlot}. */
    abstract static class FloorPadRight extends FloorValue {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
    }

    /** The floor: a padded on-heap slot per thread, pinned by a volatile store, unpinned by a release store. */
    @State(Scope.Thread)
    public static class FloorSlot extends FloorPadRight {

        static final long IDLE = 2;
        static final long PINNED = (1L << 2) | 3;

        void pinUnpin() {
            SLOT.setVolatile(this, PINNED); // volatile store: the store->load point a pin needs
            SLOT.setRelease(this, IDLE);    // release store: the unpin
        }

        // VarHandle mechanics (package-private: PinAnatomyBenchmark stores to the same slot)
        static final VarHandle SLOT;

        static {
            try {
                SLOT = MethodHandles.lookup().findVarHandle(FloorValue.class, "slot", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** The shared baselines: one counter and two locks for every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Shared {

        final AtomicInteger refs = new AtomicInteger();
        final Lock readLock = new ReentrantReadWriteLock().readLock();
        final StampedLock stamped = new StampedLock();
    }

    @Benchmark
    public void pooled(Domain domain, Neighbour neighbour) {
        Guard guard = domain.domain.pin();
        guard.close();
    }

    @Benchmark
    public void pooledNoBackstop(NoBackstop noBackstop) {
        Guard guard = noBackstop.domain.pin();
        guard.close();
    }

    @Benchmark
    public void participant(Registered registered, Neighbour neighbour) {
        Guard guard = registered.participant.pin();
        guard.close();
    }

    @Benchmark
    public void nested(Outer outer) {
        Guard inner = outer.participant.pin();
        inner.close();
    }

    /** Four inner pins nested inside the outer guard (depths 2 to 5), closed in reverse: one op. */
    @Benchmark
    public void nestedFour(Outer outer) {
        Participant p = outer.participant;
        try (Guard a = p.pin(); Guard b = p.pin(); Guard c = p.pin(); Guard d = p.pin()) {
            if (!(a.isPinned() & b.isPinned() & c.isPinned() & d.isPinned())) {
                throw new AssertionError("a nested guard is not pinned");
            }
        }
    }

    @Benchmark
    public void floor(FloorSlot slot) {
        slot.pinUnpin();
    }

    @Benchmark
    public int refcount(Shared shared) {
        shared.refs.incrementAndGet();
        return shared.refs.decrementAndGet();
    }

    @Benchmark
    public void rwlock(Shared shared) {
        shared.readLock.lock();
        shared.readLock.unlock();
    }

    @Benchmark
    public void stamped(Shared shared) {
        long stamp = shared.stamped.readLock();
        shared.stamped.unlockRead(stamp);
    }
}
