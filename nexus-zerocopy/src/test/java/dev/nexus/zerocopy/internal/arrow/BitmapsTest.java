package dev.nexus.zerocopy.internal.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Re-based bitmap copies and null counts against a plain boolean model. */
class BitmapsTest {

    /** {@code copyTo} puts bit {@code from + i} at bit {@code to + i} and nothing else, for every shift. */
    @Test
    void copiesMatchTheModel() {
        Random random = new Random(42);
        boolean[] model = new boolean[203];
        MemorySegment source = MemorySegment.ofArray(new byte[(int) Bitmaps.bytesFor(model.length)]);
        for (int i = 0; i < model.length; i++) {
            model[i] = random.nextBoolean();
            if (model[i]) {
                long at = i >>> 3;
                source.set(ValueLayout.JAVA_BYTE, at, (byte) (source.get(ValueLayout.JAVA_BYTE, at) | 1 << (i & 7)));
            }
        }
        SideMemory memory = new SideMemory();
        try {
            for (int from = 0; from < 20; from++) {
                for (int bits : new int[] {0, 1, 7, 8, 9, 64, model.length - from}) {
                    for (int to = 0; to < 8; to++) {
                        MemorySegment copy = Bitmaps.copyTo(source, from, bits, to, memory);
                        for (int i = 0; i < copy.byteSize() * 8; i++) {
                            boolean expected = i >= to && i < to + bits && model[from + i - to];
                            assertThat(Bitmaps.get(copy, i)).as("from=%s bits=%s to=%s bit %s", from, bits, to, i)
                                    .isEqualTo(expected);
                        }
                    }
                    long clear = 0;
                    for (int i = from; i < from + bits; i++) {
                        clear += model[i] ? 0 : 1;
                    }
                    assertThat(Bitmaps.countClear(source, from, bits)).isEqualTo(clear);
                }
            }
        } finally {
            memory.free();
        }
    }

    /** The last source byte is never read past: a copy of the final bits of a bitmap stays inside it. */
    @Test
    void readsNoByteBeyondTheSource() {
        MemorySegment source = MemorySegment.ofArray(new byte[] {(byte) 0xFF, (byte) 0x0F});
        SideMemory memory = new SideMemory();
        try {
            MemorySegment copy = Bitmaps.rebase(source, 5, 11, memory);
            assertThat(copy.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x7F); // bits 5..11 set
            assertThat(copy.get(ValueLayout.JAVA_BYTE, 1)).isZero();
        } finally {
            memory.free();
        }
    }
}
