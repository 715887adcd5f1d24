package dev.nexus.zerocopy.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Arrow bitmaps: bit {@code i} is bit {@code i % 8} (least significant first) of byte {@code i / 8}. */
public final class Bitmaps {

    private Bitmaps() {
    }

    /**
     * Reads one bit.
     *
     * @param bitmap the bitmap
     * @param index the bit index
     * @return whether the bit is set
     */
    public static boolean get(MemorySegment bitmap, long index) {
        return (bitmap.get(ValueLayout.JAVA_BYTE, index >>> 3) & (1 << (index & 7))) != 0;
    }

    /**
     * Counts the set bits among {@code count} bits starting at bit {@code from}.
     *
     * @param bitmap the bitmap
     * @param from the first bit
     * @param count how many bits
     * @return the number of set bits
     */
    public static long countSet(MemorySegment bitmap, long from, long count) {
        long set = 0;
        long i = from;
        long end = from + count;
        while (i < end && (i & 63) != 0) {
            set += get(bitmap, i) ? 1 : 0;
            i++;
        }
        while (end - i >= 64) {
            set += Long.bitCount(bitmap.get(ValueLayout.JAVA_LONG_UNALIGNED, i >>> 3));
            i += 64;
        }
        while (i < end) {
            set += get(bitmap, i) ? 1 : 0;
            i++;
        }
        return set;
    }
}
