package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stalls and failures are visible by default: logged without a listener, reports and JFR events name
 * the guard's thread, failing frees and actions go to a handler (default: the log), and the gauges
 * say what a monitoring system needs.
 */
class VisibilityTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();
    private static final Duration THRESHOLD = Duration.ofMillis(50);

    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger jul = Logger.getLogger("dev.nexus.epoch");

    @BeforeEach
    void captureLog() {
        jul.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        jul.removeHandler(capture);
    }

    /** Holds a pooled guard on a thread named {@code name} until the latch opens. */
    private static Thread holder(TestThreads threads, EpochDomain domain, String name, CountDownLatch pinned,
            CountDownLatch release) {
        return threads.platform(name, () -> {
            try (Guard g = domain.pin()) {
                pinned.countDown();
                release.await();
            }
        });
    }

    /**
     * Without a listener a stall is logged at WARNING naming the guard's thread, at most once per
     * interval however many guards stall.
     */
    @Test
    void stallsAreLoggedWithoutAListener() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("logged").stallThreshold(THRESHOLD).build();
        try (TestThreads threads = new TestThreads()) {
            CountDownLatch pinned = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            holder(threads, domain, "slow-reader-1", pinned, release);
            holder(threads, domain, "slow-reader-2", pinned, release);
            pinned.await();
            domain.retire(MALLOC.allocate(64), MALLOC);
            assertThat(domain.trySynchronize(THRESHOLD.multipliedBy(6))).isFalse();
            release.countDown();
        }
        domain.close();
        // this domain's lines only: another test's domain may still be logging its own stall
        List<LogRecord> stalls = logged.stream().filter(r -> r.getMessage().contains("held reclamation back")
                && r.getMessage().contains("'logged'")).toList();
        assertThat(stalls).hasSize(1);
        assertThat(stalls.getFirst().getLevel()).isEqualTo(Level.WARNING);
        assertThat(stalls.getFirst().getMessage()).contains("'logged'").containsPattern("slow-reader-[12]");
    }

    /** A pooled guard's stall report and JFR event name its thread, without pin-site recording. */
    @Test
    void reportsAndEventsNameThePooledGuardsThread() throws Exception {
        List<StalledGuard> reports = new CopyOnWriteArrayList<>();
        EpochDomain domain = EpochDomain.builder().name("named").stallThreshold(THRESHOLD)
                .stallListener(reports::add).build();
        Path dump = Files.createTempFile("nexus-visibility", ".jfr");
        try (Recording recording = new Recording(); TestThreads threads = new TestThreads()) {
            recording.enable("dev.nexus.epoch.StalledGuard");
            recording.enable("dev.nexus.epoch.Statistics").withPeriod(Duration.ofMillis(50));
            recording.start();
            CountDownLatch pinned = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            holder(threads, domain, "named-reader", pinned, release);
            pinned.await();
            domain.retire(MALLOC.allocate(64), MALLOC);
            assertThat(domain.trySynchronize(THRESHOLD.multipliedBy(4))).isFalse();
            release.countDown();
            threads.close();
            domain.barrier();
            Thread.sleep(200); // a few statistics periods
            recording.stop();
            recording.dump(dump);
            List<RecordedEvent> events = RecordingFile.readAllEvents(dump);
            // this domain's events only: a recording sees every domain of the JVM (another test's
            // domain may still be reporting its own stalled guard)
            assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.nexus.epoch.StalledGuard")
                    && "named".equals(e.getString("domain"))).isNotEmpty().allSatisfy(e -> {
                        assertThat(e.getString("ownerThreadName")).isEqualTo("named-reader");
                        assertThat(e.getThread("ownerThread").getJavaName()).isEqualTo("named-reader");
                    });
            assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.nexus.epoch.Statistics")
                    && "named".equals(e.getString("domain"))).isNotEmpty();
        } finally {
            Files.deleteIfExists(dump);
        }
        assertThat(reports).isNotEmpty().allSatisfy(r -> assertThat(r.threadName()).isEqualTo("named-reader"));
        domain.close();
    }

    /**
     * A deferred action or a free that throws goes to the configured handler, not to the
     * uncaught-exception handler of the thread that ran it; the other items still run.
     */
    @Test
    void failuresGoToTheHandler() {
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        Thread.UncaughtExceptionHandler previous = Thread.currentThread().getUncaughtExceptionHandler();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.set(e));
        try (EpochDomain domain = EpochDomain.builder().name("handled").reclaimInline(true)
                .reclaimFailureHandler((name, item, failure) -> handled.add(name + ":" + failure.getMessage()))
                .build()) {
            domain.defer(() -> {
                throw new IllegalStateException("action broke");
            });
            domain.retire(MALLOC.allocate(16), new NativeAllocator() {
                @Override
                public java.lang.foreign.MemorySegment allocate(long bytes, long alignment) {
                    throw new UnsupportedOperationException("this test allocator only frees");
                }

                @Override
                public void free(java.lang.foreign.MemorySegment segment) {
                    MALLOC.free(segment);
                    throw new IllegalStateException("free broke");
                }
            });
            boolean[] ran = new boolean[1];
            domain.defer(() -> ran[0] = true);
            domain.barrier();
            assertThat(ran[0]).isTrue();
            assertThat(handled).containsExactlyInAnyOrder("handled:action broke", "handled:free broke");
            assertThat(domain.stats().reclaimFailures()).isEqualTo(2);
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(previous);
        }
        assertThat(uncaught.get()).isNull();
    }

    /** Without a handler, a failing action is logged at ERROR with the domain's name. */
    @Test
    void failuresAreLoggedByDefault() {
        try (EpochDomain domain = EpochDomain.builder().name("default-handler").build()) {
            domain.defer(() -> {
                throw new IllegalStateException("boom");
            });
            domain.barrier();
        }
        assertThat(logged).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getMessage()).contains("'default-handler'");
            assertThat(r.getThrown()).hasMessage("boom");
        });
    }

    /** The gauges count open guards and pending bytes, age the oldest guard, and record the lag. */
    @Test
    void gauges() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("gauged").build();
        assertThat(domain.gauges().openGuards()).isZero();
        try (TestThreads threads = new TestThreads()) {
            CountDownLatch pinned = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            holder(threads, domain, "gauged-reader", pinned, release);
            pinned.await();
            domain.retire(MALLOC.allocate(1000), MALLOC);
            assertThat(domain.trySynchronize(Duration.ofMillis(100))).isFalse();
            EpochGauges during = domain.gauges();
            assertThat(during.openGuards()).isEqualTo(1);
            assertThat(during.oldestGuardAge()).isPositive();
            assertThat(during.pendingBytes()).isEqualTo(1000);
            release.countDown();
        }
        domain.barrier();
        EpochGauges after = domain.gauges();
        assertThat(after.openGuards()).isZero();
        assertThat(after.oldestGuardAge()).isZero();
        assertThat(after.pendingBytes()).isZero();
        assertThat(after.gracePeriods()).isPositive();
        assertThat(after.retireToFreeLag().count()).isEqualTo(1);
        assertThat(after.retireToFreeLag().percentile(100)).isGreaterThan(Duration.ofMillis(50));
        domain.close();
    }
}
