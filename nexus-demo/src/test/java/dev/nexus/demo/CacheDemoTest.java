package dev.nexus.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.EpochStats;
import dev.nexus.epoch.NativeAllocator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

class CacheDemoTest {

    /** Small enough for a loaded 2-core machine: platform and virtual readers, rate-limited writers. */
    private static final Workload SMALL = new Workload(64, 256, 2, 5_000, 2, 8);

    private static final Duration RUN = Duration.ofMillis(1500);

    private static final ProgressPrinter QUIET = ProgressPrinter.create(ProgressPrinter.Mode.OFF,
            new PrintWriter(new StringWriter()));

    /** Every strategy serves reads and writes for a second and a half without one corrupt read. */
    @ParameterizedTest
    @EnumSource(Strategy.class)
    void strategyReadsOnlyIntactValues(Strategy strategy) throws InterruptedException {
        EpochDomain domain = strategy == Strategy.EPOCH ? EpochDomain.create() : null;
        RunResult result = CacheDemo.run(strategy, SMALL, RUN, domain, QUIET);
        if (domain != null) {
            domain.close();
        }

        assertThat(result.failures()).isEmpty();
        assertThat(result.errors()).isZero();
        assertThat(result.reads()).isPositive();
        assertThat(result.writes()).isPositive();
        assertThat(result.readsPerSecond()).isPositive();
    }

    /** A closed domain has freed exactly the values the epoch cache replaced or retired on close. */
    @Test
    void closedDomainFreedEveryRetiredValue() throws InterruptedException {
        EpochDomain domain = EpochDomain.create();
        RunResult result = CacheDemo.run(Strategy.EPOCH, SMALL, RUN, domain, QUIET);
        domain.close();
        EpochStats stats = domain.stats();

        StringWriter err = new StringWriter();
        assertThat(CacheDemo.checkClosedDomain(stats, result.writes() + SMALL.keys(), new PrintWriter(err)))
                .as("stats %s, complaint %s", stats, err).isZero();
        assertThat(stats.retiredBytes()).isEqualTo(stats.retiredCount() * SMALL.valueSize());
    }

    /** The whole command with small settings runs all three strategies, prints the table and exits 0. */
    @Test
    void commandRunsEveryStrategyAndExitsZero() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CacheDemo.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));

        int status = cl.execute("--keys=64", "--value-size=128", "--writers=1", "--write-rate=2000",
                "--platform-readers=1", "--virtual-readers=4", "--duration=1s", "--compare-duration=1s",
                "--warmup=200ms", "--detector=flat_scan", "--progress=plain");

        assertThat(status).as("stdout:%n%s%nstderr:%n%s", out, err).isZero();
        assertThat(out.toString()).contains("Warming up: 200 ms", "FLAT_SCAN detector", "strategy", "refcount",
                "arena", "OK: ")
                .doesNotContain("FAILED");
        assertThat(err.toString()).contains("reads/s", "retires/s", "pending");
    }

    /** {@code --no-compare} runs Nexus alone, {@code --compare} all three; {@code --warmup=0} skips warm-up. */
    @Test
    void compareFlagSelectsTheComparisons() {
        String[] small = {"--keys=64", "--value-size=64", "--write-rate=1000", "--platform-readers=1",
            "--virtual-readers=1", "--duration=200ms", "--compare-duration=200ms", "--warmup=0",
            "--progress=off"};
        assertThat(runCommand(small, "--no-compare")).contains("[1/1] epoch").doesNotContain("refcount", "Warming");
        assertThat(runCommand(small, "--compare")).contains("[1/3] epoch", "[2/3] refcount", "[3/3] arena");
    }

    /**
     * The closing tables: at the asked rate, at the rate every strategy sustained (unless all kept the
     * asked one) and with small values; {@code --no-same-rate} and {@code --small-value-size=0} drop them.
     */
    @Test
    void closingTablesCompareAtOneRateAndWithSmallValues() {
        String[] small = {"--keys=64", "--value-size=128", "--write-rate=1000000", "--platform-readers=1",
            "--virtual-readers=1", "--duration=200ms", "--compare-duration=200ms", "--warmup=0",
            "--progress=off"};
        // no strategy replaces a million values a second here: the second table runs at the lowest achieved
        assertThat(runCommand(small)).contains("As asked: 128-byte values, 1.00M writes/s asked",
                "Same write rate for every strategy:", "Same write rate: 128-byte values,",
                "Small values: 64-byte values,", "vs epoch", "1.00x");
        assertThat(runCommand(small, "--no-same-rate", "--small-value-size=0")).contains("As asked:")
                .doesNotContain("Same write rate", "Small values");
    }

    /** The common rate is half the lowest achieved, rounded down to two digits, or the asked rate when all kept it. */
    @Test
    void commonRateIsTheLowestAchievedRate() {
        assertThat(CacheDemo.commonRate(List.of(result(Strategy.EPOCH, 20_000), result(Strategy.REFCOUNT, 19_800),
                result(Strategy.ARENA, 95.7)), 20_000)).isEqualTo(47);
        assertThat(CacheDemo.commonRate(List.of(result(Strategy.EPOCH, 20_000), result(Strategy.ARENA, 1_234)),
                20_000)).isEqualTo(610);
        assertThat(CacheDemo.commonRate(List.of(result(Strategy.EPOCH, 19_500), result(Strategy.ARENA, 19_400)),
                20_000)).isEqualTo(20_000);
        assertThat(CacheDemo.commonRate(List.of(result(Strategy.ARENA, 0.2)), 20_000)).isEqualTo(1);
    }

    /** A result of one second with {@code writesPerSecond} writes. */
    private static RunResult result(Strategy strategy, double writesPerSecond) {
        return new RunResult(strategy, 1.0, 1_000, (long) writesPerSecond, 0, 0, 0, 100, 200, List.of());
    }

    /** A small value size below the minimum or not a multiple of 8 is rejected; 0 is allowed. */
    @Test
    void badSmallValueSizeIsRejected() {
        StringWriter err = new StringWriter();
        CommandLine cl = CacheDemo.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("--small-value-size=20")).isEqualTo(2);
        assertThat(err.toString()).contains("--small-value-size must be 0, or a multiple of 8 and at least 32: "
                + "--small-value-size=20");
    }

    private static String runCommand(String[] options, String... more) {
        StringWriter out = new StringWriter();
        CommandLine cl = CacheDemo.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        String[] args = Stream.concat(Arrays.stream(options), Arrays.stream(more)).toArray(String[]::new);
        assertThat(cl.execute(args)).as("exit status; stdout:%n%s", out).isZero();
        return out.toString();
    }

    /** On a terminal the progress line is rewritten in place, and finishing moves to a fresh line. */
    @Test
    void ttyProgressRewritesOneLine() {
        StringWriter err = new StringWriter();
        ProgressPrinter progress = ProgressPrinter.create(ProgressPrinter.Mode.TTY, new PrintWriter(err));
        progress.report("epoch", 1, 2e6, 2e4, 4096, 17);
        progress.report("epoch", 2, 3e6, 2e4, 0, 18);
        progress.finish();

        assertThat(err.toString()).startsWith("\r").endsWith(System.lineSeparator())
                .containsOnlyOnce(System.lineSeparator()).contains("epoch 18", "3.00M", "4.0 KiB");
    }

    /** A non-positive number is rejected with exit status 2 and a message naming option and value. */
    @Test
    void nonPositiveOptionIsRejected() {
        StringWriter err = new StringWriter();
        CommandLine cl = CacheDemo.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));

        assertThat(cl.execute("--keys=0")).isEqualTo(2);
        assertThat(err.toString()).contains("--keys must be positive: --keys=0");
    }

    /** A value passes the check only while intact: a changed payload word, header or key fails it. */
    @Test
    void checkDetectsCorruptValues() {
        NativeAllocator malloc = NativeAllocator.malloc();
        MemorySegment value = malloc.allocate(128);
        try {
            CacheValue.fill(value, 7, 42);
            assertThat(CacheValue.verify(value, 7)).isTrue();
            assertThat(CacheValue.verify(value, 8)).as("another key").isFalse();

            long last = value.byteSize() - Long.BYTES;
            value.set(ValueLayout.JAVA_LONG, last, value.get(ValueLayout.JAVA_LONG, last) ^ 1);
            assertThat(CacheValue.verify(value, 7)).as("payload changed").isFalse();

            CacheValue.fill(value, 7, 42);
            value.set(ValueLayout.JAVA_LONG, CacheValue.VERSION, 43);
            assertThat(CacheValue.verify(value, 7)).as("header changed, as free() does").isFalse();
        } finally {
            malloc.free(value);
        }
    }
}
