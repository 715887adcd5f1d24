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

    /**
     * Copies {@code count} bits starting at bit {@code from} into a new bitmap starting at bit 0; the
     * bits past {@code count} in the last byte are zero.
     *
     * @param bitmap the source bitmap
     * @param from the first bit
     * @param count how many bits
     * @return a bitmap of {@code ceil(count / 8)} bytes
     */
    public static byte[] copy(MemorySegment bitmap, long from, int count) {
        byte[] out = new byte[(int) BatchLayout.bitmapBytes(count)];
        if ((from & 7) == 0) {
            MemorySegment.copy(bitmap, ValueLayout.JAVA_BYTE, from >>> 3, out, 0, out.length);
            if ((count & 7) != 0) {
                out[out.length - 1] &= (byte) ((1 << (count & 7)) - 1);
            }
            return out;
        }
        for (int i = 0; i < count; i++) {
            if (get(bitmap, from + i)) {
                out[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        return out;
    }

    /**
     * A bitmap of {@code count} set bits (bits past {@code count} zero).
     *
     * @param count how many bits
     * @return a bitmap of {@code ceil(count / 8)} bytes
     */
    public static byte[] allSet(int count) {
        byte[] out = new byte[(int) BatchLayout.bitmapBytes(count)];
        java.util.Arrays.fill(out, (byte) -1);
        if ((count & 7) != 0) {
            out[out.length - 1] = (byte) ((1 << (count & 7)) - 1);
        }
        return out;
    }
}
