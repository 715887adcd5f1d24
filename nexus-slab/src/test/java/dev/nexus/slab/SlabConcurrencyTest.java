package dev.nexus.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Inserts, removes and close from several threads at once. */
class SlabConcurrencyTest {

    /** Threads inserting at once, through growth, get distinct keys, distinct slots and their own records. */
    @Test
    void concurrentInsertsGetDistinctSlots() {
        int threadsCount = 4;
        int perThread = 5000;
        long[][] keys = new long[threadsCount][perThread];
        try (EpochDomain domain = EpochDomain.create();
                Slab slab = Slab.builder(domain).slotSize(16).slotsPerSlab(32).build()) {
            try (TestThreads threads = new TestThreads()) {
                for (int t = 0; t < threadsCount; t++) {
                    int id = t;
                    threads.platform("inserter-" + t, () -> {
                        for (int i = 0; i < perThread; i++) {
                            long stamp = (long) id << 32 | i;
                            keys[id][i] = i % 2 == 0
                                    ? slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, stamp))
                                    : reserveAndCommit(slab, stamp);
                        }
                    });
                }
            }
            Set<Long> allKeys = new HashSet<>();
            Set<Long> addresses = new HashSet<>();
            try (Guard _ = domain.pin()) {
                for (int t = 0; t < threadsCount; t++) {
                    for (int i = 0; i < perThread; i++) {
                        assertThat(allKeys.add(keys[t][i])).isTrue();
                        MemorySegment s = slab.get(keys[t][i]);
                        assertThat(addresses.add(s.address())).isTrue();
                        assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isEqualTo((long) t << 32 | i);
                    }
                }
            }
            assertThat(slab.size()).isEqualTo((long) threadsCount * perThread);
            assertThat(slab.report().slabs()).isEqualTo(threadsCount * perThread / 32);
        }
    }

    private static long reserveAndCommit(Slab slab, long stamp) {
        try (VacantEntry entry = slab.reserve()) {
            entry.segment().set(ValueLayout.JAVA_LONG, 0, stamp);
            return entry.commit();
        }
    }

    /** Of threads racing to remove the same key, exactly one succeeds, every time. */
    @Test
    void racingRemovesHaveOneWinner() throws Exception {
        int rounds = 2000;
        try (EpochDomain domain = EpochDomain.create();
                Slab slab = Slab.builder(domain).slotSize(8).capacity(rounds).build()) { // never FULL
            long[] key = new long[1];
            AtomicInteger wins = new AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(2, () -> {
                key[0] = slab.insert(s -> { }); // runs before both threads are released
            });
            CyclicBarrier end = new CyclicBarrier(2);
            try (TestThreads threads = new TestThreads()) {
                for (int t = 0; t < 2; t++) {
                    threads.platform("remover-" + t, () -> {
                        for (int r = 0; r < rounds; r++) {
                            start.await(TestThreads.LONG.toMillis(), TimeUnit.MILLISECONDS);
                            if (slab.remove(key[0])) {
                                wins.incrementAndGet();
                            }
                            end.await(TestThreads.LONG.toMillis(), TimeUnit.MILLISECONDS);
                        }
                    });
                }
            }
            assertThat(wins).hasValue(rounds);
            assertThat(slab.size()).isZero();
        }
    }

    /** Close waits for a reader's guard: the reader's segment stays valid until it unpins, and is freed after. */
    @Test
    void closeWaitsForPinnedReaders() throws Exception {
        try (EpochDomain domain = EpochDomain.create()) {
            Slab slab = Slab.builder(domain).slotSize(8).capacity(8).allocator(NativeAllocator.checked()).build();
            long key = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, 99L));
            CountDownLatch pinned = new CountDownLatch(1);
            CountDownLatch closing = new CountDownLatch(1);
            MemorySegment[] seen = new MemorySegment[1];
            try (TestThreads threads = new TestThreads()) {
                threads.platform("reader", () -> {
                    try (Guard _ = domain.pin()) {
                        seen[0] = slab.get(key);
                        pinned.countDown();
                        assertThat(closing.await(TestThreads.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                        for (int i = 0; i < 1000; i++) { // close() is running: the memory must stay
                            assertThat(seen[0].get(ValueLayout.JAVA_LONG, 0)).isEqualTo(99L);
                            Thread.onSpinWait();
                        }
                        assertThat(slab.isClosed()).isTrue();
                    }
                });
                assertThat(pinned.await(TestThreads.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                threads.platform("watcher", () -> {
                    while (!slab.isClosed()) {
                        Thread.onSpinWait();
                    }
                    closing.countDown();
                });
                slab.close(); // in the test thread: blocks until the reader unpins
            }
            assertThatThrownBy(() -> seen[0].get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    /**
     * A remove racing the domain's close either fully happens (true, key dead, no slot left pending)
     * or fully does not (an exception, key still live): never an exception after the key died.
     */
    @Test
    void removeRacingDomainCloseIsAllOrNothing() throws Exception {
        int removed = 0;
        int refused = 0;
        for (int round = 0; round < 400; round++) {
            EpochDomain domain = EpochDomain.create();
            Slab slab = Slab.builder(domain).slotSize(16).slotsPerSlab(32).build();
            long[] keys = new long[8];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = slab.insert(s -> s.set(ValueLayout.JAVA_LONG, 0, 1L));
            }
            CyclicBarrier start = new CyclicBarrier(2);
            try (TestThreads threads = new TestThreads()) {
                threads.platform("closer", () -> {
                    start.await();
                    domain.close();
                });
                start.await();
                for (long key : keys) {
                    try {
                        assertThat(slab.remove(key)).isTrue();
                        assertThat(slab.contains(key)).as("removed key %d of round %d", key, round).isFalse();
                        removed++;
                    } catch (IllegalStateException e) {
                        assertThat(domain.isClosed()).isTrue();
                        assertThat(slab.contains(key)).as("refused key %d of round %d: %s", key, round, e)
                                .isTrue();
                        refused++;
                    }
                }
            }
            assertThat(slab.report().pendingSlots()).as("pending slots after round %d", round).isZero();
            slab.close();
        }
        assertThat(removed).isPositive();
        assertThat(refused).isPositive();
    }
}
