package dev.nexus.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The bytes of a benchmark value: written whole by writers, read whole by readers, so that a
 * benchmark reads the payload it claims to protect and the JIT cannot drop the read.
 */
final class Payload {

    private Payload() {
    }

    /** Writes {@code stamp + offset} into every 8-byte word of {@code value} (8-byte aligned). */
    static void fill(MemorySegment value, long stamp) {
        long bytes = value.byteSize();
        for (long offset = 0; offset < bytes; offset += Long.BYTES) {
            value.set(ValueLayout.JAVA_LONG, offset, stamp + offset);
        }
    }

    /** Reads every 8-byte word of {@code value} and returns their sum. */
    static long sum(MemorySegment value) {
        long bytes = value.byteSize();
        long sum = 0;
        for (long offset = 0; offset < bytes; offset += Long.BYTES) {
            sum += value.get(ValueLayout.JAVA_LONG, offset);
        }
        return sum;
    }
}
