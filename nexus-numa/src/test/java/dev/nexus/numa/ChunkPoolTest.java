package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The small-allocation path: size classes, no overlap, frees from other threads. */
class ChunkPoolTest {

    /** Sizes and alignments map to the smallest power-of-two block that holds both; too large goes to mmap. */
    @Test
    void blockSizes() {
        assertThat(ChunkPool.blockSize(0, 1, 4096)).isEqualTo(16);
        assertThat(ChunkPool.blockSize(17, 8, 4096)).isEqualTo(32);
        assertThat(ChunkPool.blockSize(64, 8, 4096)).isEqualTo(64);
        assertThat(ChunkPool.blockSize(8, 256, 4096)).isEqualTo(256);
        assertThat(ChunkPool.blockSize(100_000, 8, 4096)).isEqualTo(128 << 10);
        assertThat(ChunkPool.blockSize(256 << 10, 8, 4096)).isEqualTo(256 << 10);
        assertThat(ChunkPool.blockSize((256 << 10) + 1, 8, 4096)).isEqualTo(-1);
        assertThat(ChunkPool.blockSize(64, 8192, 4096)).isEqualTo(-1);
    }

    /**
     * A random sequence of allocations and frees (seed printed on failure) never hands out overlapping
     * live blocks, keeps each block's contents, and unmaps nothing a live block uses.
     */
    @Test
    void randomSequenceAgainstModel() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        NumaAllocator a = NumaAllocator.onNode(Fixtures.runtime(new FakeNumaBinding().withLibnuma(), "two-node"), 1);
        TreeMap<Long, MemorySegment> live = new TreeMap<>();
        for (int step = 0; step < 20_000; step++) {
            if (live.isEmpty() || random.nextInt(100) < 55) {
                long size = 1L << random.nextInt(4, 16);
                MemorySegment s = a.allocate(size - random.nextLong(size / 2), 1L << random.nextInt(0, 7));
                var below = live.floorEntry(s.address());
                assertThat(below == null || below.getKey() + below.getValue().byteSize() <= s.address())
                        .as("seed %d: block at %x overlaps a live one", seed, s.address()).isTrue();
                var above = live.ceilingEntry(s.address());
                assertThat(above == null || s.address() + s.byteSize() <= above.getKey())
                        .as("seed %d: block at %x overlaps a live one", seed, s.address()).isTrue();
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, s.address());
                live.put(s.address(), s);
            } else {
                long key = live.keySet().stream().skip(random.nextInt(live.size())).findFirst().orElseThrow();
                MemorySegment s = live.remove(key);
                assertThat(s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)).as("seed %d", seed).isEqualTo(s.address());
                a.free(s);
            }
        }
        live.values().forEach(a::free);
        assertThat(a.mappedBytes()).as("seed %d: at most one empty chunk per class stays", seed)
                .isLessThanOrEqualTo(12 * ChunkPool.CHUNK);
    }

    /**
     * Blocks and large mappings allocated on some threads and freed on others (as an epoch reclaimer
     * does) are all freed, once, with and without a mapping cache.
     */
    @Test
    void freeFromOtherThreads() throws Exception {
        NumaAllocator plain = NumaAllocator.onNode(Fixtures.runtime(new FakeNumaBinding().withLibnuma(), "two-node"), 0);
        handOffAndFree(plain);
        assertThat(plain.mappedBytes()).as("only kept empty chunks").isLessThanOrEqualTo(15 * ChunkPool.CHUNK);
        NumaAllocator cached = plain.withMappingCache(4L << 20);
        handOffAndFree(cached);
        assertThat(cached.cachedBytes()).isLessThanOrEqualTo(4L << 20);
        assertThat(cached.mappedBytes()).isLessThanOrEqualTo(15 * ChunkPool.CHUNK + cached.cachedBytes());
    }

    private static void handOffAndFree(NumaAllocator a) throws Exception {
        LinkedBlockingQueue<MemorySegment> handOff = new LinkedBlockingQueue<>();
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        MemorySegment s = a.allocate(16L << (i % 17), 8); // 16 B to 1 MiB
                        s.set(ValueLayout.JAVA_LONG, 0, s.address());
                        handOff.put(s);
                    }
                    return null;
                }));
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        MemorySegment s = handOff.poll(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                        assertThat(s).as("a segment to free").isNotNull();
                        assertThat(s.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(s.address());
                        a.free(s);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(handOff).isEmpty();
    }
}
