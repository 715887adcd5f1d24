package dev.nexus.slab.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The key bit budget: sign, tag, slot index and salted generation, and the instance tags. */
class KeyCodecTest {

    /** Fields round-trip at their extremes, and keys are never negative. */
    @Test
    void roundTrip() {
        KeyCodec codec = new KeyCodec(31, 0xDEADBEEF, 1 << 10);
        int[] indexes = {0, 1, 1023, 1024, (int) KeyCodec.MAX_SLOTS - 1};
        long[] generations = {0, 1, KeyCodec.MAX_GENERATION - 1, KeyCodec.MAX_GENERATION};
        for (int index : indexes) {
            for (long generation : generations) {
                long key = codec.encode(index, generation);
                assertThat(key).isNotNegative();
                assertThat(codec.hasTag(key)).isTrue();
                assertThat(KeyCodec.tagOf(key)).isEqualTo(31);
                assertThat(codec.index(key)).isEqualTo(index);
                assertThat(codec.generation(key)).isEqualTo(generation);
                assertThat(codec.slab(index)).isEqualTo(index >>> 10);
                assertThat(codec.slot(index)).isEqualTo(index & 1023);
            }
        }
        assertThat(codec.hasTag(-1)).isFalse();
    }

    /** The salt changes the key of the same slot and generation, so instances sharing a tag rarely collide. */
    @Test
    void saltSeparatesInstances() {
        KeyCodec a = new KeyCodec(3, 1, 64);
        KeyCodec b = new KeyCodec(3, 2, 64);
        long key = a.encode(5, 0);
        assertThat(b.encode(5, 0)).isNotEqualTo(key);
        assertThat(b.hasTag(key)).isTrue();
        assertThat(b.generation(key)).isNotZero();
        assertThat(new KeyCodec(4, 1, 64).hasTag(key)).isFalse();
    }

    /** Bad construction arguments name the rule and the value. */
    @Test
    void badArguments() {
        assertThatThrownBy(() -> new KeyCodec(32, 0, 1)).hasMessage("tag must be in [0, 32): tag=32");
        assertThatThrownBy(() -> new KeyCodec(0, 0, 3)).hasMessageContaining("slotsPerSlab=3");
    }

    /** Open slabs get distinct tags until all 32 are owned; then tags are shared, and released tags come back. */
    @Test
    void instanceTagsAreDistinctWhileOwned() {
        int[] handles = new int[40];
        Set<Integer> owned = new HashSet<>();
        int shared = 0;
        for (int i = 0; i < handles.length; i++) {
            handles[i] = InstanceTags.acquire();
            if ((handles[i] & InstanceTags.SHARED) == 0) {
                assertThat(owned.add(InstanceTags.tag(handles[i]))).isTrue();
            } else {
                shared++;
            }
        }
        assertThat(owned.size() + shared).isEqualTo(40);
        assertThat(shared).isGreaterThanOrEqualTo(8); // other tests may hold some tags, never more than 32
        for (int handle : handles) {
            InstanceTags.release(handle);
        }
        int again = InstanceTags.acquire();
        assertThat(again & InstanceTags.SHARED).isZero();
        InstanceTags.release(again);
    }
}
