package dev.nexus.slab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random operation sequences on a slab, checked step by step against a {@link HashMap} model.
 * Reproduce a failure with {@code -Dnexus.test.argLine=-Dnexus.slab.seed=SEED} (the seed is in the
 * failure message).
 */
class SlabPropertyTest {

    private static final int SEEDS = 40;
    private static final int OPERATIONS = 1500;

    /** Every operation agrees with the model: values, staleness, size, iteration, FULL and no aliasing. */
    @Test
    void agreesWithHashMapModel() {
        Long fixedSeed = Long.getLong("nexus.slab.seed");
        long base = fixedSeed != null ? fixedSeed : System.nanoTime();
        int runs = fixedSeed != null ? 1 : SEEDS;
        try (EpochDomain domain = EpochDomain.builder().name("property").build()) {
            for (int i = 0; i < runs; i++) {
                long seed = base + i;
                try {
                    run(domain, seed);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("model check failed with seed=" + seed
                            + " (rerun: ./mvnw -f nexus-slab/pom.xml verify -Dtest=SlabPropertyTest"
                            + " -Dnexus.test.argLine=-Dnexus.slab.seed=" + seed + "): " + e, e);
                }
            }
        }
    }

    private static void run(EpochDomain domain, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int capacity = 1 + random.nextInt(48);
        long slotSize = 8L << random.nextInt(4);
        SlabBuilder builder = Slab.builder(domain).slotSize(slotSize).capacity(capacity)
                .slotsPerSlab(1 << random.nextInt(5)).poisonOnRecycle(random.nextBoolean());
        if (random.nextBoolean()) {
            builder.fixed();
        }
        if (random.nextInt(4) == 0) {
            builder.generationLimitForTests(random.nextInt(4));
        }
        Map<Long, Long> model = new LinkedHashMap<>(); // insertion order: picks replay with the seed
        List<Long> dead = new ArrayList<>();
        int pendingUpperBound = 0; // removals since the last barrier; their slots may still be pending
        try (Slab slab = builder.build()) {
            for (int step = 0; step < OPERATIONS; step++) {
                int op = random.nextInt(100);
                long stamp = random.nextLong();
                if (op < 30) { // insert
                    long key = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, stamp));
                    if (key == Slab.FULL) {
                        assertFullIsJustified(slab, model.size(), pendingUpperBound, capacity);
                    } else {
                        assertThat(model.put(key, stamp)).as("fresh key %x", key).isNull();
                        assertThat(dead).doesNotContain(key);
                    }
                } else if (op < 40) { // reserve, self-reference, commit
                    VacantEntry entry = slab.reserve();
                    if (entry == null) {
                        assertFullIsJustified(slab, model.size(), pendingUpperBound, capacity);
                    } else {
                        long key = entry.key();
                        assertThat(slab.contains(key)).isFalse();
                        entry.segment().set(ValueLayout.JAVA_LONG, 0, key);
                        assertThat(entry.commit()).isEqualTo(key);
                        assertThat(model.put(key, key)).isNull();
                    }
                } else if (op < 45) { // reserve and abandon
                    VacantEntry entry = slab.reserve();
                    if (entry != null) {
                        dead.add(entry.key());
                        entry.close();
                    }
                } else if (op < 65) { // remove a live key
                    Long key = pick(random, model.keySet());
                    if (key != null) {
                        assertThat(slab.remove(key)).isTrue();
                        model.remove(key);
                        dead.add(key);
                        pendingUpperBound++;
                    }
                } else if (op < 70) { // remove a dead key
                    Long key = pick(random, dead);
                    if (key != null) {
                        assertThat(slab.remove(key)).isFalse();
                    }
                } else if (op < 85) { // read a live key
                    Long key = pick(random, model.keySet());
                    if (key != null) {
                        try (Guard _ = domain.pin()) {
                            assertThat(slab.get(key).get(ValueLayout.JAVA_LONG, 0)).isEqualTo(model.get(key));
                        }
                        assertThat(slab.contains(key)).isTrue();
                    }
                } else if (op < 92) { // read a dead key
                    Long key = pick(random, dead);
                    if (key != null) {
                        assertThat(slab.get(key)).isNull();
                        assertThat(slab.contains(key)).isFalse();
                    }
                } else if (op < 96) { // iterate and check that live keys never share a slot
                    Set<Long> seen = new HashSet<>();
                    Set<Long> addresses = new HashSet<>();
                    for (PrimitiveIterator.OfLong it = slab.keys(); it.hasNext(); ) {
                        long key = it.nextLong();
                        assertThat(seen.add(key)).isTrue();
                        MemorySegment segment = slab.get(key);
                        assertThat(addresses.add(segment.address())).as("aliased slot").isTrue();
                    }
                    assertThat(seen).isEqualTo(model.keySet());
                } else { // a grace period passes for everything removed so far
                    domain.barrier();
                    pendingUpperBound = 0;
                    assertThat(slab.report().pendingSlots()).isZero();
                }
                assertThat(slab.size()).isEqualTo(model.size());
            }
        }
    }

    private static void assertFullIsJustified(Slab slab, int live, int pendingUpperBound, int capacity) {
        long retired = slab.report().retiredSlots();
        assertThat(live + pendingUpperBound + retired).as("FULL with live=%d pending<=%d retired=%d capacity=%d",
                live, pendingUpperBound, retired, capacity).isGreaterThanOrEqualTo(capacity);
    }

    private static Long pick(SplittableRandom random, Collection<Long> keys) {
        if (keys.isEmpty()) {
            return null;
        }
        int n = random.nextInt(keys.size());
        for (Long key : keys) {
            if (n-- == 0) {
                return key;
            }
        }
        throw new AssertionError("unreachable");
    }
}
