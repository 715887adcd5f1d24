package dev.nexus.demo;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The reference-counting baseline: each value's holder carries a count, 1 for the table plus 1 per
 * reader inside it. A reader increments it (unless it already dropped to zero) before reading and
 * decrements it after; whoever drops it to zero frees the value. Every read therefore writes the
 * value's counter line twice, and readers of a hot key contend on it.
 *
 * <p>Memory effects: the count's CAS and decrements are volatile read-modify-writes on one
 * variable, so every reader's accesses happen-before the decrement to zero and thus the free.
 */
final class RefCountCache extends OffHeapCache {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    private final AtomicReferenceArray<Holder> table;
    private final AtomicLong pendingBytes = new AtomicLong();

    /** Fills every key with a version-0 value. */
    RefCountCache(int keys, int valueSize) {
        super(keys, valueSize);
        this.table = new AtomicReferenceArray<>(keys);
        for (int key = 0; key < keys; key++) {
            table.set(key, newHolder(key, 0));
        }
    }

    private Holder newHolder(int key, long version) {
        MemorySegment value = MALLOC.allocate(valueSize);
        CacheValue.fill(value, key, version);
        return new Holder(value);
    }

    @Override
    Reader reader() {
        return new CountingReader();
    }

    @Override
    void replace(int key, long version) {
        Holder old = table.getAndSet(key, newHolder(key, version)); // volatile: publishes the fill
        pendingBytes.addAndGet(valueSize); // before the release that may free it: never negative
        release(old); // drops the table's reference
    }

    private void release(Holder holder) {
        if (holder.refs.decrementAndGet() == 0) {
            MALLOC.free(holder.value);
            pendingBytes.addAndGet(-valueSize);
        }
    }

    @Override
    long pendingBytes() {
        return pendingBytes.get();
    }

    /** Frees every value; no reader may be active. */
    @Override
    public void close() {
        for (int key = 0; key < keys; key++) {
            Holder holder = table.getAndSet(key, null);
            if (holder != null) {
                pendingBytes.addAndGet(valueSize);
                release(holder);
            }
        }
    }

    /** A value and its reference count. */
    private static final class Holder {
        final MemorySegment value;
        /**
         * References: the table's (until replaced) plus one per reader inside.
         * Invariant: once 0 it stays 0 and the value is freed (or being freed).
         */
        final AtomicInteger refs = new AtomicInteger(1);

        Holder(MemorySegment value) {
            this.value = value;
        }

        /** Takes a reference unless the count already dropped to zero. */
        boolean tryAcquire() {
            for (int n = refs.get(); n != 0; n = refs.get()) {
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final class CountingReader implements Reader {
        private long retries;

        @Override
        public boolean read(int key) {
            while (true) {
                Holder holder = table.get(key);
                if (holder.tryAcquire()) {
                    try {
                        return CacheValue.verify(holder.value, key);
                    } finally {
                        release(holder);
                    }
                }
                retries++; // replaced and its last reader left: the table holds a newer one
            }
        }

        @Override
        public long retries() {
            return retries;
        }

        @Override
        public void close() {
        }
    }
}
