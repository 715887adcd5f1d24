package dev.nexus.bench;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.Participant;
import dev.nexus.epoch.ReadSide;
import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.SlotFlag;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the nanoseconds of a {@link Participant} pin+unpin on the membarrier read side go: the pin's
 * memory accesses replayed one layer at a time, from the bare store pair to the public API, in one
 * run (the differences between adjacent rows are the price of each layer).
 *
 * <ol>
 *   <li>{@code heapStorePair}: opaque store then release store of {@link PinBenchmark}'s padded
 *       on-heap slot:
 *       what a pin without a locked instruction costs at least in Java.
 *   <li>{@code regionStorePair}: the same two stores to a word of the native protocol region
 *       ({@code SharedRegion}): the difference is the memory-segment access checks.
 *   <li>{@code heapPinWords}: every word the membarrier pin touches, in its order and access modes,
 *       as on-heap fields: volatile read of E, opaque store of PINNED(E), volatile read of the flag,
 *       volatile re-read of E (closed bit), plain read of the slot's last-reported epoch, release
 *       store of IDLE.
 *   <li>{@code regionPinWords}: the same accesses to the native protocol region: the difference is
 *       the memory-segment access checks of four more accesses.
 *   <li>{@code participant}: {@code participant.pin()} and {@code close()}: adds the owner-thread and
 *       nesting checks and the guard object (escape-analysed).
 *   <li>{@code floor}: {@link PinBenchmark}'s floor (volatile store, release store, on heap), for the
 *       ratios.
 * </ol>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class PinAnatomyBenchmark {

    /** A participant on the membarrier read side, and a private copy of the words its pin touches. */
    @State(Scope.Thread)
    public static class Words {

        EpochDomain domain;
        Participant participant;
        long epoch;
        long slot;

        @Setup(Level.Trial)
        public void open() {
            domain = EpochDomain.builder().name("anatomy").readSide(ReadSide.MEMBARRIER).build();
            participant = domain.register();
            long block = SharedRegion.carve(SharedRegion.PAGE);
            epoch = block;
            slot = block + DomainLayout.STRIDE;
            SharedRegion.setLongVolatile(epoch, 8);
            SharedRegion.setLongVolatile(slot, Epoch.IDLE);
            SharedRegion.setLongVolatile(slot + DomainLayout.SLOT_SEEN, 8);
            SharedRegion.setLongVolatile(slot + DomainLayout.SLOT_FLAG, SlotFlag.ONLINE);
        }

        @TearDown(Level.Trial)
        public void close() {
            participant.close();
            domain.close();
        }
    }

    /** On-heap copies of the words a pin touches: E, the slot, its flag and its last-reported epoch. */
    @State(Scope.Thread)
    public static class HeapWords {

        @SuppressWarnings("unused") // accessed through E
        volatile long e = 8;
        @SuppressWarnings("unused") // accessed through SLOT
        volatile long slot = Epoch.IDLE;
        @SuppressWarnings("unused") // accessed through FLAG
        volatile long flag = SlotFlag.ONLINE;
        long seen = 8;

        // VarHandle mechanics
        static final VarHandle E;
        static final VarHandle SLOT;
        static final VarHandle FLAG;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                E = lookup.findVarHandle(HeapWords.class, "e", long.class);
                SLOT = lookup.findVarHandle(HeapWords.class, "slot", long.class);
                FLAG = lookup.findVarHandle(HeapWords.class, "flag", long.class);
            } catch (ReflectiveOperationException x) {
                throw new ExceptionInInitializerError(x);
            }
        }
    }

    @Benchmark
    public void heapStorePair(PinBenchmark.FloorSlot s) {
        PinBenchmark.FloorSlot.SLOT.setOpaque(s, Epoch.pinned(2));
        PinBenchmark.FloorSlot.SLOT.setRelease(s, Epoch.IDLE);
    }

    @Benchmark
    public void regionStorePair(Words w) {
        SharedRegion.setLongOpaque(w.slot, Epoch.pinned(2));
        SharedRegion.setLongRelease(w.slot, Epoch.IDLE);
    }

    @Benchmark
    public long heapPinWords(HeapWords h) {
        long e = (long) HeapWords.E.getVolatile(h);
        HeapWords.SLOT.setOpaque(h, Epoch.pinned(e));
        long flag = (long) HeapWords.FLAG.getVolatile(h);
        long closed = (long) HeapWords.E.getVolatile(h);
        long seen = h.seen;
        HeapWords.SLOT.setRelease(h, Epoch.IDLE);
        return flag + closed + seen;
    }

    @Benchmark
    public long regionPinWords(Words w) {
        long e = SharedRegion.getLongVolatile(w.epoch);
        SharedRegion.setLongOpaque(w.slot, Epoch.pinned(e));
        long flag = SharedRegion.getLongVolatile(w.slot + DomainLayout.SLOT_FLAG);
        long closed = SharedRegion.getLongVolatile(w.epoch);
        long seen = SharedRegion.getLongPlain(w.slot + DomainLayout.SLOT_SEEN);
        SharedRegion.setLongRelease(w.slot, Epoch.IDLE);
        return flag + closed + seen;
    }

    @Benchmark
    public void participant(Words w) {
        Guard guard = w.participant.pin();
        guard.close();
    }

    @Benchmark
    public void floor(PinBenchmark.FloorSlot s) {
        s.pinUnpin();
    }
}
