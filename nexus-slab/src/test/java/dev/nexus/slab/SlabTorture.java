package dev.nexus.slab;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A torture run in the spirit of rcutorture: writers replace records in a table of published keys
 * and remove the old ones; readers, inside guards, look keys up and check the record again and again
 * until their guard closes. Records are immutable while live and carry their own key, a version and a
 * checksum; with {@code poisonOnRecycle} a recycled slot is filled with {@link Slab#POISON}. A
 * reader that got a segment for a key must never see poison, a record of another key, a changed
 * version or a bad checksum before its guard closes: each is counted as a violation of
 * {@code NoReclaimWhilePinned} for slots.
 */
final class SlabTorture {

    /** Bytes per record: key, version, five payload words, checksum. */
    static final long RECORD_BYTES = 64;

    private static final int WORDS = (int) (RECORD_BYTES / Long.BYTES);
    private static final long EMPTY = -1;
    private static final long POISON_WORD = 0xA5A5A5A5A5A5A5A5L;

    /**
     * What a run saw.
     *
     * @param violations reads that saw poison, another key's record, a changed version or a bad checksum
     * @param checks record checks made by readers
     * @param staleLookups lookups that found the key already removed (allowed)
     * @param writes records inserted
     * @param firstViolation a description of the first violation, or null
     */
    record Result(long violations, long checks, long staleLookups, long writes, String firstViolation) {
    }

    private SlabTorture() {
    }

    /**
     * Runs readers and writers against {@code slab} for {@code duration}, or until the first
     * violation if {@code stopAtViolation}.
     */
    static Result run(EpochDomain domain, Slab slab, int readers, int writers, int cells, Duration duration,
            boolean stopAtViolation) {
        AtomicLongArray table = new AtomicLongArray(cells);
        for (int i = 0; i < cells; i++) {
            table.set(i, EMPTY);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong violations = new AtomicLong();
        AtomicReference<String> first = new AtomicReference<>();
        LongAdder checks = new LongAdder();
        LongAdder stale = new LongAdder();
        LongAdder writes = new LongAdder();
        AtomicLong versions = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        try (TestThreads threads = new TestThreads()) {
            for (int w = 0; w < writers; w++) {
                long seed = w;
                threads.platform("torture-writer-" + w, () -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    while (!stop.get()) {
                        VacantEntry entry = slab.reserve();
                        if (entry == null) { // every free slot waits for its grace period
                            Thread.yield();
                            continue;
                        }
                        write(entry.segment(), entry.key(), versions.incrementAndGet());
                        long key = entry.commit();
                        writes.increment();
                        long old = table.getAndSet(random.nextInt(cells), key); // volatile: publishes key
                        if (old != EMPTY && !slab.remove(old)) {
                            throw new AssertionError("a published key was already removed: 0x" + Long.toHexString(old));
                        }
                    }
                });
            }
            for (int r = 0; r < readers; r++) {
                long seed = 1000 + r;
                threads.platform("torture-reader-" + r, () -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    while (!stop.get()) {
                        try (Guard _ = domain.pin()) {
                            long key = table.get(random.nextInt(cells));
                            if (key == EMPTY) {
                                continue;
                            }
                            MemorySegment record = slab.get(key);
                            if (record == null) {
                                stale.increment();
                                continue;
                            }
                            long version = record.get(ValueLayout.JAVA_LONG, Long.BYTES);
                            int rounds = 1 + random.nextInt(64); // random guard length
                            for (int round = 0; round < rounds; round++) {
                                String problem = check(record, key, version);
                                checks.increment();
                                if (problem != null) {
                                    violations.incrementAndGet();
                                    first.compareAndSet(null, problem);
                                    if (stopAtViolation) {
                                        stop.set(true);
                                    }
                                    break;
                                }
                                for (int spin = random.nextInt(32); spin > 0; spin--) {
                                    Thread.onSpinWait();
                                }
                            }
                        }
                    }
                });
            }
            while (!stop.get() && System.nanoTime() < deadline && !threads.anyFailed()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            stop.set(true);
        }
        return new Result(violations.get(), checks.sum(), stale.sum(), writes.sum(), first.get());
    }

    /** Writes a record for {@code key}: key, version, payload derived from both, checksum. */
    static void write(MemorySegment record, long key, long version) {
        record.set(ValueLayout.JAVA_LONG, 0, key);
        record.set(ValueLayout.JAVA_LONG, Long.BYTES, version);
        long sum = key ^ version;
        for (int i = 2; i < WORDS - 1; i++) {
            long word = mix(key, version, i);
            record.setAtIndex(ValueLayout.JAVA_LONG, i, word);
            sum ^= word;
        }
        record.setAtIndex(ValueLayout.JAVA_LONG, WORDS - 1, sum);
    }

    /** Checks a record read for {@code key}; returns what is wrong, or null. */
    static String check(MemorySegment record, long key, long version) {
        long k = record.get(ValueLayout.JAVA_LONG, 0);
        long v = record.get(ValueLayout.JAVA_LONG, Long.BYTES);
        if (k == POISON_WORD || v == POISON_WORD) {
            return "poison in the record of live-at-pin key 0x" + Long.toHexString(key);
        }
        if (k != key) {
            return "record of key 0x" + Long.toHexString(k) + " in the slot of key 0x" + Long.toHexString(key);
        }
        if (v != version) {
            return "version of key 0x" + Long.toHexString(key) + " changed from " + version + " to " + v;
        }
        long sum = k ^ v;
        for (int i = 2; i < WORDS - 1; i++) {
            long word = record.getAtIndex(ValueLayout.JAVA_LONG, i);
            if (word == POISON_WORD) {
                return "poison in the payload of key 0x" + Long.toHexString(key);
            }
            sum ^= word;
        }
        if (sum != record.getAtIndex(ValueLayout.JAVA_LONG, WORDS - 1)) {
            return "bad checksum in the record of key 0x" + Long.toHexString(key);
        }
        return null;
    }

    private static long mix(long key, long version, int i) {
        long z = key * 0x9E3779B97F4A7C15L + version * 0xBF58476D1CE4E5B9L + i;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 29);
    }
}
