package dev.nexus.demo;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.epoch.Participant;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The Nexus strategy: readers pin a guard around each lookup, writers retire the value they replaced
 * to an {@link EpochDomain}, which frees it with {@code malloc}'s {@code free} after a grace period.
 * A read costs a pin and an unpin on the reader's own slot; nothing is written to shared lines.
 *
 * <p>Platform readers register a {@link Participant} (the cheapest pin); virtual readers pin
 * through {@link EpochDomain#pin()}, which leases a pooled slot per guard.
 *
 * <p>Memory effects: the volatile {@code getAndSet} that unlinks a value precedes its
 * {@code retire}, so a reader that pins after the retire cannot load it (edge 3 of the
 * {@linkplain dev.nexus.epoch package documentation}), and a reader that loaded it before finishes
 * inside its guard before the free (edge 2, {@code NoReclaimWhilePinned}).
 */
final class EpochCache extends OffHeapCache {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    private final EpochDomain domain;
    private final AtomicReferenceArray<MemorySegment> table;

    /**
     * Fills every key with a version-0 value.
     *
     * @param domain the domain that reclaims replaced values; the caller closes it after this cache
     */
    EpochCache(int keys, int valueSize, EpochDomain domain) {
        super(keys, valueSize);
        this.domain = domain;
        this.table = new AtomicReferenceArray<>(keys);
        for (int key = 0; key < keys; key++) {
            table.set(key, newValue(key, 0));
        }
    }

    private MemorySegment newValue(int key, long version) {
        MemorySegment value = MALLOC.allocate(valueSize);
        CacheValue.fill(value, key, version);
        return value;
    }

    @Override
    Reader reader() {
        return Thread.currentThread().isVirtual() ? new PooledReader() : new ParticipantReader();
    }

    @Override
    void replace(int key, long version) {
        MemorySegment fresh = newValue(key, version);
        // volatile getAndSet: publishes the filled value and unlinks the old one before the retire
        MemorySegment old = table.getAndSet(key, fresh);
        domain.retire(old, MALLOC);
    }

    @Override
    long pendingBytes() {
        return domain.stats().pendingBytes();
    }

    @Override
    long epoch() {
        return domain.stats().epoch();
    }

    /** Retires every value; the domain frees them when it closes. */
    @Override
    public void close() {
        for (int key = 0; key < keys; key++) {
            MemorySegment value = table.getAndSet(key, null);
            if (value != null) {
                domain.retire(value, MALLOC);
            }
        }
    }

    /** Reads inside a guard of the pooled slots: for virtual threads. */
    private final class PooledReader implements Reader {
        @Override
        public boolean read(int key) {
            try (Guard _ = domain.pin()) {
                return CacheValue.verify(table.get(key), key);
            }
        }

        @Override
        public long retries() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    /** Reads inside a guard of the thread's own participant slot: for platform threads. */
    private final class ParticipantReader implements Reader {
        private final Participant participant = domain.register();

        @Override
        public boolean read(int key) {
            try (Guard _ = participant.pin()) {
                return CacheValue.verify(table.get(key), key);
            }
        }

        @Override
        public long retries() {
            return 0;
        }

        @Override
        public void close() {
            participant.close();
        }
    }
}
