package dev.nexus.demo;

/**
 * A fixed key space {@code [0, keys)} whose values are native memory segments in the
 * {@link CacheValue} layout. Writers replace values whole; readers look a key up and read its value
 * whole. The subclasses differ only in how a replaced value is reclaimed while readers may still be
 * reading it: that is the comparison the demo makes.
 *
 * <p><b>Caller assumptions.</b> {@link #replace} and {@link #reader()} may be called from any
 * number of threads at once; a {@link Reader} belongs to the thread that created it. Every reader
 * is closed and every writer has stopped before {@link #close()}.
 *
 * <p><b>Guarantees.</b> A reader never reads freed memory: {@link Reader#read} returns false only
 * if the strategy is broken (or the memory was corrupted otherwise).
 */
abstract sealed class OffHeapCache implements AutoCloseable permits EpochCache, RefCountCache, ArenaCache {

    /** Number of keys. */
    final int keys;
    /** Bytes of every value. */
    final int valueSize;

    OffHeapCache(int keys, int valueSize) {
        if (keys <= 0) {
            throw new IllegalArgumentException("keys must be positive: keys=" + keys);
        }
        if (valueSize < CacheValue.MIN_SIZE || valueSize % Long.BYTES != 0) {
            throw new IllegalArgumentException("value size must be a multiple of 8 and at least "
                    + CacheValue.MIN_SIZE + ": valueSize=" + valueSize);
        }
        this.keys = keys;
        this.valueSize = valueSize;
    }

    /**
     * A read handle for the calling thread (platform or virtual).
     *
     * @return a reader to be used and closed on the calling thread
     */
    abstract Reader reader();

    /**
     * Allocates and fills a new value for {@code key}, publishes it, and hands the old one to the
     * strategy's reclamation.
     */
    abstract void replace(int key, long version);

    /**
     * Bytes of replaced values not yet freed (racy).
     *
     * @return pending bytes
     */
    abstract long pendingBytes();

    /**
     * The epoch of the strategy's domain, or -1 if the strategy has no epochs.
     *
     * @return the epoch or -1
     */
    long epoch() {
        return -1;
    }

    /** Frees every value (or hands them to the strategy's reclamation, to be freed on its close). */
    @Override
    public abstract void close();

    /** A thread's read handle. Not thread-safe: it belongs to the thread that created it. */
    interface Reader extends AutoCloseable {

        /**
         * Looks {@code key} up and reads its whole value.
         *
         * @return true if the value was intact; false marks a use-after-free
         */
        boolean read(int key);

        /**
         * Lookups that had to start over because the value found was being reclaimed (reference
         * count at zero, arena closed); 0 for strategies that never retry.
         *
         * @return retries so far
         */
        long retries();

        @Override
        void close();
    }
}
