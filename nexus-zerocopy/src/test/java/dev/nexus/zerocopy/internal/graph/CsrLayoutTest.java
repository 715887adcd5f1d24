package dev.nexus.zerocopy.internal.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Every offset of the CSR sibling segment layout. */
class CsrLayoutTest {

    /** Sorted: the offsets region only, padded to 64 bytes. */
    @Test
    void sortedLayoutIsOffsetsOnly() {
        CsrLayout layout = new CsrLayout(100, 1000, 8, true);
        assertThat(CsrLayout.OFFSETS).isZero();
        assertThat(layout.offsetsBytes()).isEqualTo(404);
        assertThat(layout.totalBytes()).isEqualTo(448);
        assertThatThrownBy(layout::neighbours).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(layout::permutation).isInstanceOf(IllegalStateException.class);
    }

    /** Unsorted: offsets, neighbours, permutation, each 64-byte aligned and padded. */
    @Test
    void unsortedLayoutHasThreeAlignedRegions() {
        CsrLayout layout = new CsrLayout(15, 10, 8, false);
        assertThat(layout.offsetsBytes()).isEqualTo(64);
        assertThat(layout.neighbours()).isEqualTo(64);
        assertThat(layout.neighboursBytes()).isEqualTo(80);
        assertThat(layout.permutation()).isEqualTo(64 + 128);
        assertThat(layout.totalBytes()).isEqualTo(64 + 128 + 64);

        CsrLayout narrow = new CsrLayout(16, 17, 4, false);
        assertThat(narrow.offsetsBytes()).isEqualTo(68);
        assertThat(narrow.neighbours()).isEqualTo(128);
        assertThat(narrow.permutation()).isEqualTo(128 + 128);
        assertThat(narrow.totalBytes()).isEqualTo(128 + 128 + 128);
    }

    /** An empty graph still has its one offset; bad shapes are refused. */
    @Test
    void edgeCases() {
        assertThat(new CsrLayout(0, 0, 8, true).totalBytes()).isEqualTo(64);
        assertThat(new CsrLayout(0, 0, 4, false).totalBytes()).isEqualTo(64);
        assertThat(CsrLayout.pad(0)).isZero();
        assertThat(CsrLayout.pad(65)).isEqualTo(128);
        assertThatThrownBy(() -> new CsrLayout(1, 1, 2, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CsrLayout(-1, 1, 8, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
