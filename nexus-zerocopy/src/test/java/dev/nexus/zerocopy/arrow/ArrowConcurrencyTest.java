package dev.nexus.zerocopy.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.internal.arrow.CDataLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Exports, imports and releases race with the close of the batch, on platform and virtual threads,
 * with a background reclaimer: no read ever sees freed (poisoned) memory, every export is released
 * exactly once, no callback fails, and at the end every byte of the batch was freed exactly once. (A
 * closed batch still accepts exports while another hold is open, so the workers stop when they see it
 * closed; the exports that raced with the close keep the memory until they are released.)
 */
class ArrowConcurrencyTest {

    private static final int ROWS = 64;
    private static final int THREADS = 4;

    /**
     * Workers export the batch, import their own export (our consumer), read it inside a guard and
     * close it, until they see the batch closed; once every hold is gone an export fails cleanly.
     */
    @Test
    void exportsImportsAndCloseRace() throws Exception {
        PoisoningAllocator memory = new PoisoningAllocator();
        ArrowStats before = ArrowExport.stats();
        AtomicLong rounds = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (EpochDomain domain = EpochDomain.builder().name("arrow-concurrency").build()) {
            ColumnBatch batch = ArrowTestSupport.allTypes(domain, memory, ROWS);
            CountDownLatch started = new CountDownLatch(2 * THREADS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2 * THREADS; t++) {
                Runnable work = () -> {
                    started.countDown();
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
                        MemorySegment schema = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
                        while (!batch.isClosed()) {
                            try {
                                ArrowExport.exportBatch(batch, array, schema);
                            } catch (IllegalStateException reclaimed) {
                                refused.incrementAndGet(); // closed and every hold released meanwhile
                                return;
                            }
                            try (ColumnBatch in = ArrowImport.importBatch(domain, array, schema);
                                 Guard guard = domain.pin()) {
                                for (int r = 0; r < ROWS; r += 7) {
                                    if (!ArrowTestSupport.isNull(ArrowTestSupport.I64, r)) {
                                        assertThat(in.getLong(ArrowTestSupport.I64, r))
                                                .isEqualTo(ArrowTestSupport.i64(r));
                                    }
                                    if (!ArrowTestSupport.isNull(ArrowTestSupport.NAME, r)) {
                                        assertThat(in.getString(ArrowTestSupport.NAME, r))
                                                .isEqualTo(ArrowTestSupport.name(r));
                                    }
                                }
                            }
                            rounds.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                };
                threads.add(t % 2 == 0 ? Thread.ofPlatform().start(work) : Thread.ofVirtual().start(work));
            }
            assertThat(started.await(ArrowTestSupport.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            long deadline = System.nanoTime() + ArrowTestSupport.LONG.toNanos();
            while (rounds.get() < 200 && System.nanoTime() < deadline && failures.isEmpty()) {
                Thread.sleep(1);
            }
            batch.close(); // races with exports in flight: their holds keep the memory
            for (Thread thread : threads) {
                thread.join(ArrowTestSupport.LONG.toMillis());
                assertThat(thread.isAlive()).as("worker ended").isFalse();
            }
            assertThat(failures).isEmpty();
            domain.barrier(); // the imports' releases to their producer (us) run, the last hold goes
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
                assertThatThrownBy(() -> ArrowExport.exportBatch(batch, array))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
                assertThat(CDataLayout.word(array, CDataLayout.ARRAY_RELEASE)).as("nothing written").isZero();
            }
            domain.barrier();
        }
        ArrowStats after = ArrowExport.stats();
        assertThat(rounds.get()).isGreaterThanOrEqualTo(200);
        assertThat(refused.get()).isLessThanOrEqualTo(2 * THREADS);
        assertThat(after.arraysExported() - before.arraysExported()).isEqualTo(rounds.get());
        assertThat(after.arraysReleased() - before.arraysReleased()).isEqualTo(rounds.get());
        assertThat(after.importsReleased() - before.importsReleased()).isEqualTo(rounds.get());
        assertThat(after.callbackFailures()).isEqualTo(before.callbackFailures());
        assertThat(memory.liveCount()).isZero();
        assertThat(memory.frees()).isEqualTo(memory.allocations());
        memory.close();
    }
}
