package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Every offset of the layout, its alignment, and the shape of the tree. */
class DomainLayoutTest {

    /** E sits alone on the block's first page; slots follow on 128-byte strides. */
    @Test
    void headerAndSlots() {
        DomainLayout layout = new DomainLayout(64, 32);
        long block = layout.block();
        assertThat(block % SharedRegion.PAGE).isZero();
        assertThat(layout.epoch()).isEqualTo(block);
        assertThat(layout.slot(0)).isEqualTo(block + 4096);
        assertThat(layout.slot(1) - layout.slot(0)).isEqualTo(128);
        assertThat(layout.slot(95)).isEqualTo(block + 4096 + 95 * 128);
        assertThat(DomainLayout.SLOT_SEEN).isEqualTo(8);
        assertThat(DomainLayout.SLOT_OWNER).isEqualTo(16);
        assertThat(DomainLayout.SLOT_FLAG).isEqualTo(24);
        assertThat(layout.capacity()).isEqualTo(96);
        assertThat(layout.poolCapacity()).isEqualTo(64);
        assertThat(layout.releasableStart()).isEqualTo(block + 4096);
        assertThat(layout.releasableStart() + layout.releasableBytes()).isEqualTo(block + layout.bytes());
    }

    /** Leaves follow the slots, inner nodes take 256 bytes (word stride + counts line). */
    @Test
    void treeNodes() {
        DomainLayout layout = new DomainLayout(1024, 0); // 64 leaves -> 4 inner -> 1 root
        assertThat(layout.levels()).isEqualTo(3);
        assertThat(layout.levelSize(0)).isEqualTo(64);
        assertThat(layout.levelSize(1)).isEqualTo(4);
        assertThat(layout.levelSize(2)).isEqualTo(1);
        assertThat(layout.node(0, 0)).isEqualTo(layout.slot(1023) + 128);
        assertThat(layout.node(0, 1) - layout.node(0, 0)).isEqualTo(128);
        assertThat(layout.node(1, 0)).isEqualTo(layout.node(0, 63) + 128);
        assertThat(layout.node(1, 1) - layout.node(1, 0)).isEqualTo(256);
        assertThat(layout.count(1, 0, 0)).isEqualTo(layout.node(1, 0) + 128);
        assertThat(layout.count(1, 0, 15)).isEqualTo(layout.node(1, 0) + 128 + 60);
        assertThat(layout.node(2, 0)).isEqualTo(layout.node(1, 3) + 256);
        assertThat(layout.block() + layout.bytes()).isEqualTo(layout.node(2, 0) + 256);
        assertThat(layout.children(0, 63)).isEqualTo(16);
        assertThat(layout.children(1, 3)).isEqualTo(16);
        assertThat(layout.children(2, 0)).isEqualTo(4);
        for (int level = 0; level < layout.levels(); level++) {
            for (int i = 0; i < layout.levelSize(level); i++) {
                assertThat(layout.node(level, i) % 128).as("node %d/%d aligned", level, i).isZero();
            }
        }
    }

    /** A domain of 16 slots has a single leaf as root; the shape grows by fanout 16. */
    @Test
    void shapes() {
        assertThat(new DomainLayout(16, 0).levels()).isEqualTo(1);
        assertThat(new DomainLayout(32, 0).levels()).isEqualTo(2);
        assertThat(new DomainLayout(256, 0).levels()).isEqualTo(2);
        assertThat(new DomainLayout(272, 0).levels()).isEqualTo(3);
        assertThat(new DomainLayout(1 << 16, 4096).levels()).isEqualTo(5);
    }

    /** Capacities must be multiples of 16. */
    @Test
    void rejectsBadCapacities() {
        assertThatThrownBy(() -> new DomainLayout(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("poolCapacity=0");
        assertThatThrownBy(() -> new DomainLayout(20, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DomainLayout(16, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("participantCapacity=8");
    }
}
