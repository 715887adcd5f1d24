package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.Hold;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Readers in guards (platform and virtual threads) and hold-taking consumers race a writer that swaps
 * and closes batches; with a checked allocator a read of freed memory would throw.
 */
class ColumnBatchConcurrencyTest {

    private static final Duration RUN = Duration.ofMillis(Long.getLong("nexus.test.concurrencyMillis", 1500));
    private static final int ROWS = 128;
    private static final int READ_ROUNDS = 8;
    private static final Schema SCHEMA = Schema.of(Field.of("gen", ColumnType.INT64, false),
            Field.of("tag", ColumnType.UTF8, true));

    private final CountingAllocator allocator = new CountingAllocator();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    private ColumnBatch batch(EpochDomain domain, long gen) {
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, SCHEMA)) {
            for (int r = 0; r < ROWS; r++) {
                b.appendLong(0, gen).appendString(1, "g" + gen).endRow();
            }
            return b.build();
        }
    }

    private static void checkBatch(ColumnBatch b) {
        long gen = b.getLong(0, 0);
        for (int r = 0; r < b.rows(); r++) {
            if (b.getLong(0, r) != gen || !b.getString(1, r).equals("g" + gen)) {
                throw new AssertionError("torn batch " + gen + " at row " + r);
            }
        }
    }

    /** Reads a batch many times over: a window of milliseconds in which the writer closes it. */
    private static void checkBatchSlowly(ColumnBatch b) {
        for (int round = 0; round < READ_ROUNDS; round++) {
            checkBatch(b);
        }
    }

    private Thread start(Thread.Builder builder, Runnable body) {
        return builder.start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        });
    }

    /** No reader in a guard and no holder of a hold ever reads freed memory; every byte is freed once. */
    @Test
    void guardedReadersAndHoldersNeverSeeAFree() throws Exception {
        race(true);
        assertThat(failures).isEmpty();
        // the check can fail: ColumnBatchLifetimeTest.readAfterFreeThrows shows a read of freed memory
        // through this allocator throwing, as an unguarded reader here would
    }

    private void race(boolean guarded) throws Exception {
        EpochDomain domain = EpochDomain.builder().name("concurrency-test").build();
        AtomicReference<ColumnBatch> current = new AtomicReference<>(batch(domain, 0));
        long deadline = System.nanoTime() + RUN.toNanos();
        AtomicLong reads = new AtomicLong();
        AtomicLong heldReads = new AtomicLong();
        LinkedBlockingQueue<Object[]> handOff = new LinkedBlockingQueue<>();
        List<Thread> threads = new ArrayList<>();
        threads.add(start(Thread.ofPlatform().name("writer"), () -> {
            for (long gen = 1; System.nanoTime() < deadline && failures.isEmpty(); gen++) {
                current.getAndSet(batch(domain, gen)).close(); // unlink, then retire
            }
        }));
        for (int i = 0; i < 6; i++) {
            Thread.Builder builder = i < 2 ? Thread.ofPlatform().name("reader-" + i) : Thread.ofVirtual();
            threads.add(start(builder, () -> {
                while (System.nanoTime() < deadline && failures.isEmpty()) {
                    if (guarded) {
                        try (Guard guard = domain.pin()) {
                            checkBatchSlowly(current.get());
                        }
                    } else {
                        checkBatchSlowly(current.get());
                    }
                    reads.incrementAndGet();
                }
            }));
        }
        threads.add(start(Thread.ofPlatform().name("holder"), () -> {
            while (System.nanoTime() < deadline && failures.isEmpty()) {
                try (Guard guard = domain.pin()) {
                    ColumnBatch b = current.get();
                    try {
                        handOff.add(new Object[] {b, BatchAccess.retain(b, "export")});
                    } catch (IllegalStateException closedAndReleased) {
                        // the writer closed it and every hold went: a legitimate refusal, try the next
                    }
                }
            }
            handOff.add(new Object[0]);
        }));
        threads.add(start(Thread.ofVirtual(), () -> {
            try {
                while (true) {
                    Object[] item = handOff.poll(TestSupport.LONG.toMillis(), TimeUnit.MILLISECONDS);
                    if (item == null || item.length == 0) {
                        break;
                    }
                    checkBatch((ColumnBatch) item[0]); // outside any guard: the hold protects it
                    ((Hold) item[1]).release();
                    heldReads.incrementAndGet();
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }));
        for (Thread t : threads) {
            assertThat(t.join(TestSupport.LONG.plus(RUN))).as("%s finished", t).isTrue();
        }
        current.get().close();
        domain.close();
        System.out.printf("guarded=%s: %d reads, %d reads under holds, %d batches, %d failures%n", guarded,
                reads.get(), heldReads.get(), allocator.allocations(), failures.size());
        if (guarded && !failures.isEmpty()) {
            AssertionError error = new AssertionError("a thread failed: " + failures.peek(), failures.peek());
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
        assertThat(reads.get()).isPositive();
        assertThat(heldReads.get()).isPositive();
        assertThat(allocator.liveCount()).as("every batch freed").isZero();
        assertThat(allocator.frees()).as("each exactly once").isEqualTo(allocator.allocations());
    }
}
