package dev.nexus.demo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The JDK baseline: each value lives in its own {@link Arena#ofShared() shared arena}, and the
 * writer that replaces a value closes its arena at once. Reads are checked by the JDK: a reader
 * still inside the value when the arena closes gets an {@link IllegalStateException} and retries the
 * lookup. Closing a shared arena is a handshake with every running thread, so writes are costly and
 * slow every reader down a little; nothing is ever pending.
 */
final class ArenaCache extends OffHeapCache {

    private final AtomicReferenceArray<Holder> table;

    /** Fills every key with a version-0 value. */
    ArenaCache(int keys, int valueSize) {
        super(keys, valueSize);
        this.table = new AtomicReferenceArray<>(keys);
        for (int key = 0; key < keys; key++) {
            table.set(key, newHolder(key, 0));
        }
    }

    private Holder newHolder(int key, long version) {
        Arena arena = Arena.ofShared();
        MemorySegment value = arena.allocate(valueSize, Long.BYTES);
        CacheValue.fill(value, key, version);
        return new Holder(arena, value);
    }

    @Override
    Reader reader() {
        return new RetryingReader();
    }

    @Override
    void replace(int key, long version) {
        Holder old = table.getAndSet(key, newHolder(key, version)); // volatile: publishes the fill
        old.arena.close();
    }

    /** Always 0: a replaced value is freed before {@link #replace} returns. */
    @Override
    long pendingBytes() {
        return 0;
    }

    @Override
    public void close() {
        for (int key = 0; key < keys; key++) {
            Holder holder = table.getAndSet(key, null);
            if (holder != null) {
                holder.arena.close();
            }
        }
    }

    /** A value and the arena that owns it. */
    private record Holder(Arena arena, MemorySegment value) {
    }

    private final class RetryingReader implements Reader {
        private long retries;

        @Override
        public boolean read(int key) {
            while (true) {
                Holder holder = table.get(key);
                try {
                    return CacheValue.verify(holder.value, key);
                } catch (IllegalStateException closed) {
                    retries++; // the arena was closed under us: the table holds a newer value
                }
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
