package dev.nexus.demo;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The layout of a cached value, and the check that tells an intact value from freed or reused
 * memory. A writer fills a fresh value completely before publishing it and never touches it again,
 * so a reader that finds anything but the exact pattern read memory that was freed (and perhaps
 * reused) under it: a use-after-free.
 *
 * <pre>
 *  offset 0        8          16        24                                       valueSize
 *         +--------+----------+---------+----------------------------------------+
 *         |  key   | version  |  check  | word i = check + i * STEP, i = 0, 1, ... |
 *         +--------+----------+---------+----------------------------------------+
 *  check = mix(key, version)
 * </pre>
 *
 * <p>The header sits where {@code free} writes its bookkeeping (glibc keeps its free-list links in
 * the first 16 bytes of a freed block), so a freed value fails the check even before it is reused;
 * a reused one fails on the key, the check or the payload.
 *
 * <p>Stateless; the methods are safe on any thread, but {@link #fill} must happen-before every
 * {@link #verify} of the same value (the caches publish values with a volatile write).
 */
final class CacheValue {

    /** Offset of the key the value belongs to. */
    static final long KEY = 0;
    /** Offset of the version the writer gave the value. */
    static final long VERSION = 8;
    /** Offset of {@code mix(key, version)}. */
    static final long CHECK = 16;
    /** Offset of the first payload word. */
    static final long PAYLOAD = 24;
    /** The smallest value: the header and one payload word. */
    static final int MIN_SIZE = 32;

    private static final long STEP = 0x9E37_79B9_7F4A_7C15L;

    private CacheValue() {
    }

    /**
     * Writes the whole value for {@code key} at {@code version}.
     *
     * @param value a segment of {@link #MIN_SIZE} or more bytes, a multiple of 8, 8-byte aligned
     */
    static void fill(MemorySegment value, int key, long version) {
        long check = mix(key, version);
        value.set(JAVA_LONG, KEY, key);
        value.set(JAVA_LONG, VERSION, version);
        value.set(JAVA_LONG, CHECK, check);
        long word = check;
        for (long offset = PAYLOAD; offset < value.byteSize(); offset += Long.BYTES) {
            value.set(JAVA_LONG, offset, word);
            word += STEP;
        }
    }

    /**
     * Reads the whole value (always all of it, so every strategy does the same work) and says
     * whether it is an intact value of {@code key}.
     *
     * @return false if the value belongs to another key or any word differs from the pattern
     */
    static boolean verify(MemorySegment value, int key) {
        long storedKey = value.get(JAVA_LONG, KEY);
        long check = value.get(JAVA_LONG, CHECK);
        boolean intact = storedKey == key & check == mix(storedKey, value.get(JAVA_LONG, VERSION));
        long word = check;
        for (long offset = PAYLOAD; offset < value.byteSize(); offset += Long.BYTES) {
            intact &= value.get(JAVA_LONG, offset) == word;
            word += STEP;
        }
        return intact;
    }

    /** A 64-bit mix of key and version (the murmur3 finalizer). */
    static long mix(long key, long version) {
        long h = key * STEP ^ version;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        return h ^ h >>> 33;
    }
}
