package dev.nexus.zerocopy.internal.arrow;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Arrow bitmaps (validity, BOOL values): bit {@code i} is bit {@code i % 8} of byte {@code i / 8},
 * least significant bit first. A bitmap can be shared in place from any row that is a multiple of 8
 * (a byte boundary); from any other row it needs a re-based copy, the one copy of the C Data paths.
 */
public final class Bitmaps {

    private Bitmaps() {
    }

    /**
     * Bytes a bitmap of {@code bits} bits takes.
     *
     * @param bits the bit count
     * @return {@code ceil(bits / 8)}
     */
    public static long bytesFor(long bits) {
        return (bits + 7) >>> 3;
    }

    /**
     * Whether bit {@code index} is set.
     *
     * @param bitmap the bitmap
     * @param index the bit
     * @return the bit
     */
    public static boolean get(MemorySegment bitmap, long index) {
        return (bitmap.get(ValueLayout.JAVA_BYTE, index >>> 3) >> (index & 7) & 1) != 0;
    }

    /**
     * Copies {@code bits} bits starting at bit {@code from} of {@code source} into a new bitmap that
     * starts at bit 0, zero-padded to whole 64-bit words. Reads no byte beyond {@code source}'s end.
     *
     * @param source the bitmap to copy from
     * @param from the first bit to copy
     * @param bits how many bits
     * @param memory where the copy is allocated (freed with the export or import)
     * @return the re-based bitmap
     */
    public static MemorySegment rebase(MemorySegment source, long from, long bits, SideMemory memory) {
        long outBytes = bytesFor(bits);
        MemorySegment out = memory.allocate(Math.max(8, (outBytes + 7) & -8L), 64);
        int shift = (int) (from & 7);
        long first = from >>> 3;
        long sourceBytes = source.byteSize();
        for (long j = 0; j < outBytes; j++) {
            int lo = (source.get(ValueLayout.JAVA_BYTE, first + j) & 0xFF) >>> shift;
            int hi = shift != 0 && first + j + 1 < sourceBytes
                    ? (source.get(ValueLayout.JAVA_BYTE, first + j + 1) & 0xFF) << (8 - shift) : 0;
            out.set(ValueLayout.JAVA_BYTE, j, (byte) (lo | hi));
        }
        int tail = (int) (bits & 7);
        if (tail != 0) {
            long last = outBytes - 1;
            out.set(ValueLayout.JAVA_BYTE, last, (byte) (out.get(ValueLayout.JAVA_BYTE, last) & ((1 << tail) - 1)));
        }
        return out;
    }

    /**
     * Copies {@code bits} bits starting at bit {@code from} of {@code source} into a new bitmap where
     * they start at bit {@code to} (bits below {@code to} are clear), zero-padded to whole 64-bit words.
     *
     * @param source the bitmap to copy from
     * @param from the first bit to copy
     * @param bits how many bits
     * @param to where the first bit lands in the copy, {@code 0 <= to < 8}
     * @param memory where the copy is allocated
     * @return the copy
     */
    public static MemorySegment copyTo(MemorySegment source, long from, long bits, int to, SideMemory memory) {
        if (to == 0) {
            return rebase(source, from, bits, memory);
        }
        long outBytes = bytesFor(to + bits);
        MemorySegment out = memory.allocate(Math.max(8, (outBytes + 7) & -8L), 64);
        for (long i = 0; i < bits; i++) {
            if (get(source, from + i)) {
                long bit = to + i;
                long at = bit >>> 3;
                out.set(ValueLayout.JAVA_BYTE, at, (byte) (out.get(ValueLayout.JAVA_BYTE, at) | 1 << (bit & 7)));
            }
        }
        return out;
    }

    /**
     * Counts the clear bits (nulls of a validity bitmap) among {@code bits} bits from bit {@code from}.
     *
     * @param validity the bitmap
     * @param from the first bit
     * @param bits how many bits
     * @return the number of clear bits
     */
    public static long countClear(MemorySegment validity, long from, long bits) {
        long set = 0;
        long i = from;
        long end = from + bits;
        while (i < end && (i & 7) != 0) {
            set += get(validity, i) ? 1 : 0;
            i++;
        }
        while (end - i >= 8) {
            set += Integer.bitCount(validity.get(ValueLayout.JAVA_BYTE, i >>> 3) & 0xFF);
            i += 8;
        }
        while (i < end) {
            set += get(validity, i) ? 1 : 0;
            i++;
        }
        return bits - set;
    }
}
