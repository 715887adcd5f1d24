package dev.nexus.numa.internal;

import java.util.Arrays;

/** Conversions between sorted {@code int} sets and the kernel's {@code unsigned long} bit masks. */
public final class Bits {

    private Bits() {
    }

    /**
     * A mask with bit {@code n} of word {@code n / 64} set for each element.
     *
     * @param members non-negative numbers
     * @param minBits the mask holds at least this many bits
     * @return the mask, at least one word
     */
    public static long[] toMask(int[] members, int minBits) {
        int max = minBits - 1;
        for (int m : members) {
            if (m < 0) {
                throw new IllegalArgumentException("mask members must be >= 0: member=" + m);
            }
            max = Math.max(max, m);
        }
        long[] mask = new long[Math.max(1, max / 64 + 1)];
        for (int m : members) {
            mask[m >>> 6] |= 1L << (m & 63);
        }
        return mask;
    }

    /**
     * The members of a mask, ascending.
     *
     * @param mask a bit mask
     * @return the numbers of its set bits
     */
    public static int[] toArray(long[] mask) {
        int[] out = new int[Long.SIZE * mask.length];
        int n = 0;
        for (int w = 0; w < mask.length; w++) {
            for (long bits = mask[w]; bits != 0; bits &= bits - 1) {
                out[n++] = w * 64 + Long.numberOfTrailingZeros(bits);
            }
        }
        return Arrays.copyOf(out, n);
    }
}
