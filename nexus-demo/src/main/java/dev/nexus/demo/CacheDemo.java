package dev.nexus.demo;

import dev.nexus.epoch.Detector;
import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.EpochStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The demo's command line ({@code scripts/demo}): runs an off-heap concurrent cache under a Nexus
 * epoch domain, then the same workload under reference counting and shared arenas, and prints
 * closing tables side by side and the domain's stats: the strategies at the asked write rate, again
 * at one rate that every strategy sustains (a shared arena per value cannot keep a high rate, and its
 * readers then face less garbage), and with small values, where the read side's cost dominates. Exits 0 only if no read ever found a corrupt
 * value (a use-after-free), no thread failed and the domain's stats add up.
 */
@Command(name = "scripts/demo", sortOptions = false, showDefaultValues = true,
        usageHelpAutoWidth = true,
        description = {
            "An off-heap concurrent cache: writers replace native values (malloc'd MemorySegments) of "
                + "random keys, platform and virtual readers look keys up and read and check whole values. "
                + "Runs it under a Nexus epoch domain, then for comparison under reference counting and "
                + "under a shared Arena per value, and prints tables side by side: at the asked write rate, at "
                + "one rate every strategy sustains, and with small values.",
            "",
            "Progress goes to stderr once a second; the table and the domain's stats to stdout."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:every read found an intact value and the domain's stats add up",
            "1:a read found a corrupt value (use-after-free), a thread failed, or the stats are off",
            "2:invalid options"})
public final class CacheDemo implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--keys", defaultValue = "4096", paramLabel = "N",
            description = "Keys in the cache; every key always has a value.")
    private int keys;

    @Option(names = "--value-size", defaultValue = "1024", paramLabel = "BYTES",
            description = "Bytes per value: a multiple of 8, at least " + CacheValue.MIN_SIZE + ".")
    private int valueSize;

    @Option(names = "--writers", defaultValue = "1", paramLabel = "N",
            description = "Writer threads (platform).")
    private int writers;

    @Option(names = "--write-rate", defaultValue = "20000", paramLabel = "N",
            description = "Values replaced per second by all writers together, the same for every "
                + "strategy; 0 for as fast as they can.")
    private int writeRate;

    @Option(names = "--platform-readers", defaultValue = "2", paramLabel = "N",
            description = "Platform reader threads; under Nexus each registers a Participant.")
    private int platformReaders;

    @Option(names = "--virtual-readers", defaultValue = "64", paramLabel = "N",
            description = "Virtual reader threads; under Nexus each read pins a pooled guard.")
    private int virtualReaders;

    @Option(names = "--duration", defaultValue = "20s", paramLabel = "TIME",
            converter = DurationConverter.class,
            description = "How long the Nexus run lasts: 20s, 500ms, 2m (a bare number means seconds).")
    private Duration duration;

    @Option(names = "--compare-duration", defaultValue = "5s", paramLabel = "TIME",
            converter = DurationConverter.class,
            description = "How long each comparison run lasts.")
    private Duration compareDuration;

    @Option(names = "--warmup", defaultValue = "1s", paramLabel = "TIME",
            converter = DurationConverter.class,
            description = "An unmeasured run of each strategy before the measured ones, so that none "
                + "pays the JIT's warm-up alone; 0 to skip.")
    private Duration warmup;

    // true by default: picocli then needs fallbackValue "true" too, or --compare and --no-compare swap
    @Option(names = "--compare", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run the reference-counting and shared-arena comparisons (the default); "
                + "--no-compare runs Nexus alone.")
    private boolean compare;

    // true by default, as --compare
    @Option(names = "--same-rate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After the comparison, run every strategy again at one write rate: half the "
                + "lowest rate any of them achieved (a shared arena per value manages only a few hundred "
                + "replacements a second, and its readers face less garbage for it). --no-same-rate skips it.")
    private boolean sameRate;

    @Option(names = "--small-value-size", defaultValue = "64", paramLabel = "BYTES",
            description = "Then run every strategy with values this small, where the read side (guard, "
                + "count, arena check) costs more than reading the value; at the common write rate when "
                + "there is one. 0 skips it; else a multiple of 8, at least " + CacheValue.MIN_SIZE + ".")
    private int smallValueSize;

    @Option(names = "--detector", defaultValue = "QUIESCENCE_TREE", paramLabel = "DETECTOR",
            description = "The domain's grace-period detector: ${COMPLETION-CANDIDATES}.")
    private Detector detector;

    @Option(names = "--progress", defaultValue = "AUTO", paramLabel = "MODE",
            description = "Progress on stderr: ${COMPLETION-CANDIDATES} (AUTO rewrites one line in place "
                + "when stderr is a terminal and prints plain lines otherwise).")
    private ProgressPrinter.Mode progressMode;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /**
     * Runs the demo and exits with its status.
     *
     * @param args the command line; {@code --help} lists the options
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The demo's command line; bad options print one error line and a pointer to {@code --help}.
     *
     * @return a new command line around a new demo
     */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new CacheDemo()).setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine cl = e.getCommandLine();
            cl.getErr().println("error: " + e.getMessage());
            cl.getErr().println("Try '" + cl.getCommandName() + " --help' for the options.");
            cl.getErr().flush();
            return cl.getCommandSpec().exitCodeOnInvalidInput();
        });
    }

    @Override
    public Integer call() throws InterruptedException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressPrinter progress = ProgressPrinter.create(progressMode, err);
        Workload workload = new Workload(keys, valueSize, writers, writeRate, platformReaders,
                virtualReaders);
        List<Strategy> strategies = compare ? List.of(Strategy.values()) : List.of(Strategy.EPOCH);

        out.printf(Locale.ROOT, "Nexus cache demo: %d keys x %d-byte off-heap values (%s live), %d writer%s "
                + "(%s writes/s), %d platform + %d virtual readers, %d processors, Java %s%n",
                keys, valueSize, Units.bytes((long) keys * valueSize), writers, writers == 1 ? "" : "s",
                writeRate == 0 ? "max" : Units.count(writeRate), platformReaders, virtualReaders,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        long errors = 0;
        if (!warmup.isZero()) {
            out.printf(Locale.ROOT, "Warming up: %s per strategy, not measured%n", format(warmup));
            out.flush();
            ProgressPrinter quiet = ProgressPrinter.create(ProgressPrinter.Mode.OFF, err);
            for (Strategy strategy : strategies) {
                EpochDomain domain = strategy == Strategy.EPOCH ? EpochDomain.builder().name("cache-demo-warmup")
                        .detector(detector).maxParticipants(platformReaders).build() : null;
                RunResult result = run(strategy, workload, warmup, domain, quiet);
                if (domain != null) {
                    domain.close(); // not in a finally: as below
                }
                reportFailures(result, err);
                errors += result.errors(); // a corrupt read is one even when not measured
            }
        }
        List<RunResult> results = new ArrayList<>();
        EpochStats openStats = null;
        EpochStats closedStats = null;
        for (int i = 0; i < strategies.size(); i++) {
            Strategy strategy = strategies.get(i);
            Duration time = strategy == Strategy.EPOCH ? duration : compareDuration;
            out.printf(Locale.ROOT, "[%d/%d] %-8s for %s: %s%s%n", i + 1, strategies.size(), strategy.label(),
                    format(time), strategy.description(),
                    strategy == Strategy.EPOCH ? " (" + detector + " detector)" : "");
            out.flush();
            RunResult result;
            if (strategy == Strategy.EPOCH) {
                EpochDomain domain = newDomain("cache-demo");
                result = run(strategy, workload, time, domain, progress);
                openStats = domain.stats();
                // not in a finally: after a failed run a reader may be stuck inside a guard, and
                // close() would wait for it forever
                domain.close();
                closedStats = domain.stats();
                errors += checkClosedDomain(closedStats, result.writes() + keys, err);
            } else {
                result = run(strategy, workload, time, null, progress);
            }
            reportFailures(result, err);
            errors += result.errors();
            results.add(result);
        }
        List<RunResult> all = new ArrayList<>(results);

        // The first table compares the strategies at the asked rate, which a shared arena cannot keep:
        // its readers then face a fraction of the garbage. The second compares them at one rate.
        int commonRate = commonRate(results, writeRate);
        List<RunResult> sameRateResults = List.of();
        if (compare && sameRate) {
            if (commonRate == writeRate) {
                out.println("Every strategy kept the asked write rate: the first table already compares them at one rate.");
            } else {
                out.printf(Locale.ROOT, "Same write rate for every strategy: %s writes/s, half the lowest any "
                        + "achieved%n", Units.count(commonRate));
                sameRateResults = runSet(strategies, new Workload(keys, valueSize, writers, commonRate,
                        platformReaders, virtualReaders), progress, err);
                noteMissedRate(sameRateResults, commonRate, out);
            }
        }
        List<RunResult> smallResults = List.of();
        int smallRate = compare && sameRate ? commonRate : writeRate;
        if (compare && smallValueSize > 0) {
            out.printf(Locale.ROOT, "Small values: %d bytes at %s writes/s, where the read side dominates%n",
                    smallValueSize, smallRate == 0 ? "max" : Units.count(smallRate));
            smallResults = runSet(strategies, new Workload(keys, smallValueSize, writers, smallRate,
                    platformReaders, virtualReaders), progress, err);
            noteMissedRate(smallResults, smallRate, out);
        }
        for (List<RunResult> set : List.of(sameRateResults, smallResults)) {
            for (RunResult result : set) {
                errors += result.errors();
                all.add(result);
            }
        }

        out.println();
        ResultTable.print(out, String.format(Locale.ROOT, "As asked: %d-byte values, %s writes/s asked", valueSize,
                writeRate == 0 ? "max" : Units.count(writeRate)), results);
        if (!sameRateResults.isEmpty()) {
            out.println();
            ResultTable.print(out, String.format(Locale.ROOT, "Same write rate: %d-byte values, %s writes/s for every "
                    + "strategy", valueSize, Units.count(commonRate)), sameRateResults);
        }
        if (!smallResults.isEmpty()) {
            out.println();
            ResultTable.print(out, String.format(Locale.ROOT, "Small values: %d-byte values, %s writes/s",
                    smallValueSize, smallRate == 0 ? "max" : Units.count(smallRate)), smallResults);
        }
        out.println();
        out.println("Domain stats before close(): " + openStats);
        out.println("Domain stats after close():  " + closedStats);
        long reads = all.stream().mapToLong(RunResult::reads).sum();
        if (errors == 0) {
            out.printf(Locale.ROOT, "OK: %,d reads, every one found an intact value.%n", reads);
        } else {
            out.printf(Locale.ROOT, "FAILED: %,d errors in %,d reads (details on stderr).%n", errors, reads);
        }
        out.flush();
        return errors == 0 ? 0 : 1;
    }

    /** Says so when a strategy of a same-rate set fell more than 5% short of {@code rate}. */
    private static void noteMissedRate(List<RunResult> results, int rate, PrintWriter out) {
        for (RunResult result : results) {
            if (rate != 0 && result.writesPerSecond() < 0.95 * rate) {
                out.printf(Locale.ROOT, "  note: %s managed %s of the %s writes/s: its readers faced less garbage%n",
                        result.strategy().label(), Units.count(result.writesPerSecond()), Units.count(rate));
            }
        }
    }

    private EpochDomain newDomain(String name) {
        return EpochDomain.builder().name(name).detector(detector).maxParticipants(platformReaders).build();
    }

    /**
     * Runs every strategy on {@code workload} for the comparison duration, each Nexus run on a fresh
     * domain whose closing stats are checked; prints one line per run and reports failures.
     */
    private List<RunResult> runSet(List<Strategy> strategies, Workload workload, ProgressPrinter progress,
            PrintWriter err) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < strategies.size(); i++) {
            Strategy strategy = strategies.get(i);
            out.printf(Locale.ROOT, "  [%d/%d] %-8s for %s%n", i + 1, strategies.size(), strategy.label(),
                    format(compareDuration));
            out.flush();
            RunResult result;
            if (strategy == Strategy.EPOCH) {
                EpochDomain domain = newDomain("cache-demo-" + workload.valueSize() + "b-" + workload.writeRate());
                result = run(strategy, workload, compareDuration, domain, progress);
                domain.close(); // not in a finally: as in call()
                if (checkClosedDomain(domain.stats(), result.writes() + keys, err) != 0) {
                    result = result.withExtraErrors(1);
                }
            } else {
                result = run(strategy, workload, compareDuration, null, progress);
            }
            reportFailures(result, err);
            results.add(result);
        }
        return results;
    }

    /**
     * A write rate every strategy of {@code results} can sustain: the asked rate when every strategy
     * kept it (an achieved rate within 5% of the asked one counts as kept: the writers' pacing
     * wobbles), else half the lowest achieved rate (the slowest strategy's rate varies from run to run:
     * a shared arena's close waits for a handshake with every thread), rounded down to two significant
     * digits, at least 1.
     *
     * @param writeRate the asked rate, 0 for as fast as they can
     */
    static int commonRate(List<RunResult> results, int writeRate) {
        double lowest = results.stream().mapToDouble(RunResult::writesPerSecond).min().orElse(writeRate);
        if (writeRate != 0 && lowest >= 0.95 * writeRate) {
            return writeRate;
        }
        long rate = Math.max(1, (long) (lowest / 2));
        long scale = 1;
        while (rate >= 100 * scale) {
            scale *= 10;
        }
        return (int) Math.max(1, rate / scale * scale);
    }

    /**
     * Runs {@code workload} for {@code duration} on a fresh cache of {@code strategy}, then closes
     * the cache. For {@link Strategy#EPOCH} the cache retires its values to {@code domain}, which the
     * caller closes afterwards; the other strategies ignore it.
     *
     * @param domain the domain for {@link Strategy#EPOCH}, else unused (may be null)
     * @return what the run measured
     * @throws InterruptedException if the calling thread is interrupted
     */
    static RunResult run(Strategy strategy, Workload workload, Duration duration, EpochDomain domain,
            ProgressPrinter progress) throws InterruptedException {
        int keys = workload.keys();
        int valueSize = workload.valueSize();
        try (OffHeapCache cache = switch (strategy) {
            case EPOCH -> new EpochCache(keys, valueSize, domain);
            case REFCOUNT -> new RefCountCache(keys, valueSize);
            case ARENA -> new ArenaCache(keys, valueSize);
        }) {
            return workload.run(strategy, cache, duration, progress);
        }
    }

    /**
     * Checks that a closed domain retired and freed exactly the values the cache handed it: every
     * value replaced plus every value retired when the cache closed. Prints what does not add up.
     *
     * @param expectedRetired values replaced during the run plus the keys
     * @return the number of errors found: 0 or 1
     */
    static int checkClosedDomain(EpochStats stats, long expectedRetired, PrintWriter err) {
        List<String> problems = new ArrayList<>();
        if (stats.retiredCount() != expectedRetired) {
            problems.add("retiredCount " + stats.retiredCount() + " != " + expectedRetired
                    + " (values replaced plus keys)");
        }
        if (stats.reclaimedCount() != stats.retiredCount() || stats.reclaimedBytes() != stats.retiredBytes()) {
            problems.add("reclaimed " + stats.reclaimedCount() + " (" + stats.reclaimedBytes() + " B) != retired "
                    + stats.retiredCount() + " (" + stats.retiredBytes() + " B)");
        }
        if (stats.pendingBytes() != 0) {
            problems.add("pendingBytes " + stats.pendingBytes() + " != 0");
        }
        if (stats.reclaimFailures() != 0) {
            problems.add("reclaimFailures " + stats.reclaimFailures() + " != 0");
        }
        if (problems.isEmpty()) {
            return 0;
        }
        err.println("error: the closed domain's stats do not add up: " + String.join("; ", problems));
        err.flush();
        return 1;
    }

    private static void reportFailures(RunResult result, PrintWriter err) {
        List<Throwable> failures = result.failures();
        for (int i = 0; i < Math.min(3, failures.size()); i++) {
            err.println("error: a " + result.strategy().label() + " thread failed:");
            failures.get(i).printStackTrace(err);
        }
        if (failures.size() > 3) {
            err.println("error: ... and " + (failures.size() - 3) + " more failed threads");
        }
        err.flush();
    }

    private void validate() {
        positive("--keys", keys);
        positive("--writers", writers);
        notNegative("--write-rate", writeRate);
        notNegative("--platform-readers", platformReaders);
        notNegative("--virtual-readers", virtualReaders);
        if (platformReaders + virtualReaders == 0) {
            throw usage("at least one reader is needed: --platform-readers=0, --virtual-readers=0");
        }
        if (valueSize < CacheValue.MIN_SIZE || valueSize % Long.BYTES != 0) {
            throw usage("--value-size must be a multiple of 8 and at least " + CacheValue.MIN_SIZE
                    + ": --value-size=" + valueSize);
        }
        if (smallValueSize != 0 && (smallValueSize < CacheValue.MIN_SIZE || smallValueSize % Long.BYTES != 0)) {
            throw usage("--small-value-size must be 0, or a multiple of 8 and at least " + CacheValue.MIN_SIZE
                    + ": --small-value-size=" + smallValueSize);
        }
        positive("--duration", duration);
        positive("--compare-duration", compareDuration);
        if (warmup.isNegative()) {
            throw usage("--warmup must not be negative: --warmup=" + format(warmup));
        }
    }

    private void positive(String option, long value) {
        if (value <= 0) {
            throw usage(option + " must be positive: " + option + "=" + value);
        }
    }

    private void notNegative(String option, long value) {
        if (value < 0) {
            throw usage(option + " must not be negative: " + option + "=" + value);
        }
    }

    private void positive(String option, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw usage(option + " must be positive: " + option + "=" + format(value));
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code 20 s}, {@code 500 ms}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    /** Parses {@code 20s}, {@code 500ms}, {@code 2m} or a bare number of seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {

        private static final Pattern DURATION = Pattern.compile("(-?\\d+)\\s*(ms|s|m)?");

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim());
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration; use for example 20s,"
                        + " 500ms or 2m");
            }
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            } catch (NumberFormatException | ArithmeticException e) {
                throw new TypeConversionException("'" + value + "' is too long a duration");
            }
        }
    }
}
