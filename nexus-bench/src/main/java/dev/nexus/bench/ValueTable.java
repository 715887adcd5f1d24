package dev.nexus.bench;

import dev.nexus.epoch.Detector;
import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.epoch.Participant;
import dev.nexus.epoch.ReadSide;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A fixed key space whose values are native segments, read whole by readers and replaced by one
 * writer, with one way of keeping a reader's value alive per subclass: the contenders of
 * {@link ReadMostlyMapBenchmark} and {@link VirtualThreadBenchmark}.
 *
 * <p>Readers call {@link #read} (and {@link #readBlocking}) from any number of threads, each with its
 * own {@link Reader}; one writer thread calls {@link #replace} and {@link #pendingBytes};
 * {@link #close} runs once every reader and the writer have stopped.
 */
abstract sealed class ValueTable permits ValueTable.Nexus, ValueTable.Leaky, ValueTable.RefCount,
        ValueTable.RwLock, ValueTable.ArenaPerValue {

    /** The contenders; each one is a subclass. */
    enum Kind {
        /**
         * Epoch domain with the quiescence tree and the default read side ({@code AUTO}: membarrier
         * on Linux x86-64 under HotSpot); the reader pins around the lookup and the read.
         */
        NEXUS_TREE,
        /** As {@link #NEXUS_TREE}, with the CAS read side forced (a locked instruction per pin). */
        NEXUS_TREE_CAS,
        /** Epoch domain with the flat-scan detector. */
        NEXUS_FLAT,
        /** Never frees a replaced value: no protection at all, the upper bound. */
        LEAKY,
        /** A reference count per value: increment-if-positive, read, decrement; the last one frees. */
        REFCOUNT,
        /** One {@link ReentrantReadWriteLock} over the table; the writer frees after unlocking. */
        RWLOCK,
        /** One {@link Arena#ofShared()} per value, closed by the writer when it replaces the value. */
        ARENA_PER_VALUE
    }

    static final NativeAllocator MALLOC = NativeAllocator.malloc();

    final int mask;
    final long valueBytes;

    ValueTable(int keys, long valueBytes) {
        if (keys <= 0 || Integer.bitCount(keys) != 1) {
            throw new IllegalArgumentException("keys must be a positive power of two: keys=" + keys);
        }
        if (valueBytes <= 0 || valueBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("value size must be a positive multiple of 8: valueBytes=" + valueBytes);
        }
        this.mask = keys - 1;
        this.valueBytes = valueBytes;
    }

    /** A table of {@code keys} values of {@code valueBytes} each, protected the {@code kind} way. */
    static ValueTable create(Kind kind, int keys, long valueBytes) {
        return switch (kind) {
            case NEXUS_TREE -> new Nexus(Detector.QUIESCENCE_TREE, ReadSide.AUTO, keys, valueBytes);
            case NEXUS_TREE_CAS -> new Nexus(Detector.QUIESCENCE_TREE, ReadSide.CAS, keys, valueBytes);
            case NEXUS_FLAT -> new Nexus(Detector.FLAT_SCAN, ReadSide.AUTO, keys, valueBytes);
            case LEAKY -> new Leaky(keys, valueBytes);
            case REFCOUNT -> new RefCount(keys, valueBytes);
            case RWLOCK -> new RwLock(keys, valueBytes);
            case ARENA_PER_VALUE -> new ArenaPerValue(keys, valueBytes);
        };
    }

    int keys() {
        return mask + 1;
    }

    /**
     * A reader context for the calling thread; epoch tables register a {@link Participant}, which only
     * this thread may use. Close it on the same thread.
     */
    Reader participantReader() {
        return new Reader();
    }

    /** A reader context that pins through the domain's pool ({@code domain.pin()}): any thread. */
    Reader pooledReader() {
        return new Reader();
    }

    /** Looks {@code key} up and reads the whole value; returns the sum of its words. */
    abstract long read(Reader reader, int key);

    /**
     * Reads the values of all {@code keys}, under one protection where the contender can share one
     * (one guard of the epoch domain, one read lock); each value on its own otherwise (a reference
     * count is per value). Returns the sum of every word read.
     */
    long readBatch(Reader reader, int[] keys) {
        long sum = 0;
        for (int key : keys) {
            sum += read(reader, key);
        }
        return sum;
    }

    /**
     * Like {@link #read}, but the reader blocks ({@code block.run()}) between two reads of the key,
     * either keeping its protection ({@code suspend == false}: the guard stays pinned, the reference
     * stays counted) or giving it up while blocked and taking it again after ({@code suspend == true}:
     * {@link Guard#suspend()}/{@link Guard#resume()}, or release and re-acquire).
     *
     * @throws UnsupportedOperationException for contenders other than epoch domains and reference counts
     */
    long readBlocking(Reader reader, int key, boolean suspend, Runnable block) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no blocking read");
    }

    /** Replaces {@code key}'s value with a fresh one filled from {@code stamp} and disposes of the old. */
    abstract void replace(int key, long stamp);

    /** Bytes replaced and not yet freed; called by the writer thread only. */
    abstract long pendingBytes();

    /** Frees everything; only after every reader and the writer stopped. */
    abstract void close();

    MemorySegment freshValue(long stamp) {
        MemorySegment value = MALLOC.allocate(valueBytes);
        Payload.fill(value, stamp);
        return value;
    }

    /** Per-thread reader state: a retry count, and the participant for epoch tables. */
    static class Reader {

        /** Reads that had to start over (a value freed under the reader, a lost race). */
        long retries;

        Guard pin(EpochDomain domain) {
            return domain.pin();
        }

        /** Releases what the reader holds; on the thread that created it. */
        void close() {
        }
    }

    /** A reader that pins through its own participant. */
    static final class ParticipantReader extends Reader {

        private final Participant participant;

        ParticipantReader(Participant participant) {
            this.participant = participant;
        }

        @Override
        Guard pin(EpochDomain domain) {
            return participant.pin();
        }

        @Override
        void close() {
            participant.close();
        }
    }

    /** Epoch-based reclamation: pin, look up, read, unpin; the writer retires the old value. */
    static final class Nexus extends ValueTable {

        private final EpochDomain domain;
        private final AtomicReferenceArray<MemorySegment> values;

        Nexus(Detector detector, ReadSide readSide, int keys, long valueBytes) {
            super(keys, valueBytes);
            this.domain = EpochDomain.builder().name("value-table-" + detector + "-" + readSide)
                    .detector(detector).readSide(readSide).build();
            this.values = new AtomicReferenceArray<>(keys);
            for (int key = 0; key < keys; key++) {
                values.set(key, freshValue(key));
            }
        }

        @Override
        Reader participantReader() {
            return new ParticipantReader(domain.register());
        }

        @Override
        long read(Reader reader, int key) {
            Guard guard = reader.pin(domain);
            try {
                return Payload.sum(values.getAcquire(key)); // acquire: pairs with the writer's getAndSet
            } finally {
                guard.close();
            }
        }

        @Override
        long readBatch(Reader reader, int[] keys) {
            Guard guard = reader.pin(domain);
            try {
                long sum = 0;
                for (int key : keys) {
                    sum += Payload.sum(values.getAcquire(key)); // acquire: pairs with the writer's getAndSet
                }
                return sum;
            } finally {
                guard.close();
            }
        }

        @Override
        long readBlocking(Reader reader, int key, boolean suspend, Runnable block) {
            Guard guard = reader.pin(domain);
            try {
                long sum = Payload.sum(values.getAcquire(key));
                if (suspend) {
                    guard.suspend();
                    block.run();
                    guard.resume();
                } else {
                    block.run();
                }
                return sum + Payload.sum(values.getAcquire(key)); // looked up again after resume
            } finally {
                guard.close();
            }
        }

        @Override
        void replace(int key, long stamp) {
            MemorySegment old = values.getAndSet(key, freshValue(stamp)); // volatile: unlink + publish
            domain.retire(old, MALLOC);
        }

        @Override
        long pendingBytes() {
            return domain.stats().pendingBytes();
        }

        @Override
        void close() {
            domain.close();
            for (int key = 0; key < keys(); key++) {
                MALLOC.free(values.get(key));
            }
        }
    }

    /** No protection and no free: the upper bound. Replaced values are freed only by {@link #close}. */
    static final class Leaky extends ValueTable {

        private final AtomicReferenceArray<MemorySegment> values;
        private final List<MemorySegment> leaked = new ArrayList<>();

        Leaky(int keys, long valueBytes) {
            super(keys, valueBytes);
            this.values = new AtomicReferenceArray<>(keys);
            for (int key = 0; key < keys; key++) {
                values.set(key, freshValue(key));
            }
        }

        @Override
        long read(Reader reader, int key) {
            return Payload.sum(values.getAcquire(key));
        }

        @Override
        void replace(int key, long stamp) {
            leaked.add(values.getAndSet(key, freshValue(stamp)));
        }

        @Override
        long pendingBytes() {
            return leaked.size() * valueBytes;
        }

        @Override
        void close() {
            leaked.forEach(MALLOC::free);
            leaked.clear();
            for (int key = 0; key < keys(); key++) {
                MALLOC.free(values.get(key));
            }
        }
    }

    /** A reference count per value; the table holds one reference, dropped when the value is replaced. */
    static final class RefCount extends ValueTable {

        /** A value and its count; the count is 0 once freed and never rises again. */
        static final class Counted {
            final MemorySegment segment;
            @SuppressWarnings("unused") // accessed through REFS
            private volatile int refs = 1;

            Counted(MemorySegment segment) {
                this.segment = segment;
            }
        }

        private final AtomicReferenceArray<Counted> values;
        private final LongAdder freedBytes = new LongAdder();
        private long replacedBytes;

        RefCount(int keys, long valueBytes) {
            super(keys, valueBytes);
            this.values = new AtomicReferenceArray<>(keys);
            for (int key = 0; key < keys; key++) {
                values.set(key, new Counted(freshValue(key)));
            }
        }

        private Counted acquire(Reader reader, int key) {
            while (true) {
                Counted counted = values.getAcquire(key);
                int refs = (int) REFS.getVolatile(counted);
                // volatile CAS, increment-if-positive: a count that reached 0 was freed
                if (refs > 0 && REFS.compareAndSet(counted, refs, refs + 1)) {
                    return counted;
                }
                reader.retries++;
            }
        }

        private void release(Counted counted) {
            if ((int) REFS.getAndAdd(counted, -1) == 1) {
                MALLOC.free(counted.segment);
                freedBytes.add(valueBytes);
            }
        }

        @Override
        long read(Reader reader, int key) {
            Counted counted = acquire(reader, key);
            try {
                return Payload.sum(counted.segment);
            } finally {
                release(counted);
            }
        }

        @Override
        long readBlocking(Reader reader, int key, boolean suspend, Runnable block) {
            Counted counted = acquire(reader, key);
            long sum = Payload.sum(counted.segment);
            if (suspend) {
                release(counted);
                block.run();
                counted = acquire(reader, key);
            } else {
                block.run();
            }
            try {
                return sum + Payload.sum(counted.segment);
            } finally {
                release(counted);
            }
        }

        @Override
        void replace(int key, long stamp) {
            Counted old = values.getAndSet(key, new Counted(freshValue(stamp)));
            replacedBytes += valueBytes;
            release(old);
        }

        @Override
        long pendingBytes() {
            return replacedBytes - freedBytes.sum();
        }

        @Override
        void close() {
            for (int key = 0; key < keys(); key++) {
                release(values.get(key));
            }
        }

        // VarHandle mechanics
        private static final VarHandle REFS;

        static {
            try {
                REFS = MethodHandles.lookup().findVarHandle(Counted.class, "refs", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** One read-write lock over the whole table; the writer frees the old value after unlocking. */
    static final class RwLock extends ValueTable {

        private final MemorySegment[] values;
        private final Lock readLock;
        private final Lock writeLock;

        RwLock(int keys, long valueBytes) {
            super(keys, valueBytes);
            ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
            this.readLock = lock.readLock();
            this.writeLock = lock.writeLock();
            this.values = new MemorySegment[keys];
            for (int key = 0; key < keys; key++) {
                values[key] = freshValue(key);
            }
        }

        @Override
        long read(Reader reader, int key) {
            readLock.lock();
            try {
                return Payload.sum(values[key]);
            } finally {
                readLock.unlock();
            }
        }

        @Override
        long readBatch(Reader reader, int[] keys) {
            readLock.lock();
            try {
                long sum = 0;
                for (int key : keys) {
                    sum += Payload.sum(values[key]);
                }
                return sum;
            } finally {
                readLock.unlock();
            }
        }

        @Override
        void replace(int key, long stamp) {
            MemorySegment fresh = freshValue(stamp);
            MemorySegment old;
            writeLock.lock();
            try {
                old = values[key];
                values[key] = fresh;
            } finally {
                writeLock.unlock();
            }
            MALLOC.free(old);
        }

        @Override
        long pendingBytes() {
            return 0;
        }

        @Override
        void close() {
            for (MemorySegment value : values) {
                MALLOC.free(value);
            }
        }
    }

    /**
     * One shared arena per value, closed when the value is replaced: the JDK's own safe reclamation.
     * A reader that races the close gets {@link IllegalStateException} and reads the new value.
     */
    static final class ArenaPerValue extends ValueTable {

        private record Scoped(Arena arena, MemorySegment segment) {
        }

        private final AtomicReferenceArray<Scoped> values;

        ArenaPerValue(int keys, long valueBytes) {
            super(keys, valueBytes);
            this.values = new AtomicReferenceArray<>(keys);
            for (int key = 0; key < keys; key++) {
                values.set(key, scoped(key));
            }
        }

        private Scoped scoped(long stamp) {
            Arena arena = Arena.ofShared();
            MemorySegment segment = arena.allocate(valueBytes, Long.BYTES);
            Payload.fill(segment, stamp);
            return new Scoped(arena, segment);
        }

        @Override
        long read(Reader reader, int key) {
            while (true) {
                Scoped scoped = values.getAcquire(key);
                try {
                    return Payload.sum(scoped.segment());
                } catch (IllegalStateException closed) {
                    reader.retries++; // closed under us: the key has a new value
                }
            }
        }

        @Override
        void replace(int key, long stamp) {
            values.getAndSet(key, scoped(stamp)).arena().close();
        }

        @Override
        long pendingBytes() {
            return 0;
        }

        @Override
        void close() {
            for (int key = 0; key < keys(); key++) {
                values.get(key).arena().close();
            }
        }
    }
}
