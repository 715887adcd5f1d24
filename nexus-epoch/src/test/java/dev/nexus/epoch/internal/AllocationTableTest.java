package dev.nexus.epoch.internal;

import static dev.nexus.epoch.internal.AllocationTableLayout.FREED;
import static dev.nexus.epoch.internal.AllocationTableLayout.LIVE;
import static dev.nexus.epoch.internal.AllocationTableLayout.RETIRED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The allocation table against a model: addresses are made up (the table never dereferences them),
 * so small tables grow and collide on purpose.
 */
class AllocationTableTest {

    private static final long BASE = 0x7000_0000_0000L;

    /** Inserted entries are found with their size; a state moves only from the state it is in. */
    @Test
    void insertAndTransitions() {
        AllocationTable table = new AllocationTable(4);
        table.insert(BASE, 64);
        assertThat(table.lookup(BASE)).isEqualTo(new AllocationTable.Entry(LIVE, 64, 0));
        assertThat(table.transition(BASE, 32, LIVE, FREED)).as("wrong size").isFalse();
        assertThat(table.transition(BASE + 16, 64, LIVE, FREED)).as("unknown address").isFalse();
        assertThat(table.transition(BASE, 64, RETIRED, FREED)).as("wrong state").isFalse();
        assertThat(table.transition(BASE, 64, LIVE, RETIRED)).isTrue();
        assertThat(table.transition(BASE, 64, LIVE, RETIRED)).as("second retire").isFalse();
        assertThat(table.transition(BASE, 64, RETIRED, FREED)).isTrue();
        assertThat(table.lookup(BASE).state()).isEqualTo(FREED);
        assertThat(table.transition(BASE, 64, LIVE, FREED)).as("second free").isFalse();
    }

    /** A freed entry is claimed again, and a later life of the same address is the one found. */
    @Test
    void reuseKeepsTheCurrentLifeFirst() {
        AllocationTable table = new AllocationTable(4);
        for (int life = 0; life < 100; life++) {
            long size = 16 + life;
            table.insert(BASE, size);
            table.insert(BASE + 16 * (life + 1), 8); // a neighbour that stays
            assertThat(table.lookup(BASE)).isEqualTo(new AllocationTable.Entry(LIVE, size, table.levels() - 1));
            assertThat(table.transition(BASE, size, LIVE, FREED)).isTrue();
            assertThat(table.transition(BASE + 16 * (life + 1), 8, LIVE, FREED)).isTrue();
        }
        assertThat(table.levels()).as("freed entries are reused, so the table never grew").isEqualTo(1);
    }

    /** A crowded table adds levels; entries of every level stay reachable. */
    @Test
    void growsByLevels() {
        AllocationTable table = new AllocationTable(4);
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            table.insert(BASE + 16L * i, i);
        }
        assertThat(table.levels()).isGreaterThan(1);
        for (int i = 0; i < n; i++) {
            assertThat(table.transition(BASE + 16L * i, i, LIVE, FREED)).as("entry %d", i).isTrue();
        }
        for (int i = 0; i < n; i++) {
            assertThat(table.lookup(BASE + 16L * i).state()).isEqualTo(FREED);
        }
    }

    /** Address 0 and misaligned addresses cannot be recorded. */
    @Test
    void badAddresses() {
        AllocationTable table = new AllocationTable(4);
        assertThatThrownBy(() -> table.insert(0, 8)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> table.insert(BASE + 2, 8)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0x7000" + "00000002");
        assertThatThrownBy(() -> new AllocationTable(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("firstLog2=3");
    }

    /**
     * Threads inserting, retiring and freeing their own addresses (reusing them, as malloc does) while
     * repeating each other's frees of addresses that are never allocated again: every transition of
     * an owner succeeds and no repeated free ever does.
     */
    @Test
    void concurrentOwnersAndRacingFrees() throws InterruptedException {
        AllocationTable table = new AllocationTable(6);
        int threads = 4;
        int perThread = 20_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong[] lastUnique = new AtomicLong[threads];
        for (int t = 0; t < threads; t++) {
            lastUnique[t] = new AtomicLong(); // all set before any thread reads its neighbour's
        }
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    long reused = BASE + ((long) id << 32);
                    long unique = BASE + ((long) (id + threads) << 32);
                    for (int i = 1; i <= perThread; i++) {
                        long address = reused + 16L * random.nextInt(64); // many lives of few addresses
                        lifeOf(table, address, i, random.nextBoolean());
                        if (i % 8 == 0) {
                            long once = unique + 16L * i; // one life only
                            lifeOf(table, once, 24, false);
                            lastUnique[id].set(once);
                        }
                        long other = lastUnique[(id + 1) % threads].get();
                        if (other != 0 && (table.transition(other, 24, LIVE, FREED)
                                || table.transition(other, 24, RETIRED, FREED))) {
                            throw new AssertionError("a repeated free of 0x" + Long.toHexString(other)
                                    + " succeeded");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
        assertThat(failure.get()).isNull();
    }

    private static void lifeOf(AllocationTable table, long address, long size, boolean retire) {
        table.insert(address, size);
        if (retire) {
            if (!table.transition(address, size, LIVE, RETIRED) || !table.transition(address, size, RETIRED, FREED)) {
                throw new AssertionError("retire and free of own entry failed: 0x" + Long.toHexString(address));
            }
        } else if (!table.transition(address, size, LIVE, FREED)) {
            throw new AssertionError("free of own entry failed: 0x" + Long.toHexString(address));
        }
    }
}
