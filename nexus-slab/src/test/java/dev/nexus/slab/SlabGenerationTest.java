package dev.nexus.slab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.slab.internal.KeyCodec;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Stale keys across generations of one slot, and retirement when a slot's generations run out. */
class SlabGenerationTest {

    private EpochDomain domain;

    @BeforeEach
    void openDomain() {
        domain = EpochDomain.builder().name("generations").build();
    }

    @AfterEach
    void closeDomain() {
        domain.close();
    }

    /** Every earlier key of a slot stays stale while the slot goes through many generations. */
    @Test
    void keysOfEarlierGenerationsStayStale() {
        try (Slab slab = Slab.builder(domain).slotSize(16).capacity(1).build()) {
            List<Long> dead = new ArrayList<>();
            for (int generation = 0; generation < 200; generation++) {
                long value = generation;
                long key = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, value));
                assertThat(key).isNotNegative();
                for (long old : dead) {
                    assertThat(slab.get(old)).isNull();
                    assertThat(slab.contains(old)).isFalse();
                    assertThat(slab.remove(old)).isFalse();
                }
                try (Guard _ = domain.pin()) {
                    assertThat(slab.get(key).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(value);
                }
                assertThat(slab.remove(key)).isTrue();
                dead.add(key);
                domain.barrier(); // the one slot comes back for the next generation
            }
            assertThat(dead).doesNotHaveDuplicates();
            assertThat(dead.stream().map(k -> k >>> 32).distinct()).hasSize(1); // one slot, 200 generations
        }
    }

    /** A slot whose last generation is removed is retired for good, and none of its keys is ever live again. */
    @Test
    void exhaustedSlotIsRetiredNotWrapped() {
        try (Slab slab = Slab.builder(domain).slotSize(16).capacity(2).generationLimitForTests(3).build()) {
            List<Long> keysOfSlot0 = new ArrayList<>();
            long first = slab.insert(s -> { });
            keysOfSlot0.add(first);
            long slotIndex = first >>> 32;
            for (int i = 0; i < 3; i++) { // generations 1, 2, 3
                slab.remove(keysOfSlot0.getLast());
                domain.barrier();
                long key = slab.insert(s -> { });
                assertThat(key >>> 32).isEqualTo(slotIndex); // LIFO: the same slot again
                keysOfSlot0.add(key);
            }
            assertThat(slab.report().retiredSlots()).isZero();
            slab.remove(keysOfSlot0.getLast()); // generation 3 is the last: the slot retires
            domain.barrier();
            assertThat(slab.report().retiredSlots()).isEqualTo(1);
            assertThat(slab.report().pendingSlots()).isZero();

            long other = slab.insert(s -> { });
            assertThat(other >>> 32).isNotEqualTo(slotIndex); // the retired slot is not handed out
            assertThat(slab.insert(s -> { })).isEqualTo(Slab.FULL); // capacity 2 minus one retired slot
            for (long key : keysOfSlot0) {
                assertThat(slab.contains(key)).isFalse();
                assertThat(slab.get(key)).isNull();
            }
            assertThat(slab.keys().nextLong()).isEqualTo(other);
        }
    }

    /** An abandoned reservation also uses up a generation, and retires the slot at the last one. */
    @Test
    void abandonAtLastGenerationRetires() {
        try (Slab slab = Slab.builder(domain).slotSize(16).capacity(1).generationLimitForTests(1).build()) {
            VacantEntry first = slab.reserve();
            first.close(); // generation 0 abandoned
            VacantEntry second = slab.reserve();
            long lastKey = second.key();
            second.close(); // generation 1 (the last) abandoned: retired
            assertThat(slab.report().retiredSlots()).isEqualTo(1);
            assertThat(slab.reserve()).isNull();
            assertThat(slab.contains(lastKey)).isFalse();
        }
    }

    /** The generation arithmetic of the documented budget: 2^32 generations, 42.9 s at 100 M reuses/s. */
    @Test
    void generationBudget() {
        assertThat(KeyCodec.MAX_GENERATION + 1).isEqualTo(1L << 32);
        assertThat((KeyCodec.MAX_GENERATION + 1) / 100_000_000.0).isBetween(42.9, 43.0);
        assertThat(1 + KeyCodec.TAG_BITS + KeyCodec.INDEX_BITS + KeyCodec.GENERATION_BITS).isEqualTo(64);
    }
}
