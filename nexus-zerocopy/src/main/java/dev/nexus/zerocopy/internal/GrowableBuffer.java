package dev.nexus.zerocopy.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An on-heap byte buffer that grows by doubling: the scratch space of a row-wise builder, copied into
 * the batch's one native segment by {@code build()} with a bulk copy. Not thread-safe.
 */
public final class GrowableBuffer {

    private static final int MAX = Integer.MAX_VALUE - 16;

    private final String what;
    private byte[] data = new byte[64];
    private MemorySegment view = MemorySegment.ofArray(data);
    private int size;

    /**
     * An empty buffer.
     *
     * @param what names the buffer in the message of a buffer that outgrows 2 GiB
     */
    public GrowableBuffer(String what) {
        this.what = what;
    }

    /**
     * The bytes written so far.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * A heap segment over the bytes written so far (valid until the next write).
     *
     * @return a segment of {@link #size()} bytes
     */
    public MemorySegment segment() {
        return view.asSlice(0, size);
    }

    private int reserve(long bytes) {
        long needed = size + bytes;
        if (needed > MAX) {
            throw new IllegalStateException(what + " would exceed " + MAX + " bytes (a builder keeps each buffer in"
                    + " one Java array; int32 offsets limit UTF8/BINARY/LIST data to 2 GiB): size=" + size
                    + " adding=" + bytes);
        }
        if (needed > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(MAX, Math.max(needed, 2L * data.length)));
            view = MemorySegment.ofArray(data);
        }
        int at = size;
        size = (int) needed;
        return at;
    }

    /**
     * Appends a byte.
     *
     * @param v the value
     */
    public void putByte(byte v) {
        int at = reserve(1); // before indexing: reserve may replace the array
        data[at] = v;
    }

    /**
     * Appends a short.
     *
     * @param v the value
     */
    public void putShort(short v) {
        int at = reserve(2);
        view.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, v);
    }

    /**
     * Appends an int.
     *
     * @param v the value
     */
    public void putInt(int v) {
        int at = reserve(4);
        view.set(ValueLayout.JAVA_INT_UNALIGNED, at, v);
    }

    /**
     * Appends a long.
     *
     * @param v the value
     */
    public void putLong(long v) {
        int at = reserve(8);
        view.set(ValueLayout.JAVA_LONG_UNALIGNED, at, v);
    }

    /**
     * Appends {@code n} zero bytes.
     *
     * @param n how many
     */
    public void putZeros(int n) {
        reserve(n); // the array is zero beyond size: growth zero-fills and nothing is written past size
    }

    /**
     * Appends the bytes of a segment.
     *
     * @param src what to append
     */
    public void put(MemorySegment src) {
        int at = reserve(src.byteSize());
        MemorySegment.copy(src, 0, view, at, src.byteSize());
    }

    /**
     * Sets bit {@code index} of a bitmap kept in this buffer, growing it to {@code ceil((index + 1) / 8)}
     * bytes; bits are appended in order (index is the next row).
     *
     * @param index the bit index, at most one past the last one set
     * @param value the bit
     */
    public void putBit(long index, boolean value) {
        long bytes = BatchLayout.bitmapBytes(index + 1);
        if (bytes > size) {
            reserve(bytes - size);
        }
        int at = (int) (index >>> 3);
        int mask = 1 << (index & 7);
        data[at] = (byte) (value ? data[at] | mask : data[at] & ~mask);
    }
}
