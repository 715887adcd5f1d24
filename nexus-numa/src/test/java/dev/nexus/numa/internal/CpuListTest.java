package dev.nexus.numa.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The kernel's list format, and what SysfsTopology makes of a tree without files. */
class CpuListTest {

    /** Ranges, singles, strides and white space parse to the sorted, distinct members. */
    @Test
    void parses() {
        assertThat(CpuList.parse("0-3,8-11\n")).containsExactly(0, 1, 2, 3, 8, 9, 10, 11);
        assertThat(CpuList.parse("5")).containsExactly(5);
        assertThat(CpuList.parse("0-7:2")).containsExactly(0, 2, 4, 6);
        assertThat(CpuList.parse("3,1,1-2")).containsExactly(1, 2, 3);
        assertThat(CpuList.parse("\n")).isEmpty();
    }

    /** Formatting collapses runs into ranges and round-trips. */
    @Test
    void formats() {
        assertThat(CpuList.format(new int[] {0, 1, 2, 3, 8, 10, 11})).isEqualTo("0-3,8,10-11");
        assertThat(CpuList.format(new int[0])).isEmpty();
        assertThat(CpuList.parse(CpuList.format(new int[] {4, 5, 6, 40}))).containsExactly(4, 5, 6, 40);
    }

    /** Text that is not a list is rejected with the text in the message. */
    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> CpuList.parse("0-x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'0-x'");
        assertThatThrownBy(() -> CpuList.parse("5-3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CpuList.parse("-1")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A root without /sys or /proc files reads as unknown, not as an error. */
    @Test
    void missingFilesAreUnknown() {
        SysfsTopology sys = SysfsTopology.read(Path.of("/nonexistent-nexus-root"));
        assertThat(sys.nodes()).isEmpty();
        assertThat(sys.memsAllowed()).isNull();
        assertThat(sys.cpusAllowed()).isNull();
    }

    /** Masks and member arrays convert both ways, across word boundaries. */
    @Test
    void bits() {
        long[] mask = Bits.toMask(new int[] {0, 3, 64, 130}, 1);
        assertThat(mask).containsExactly(0b1001L, 1L, 1L << 2);
        assertThat(Bits.toArray(mask)).containsExactly(0, 3, 64, 130);
        assertThat(Bits.toMask(new int[] {2}, 128)).hasSize(2);
    }
}
