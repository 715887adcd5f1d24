package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A domain that becomes unreachable without close() leaks no thread and frees what was pending. */
class UnclosedDomainTest {

    private static final int DOMAINS = 40;

    /**
     * Unreachable, never-closed domains (each with a started reclaimer thread, pending garbage, and
     * some a participant never closed): after GC every reclaimer thread has ended and every pending
     * segment was freed exactly once.
     */
    @Test
    void unreachableDomainsStopTheirThreadsAndFree() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        Thread registrar = Thread.ofPlatform().start(() -> createAndForget(allocator));
        registrar.join();
        long deadline = System.nanoTime() + TestThreads.SHORT.toNanos();
        while ((reclaimerThreads() > 0 || allocator.live() > 0) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(reclaimerThreads()).as("live nexus-reclaimer-forgotten-* threads").isZero();
        assertThat(allocator.freed()).isEqualTo(DOMAINS);
        assertThat(allocator.badFrees()).isZero();
    }

    /**
     * Unreachable, never-closed inline domains (no reclaimer thread) with garbage still pending in
     * unsealed bags: after GC what was pending is freed, and the thread started for it has ended.
     */
    @Test
    void unreachableInlineDomainsFreeWhatIsPending() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        Thread creator = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < DOMAINS; i++) {
                EpochDomain domain = EpochDomain.builder().name("forgotten-inline-" + i).reclaimInline(true).build();
                domain.retire(allocator.allocate(64, 8), allocator); // stays in a partly filled bag
            }
        });
        creator.join();
        long deadline = System.nanoTime() + TestThreads.SHORT.toNanos();
        while ((allocator.live() > 0 || reclaimerThreads() > 0) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(allocator.freed()).isEqualTo(DOMAINS);
        assertThat(allocator.badFrees()).isZero();
        assertThat(reclaimerThreads()).isZero();
    }

    private static void createAndForget(CountingAllocator allocator) {
        for (int i = 0; i < DOMAINS; i++) {
            EpochDomain domain = EpochDomain.builder().name("forgotten-" + i)
                    .stallThreshold(Duration.ofSeconds(60)).build();
            if (i % 4 == 0) {
                domain.register(); // a participant never closed
            }
            domain.pin().close();
            domain.retire(allocator.allocate(64, 8), allocator); // starts the reclaimer thread
        }
    }

    private static long reclaimerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("nexus-reclaimer-forgotten-") && t.isAlive())
                .count();
    }
}
