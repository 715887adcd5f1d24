package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ReadMostlyMapBenchmark}: reader and writer throughput per contender, per group (one reader,
 * two readers), value size and reads per guard, with each ratio's error range; a ratio whose error
 * bars overlap, or whose errors reach 10%, is flagged and is not a result ({@link Ratio}).
 */
final class MapSection implements Section {

    /** The benchmark's groups, in report order, with their headings; {@code map} is the single group of older runs. */
    private static final Map<String, String> GROUPS = Map.of(
            "oneReader", "One reader",
            "twoReaders", "Two readers",
            "map", "Readers of the single group (older runs)");
    private static final List<String> GROUP_ORDER = List.of("oneReader", "twoReaders", "map");

    @Override
    public String className() {
        return "ReadMostlyMapBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        out.heading(2, "Read-mostly map of off-heap values (ReadMostlyMapBenchmark)");
        out.paragraph("Readers look random keys up and read the whole values; one writer replaces values at "
                + "the set rate. `reads/µs` sums the readers and counts reads, not operations (an operation "
                + "is `reads/op` reads: 16 under one guard, or one read lock, where the contender can share "
                + "one). `× LEAKY` and `× REFCOUNT` divide the reader throughput by that contender's in the same "
                + "configuration (above 1 is faster), with the range the 99.9% error bars allow in parentheses; "
                + "`CPU ns/read` is each reader's CPU time per read over the measurement iterations (mean and "
                + "99.9% error over readers × iterations: unlike wall-clock throughput it leaves out the time a "
                + "reader was descheduled, most of the noise on a shared machine), and the `(CPU)` ratios "
                + "divide a baseline's CPU time per read by this contender's (above 1 is faster); "
                + "a ratio whose error bars overlap, or whose errors reach 10% of a score, is marked "
                + "\"not a result\": the run cannot tell which side is ahead. `writes/s` is the rate the "
                + "writer achieved. `retries` counts reads that started over, in total over the measurement "
                + "iterations. `peak pending`: most bytes replaced and not yet freed, over the measurement "
                + "iterations and forks.");
        Map<String, Map<String, Double>> chartSeries = new LinkedHashMap<>();
        LinkedHashSet<String> contenders = new LinkedHashSet<>();
        for (String group : GROUP_ORDER) {
            List<JmhResult> results = run.of(className()).stream().filter(r -> r.method().equals(group)).toList();
            if (results.isEmpty()) {
                continue;
            }
            for (String rate : new LinkedHashSet<>(results.stream().map(r -> r.param("writesPerSecond")).toList())) {
                List<List<String>> rows = new ArrayList<>();
                List<JmhResult> atRate = results.stream().filter(r -> r.has("writesPerSecond", rate)).toList();
                for (String shape : new LinkedHashSet<>(atRate.stream().map(MapSection::shape).toList())) {
                    List<JmhResult> set = atRate.stream().filter(r -> shape(r).equals(shape)).toList();
                    JmhResult leaky = find(set, "LEAKY");
                    JmhResult refcount = find(set, "REFCOUNT");
                    Map<String, Double> series = new LinkedHashMap<>();
                    for (JmhResult result : set) {
                        Metric read = reads(result);
                        Metric write = result.secondary(group.equals("map") ? "write" : group + "Write");
                        Metric retries = result.secondary("readRetries");
                        int perOp = readsPerOp(result);
                        Metric cpu = cpuPerRead(run, result);
                        rows.add(List.of(valueBytes(result), Integer.toString(perOp), result.param("contender"),
                                read == null ? "n/a" : Section.withError(read, perOp, ""),
                                against(result, leaky), against(result, refcount),
                                Double.isNaN(cpu.score()) ? "n/a" : Section.withError(cpu, 1, ""),
                                cpuAgainst(run, result, leaky), cpuAgainst(run, result, refcount),
                                write == null ? "n/a" : Units.format(write.opsPerSecond()),
                                retries == null ? "n/a" : Units.format(retries.score()),
                                Units.bytes(run.auxMax(result, "peakPendingBytes"))));
                        series.put(result.param("contender"), readsPerMicro(result));
                        contenders.add(result.param("contender"));
                    }
                    chartSeries.put(GROUPS.get(group) + ", " + shape, series);
                    addTargets(run, group, rate, set, targets);
                }
                out.heading(3, GROUPS.get(group) + ", writer at " + rate + " replacements/s");
                out.table(List.of("value", "reads/op", "contender", "reads/µs", "× LEAKY", "× REFCOUNT",
                        "CPU ns/read", "× LEAKY (CPU)", "× REFCOUNT (CPU)", "writes/s", "retries", "peak pending"),
                        rows);
            }
        }
        String chart = charts.bars("map-throughput.png", "Read-mostly map: reader throughput (higher is better)",
                "reads/µs", List.copyOf(contenders), chartSeries, true);
        if (chart != null) {
            out.image("reader throughput per contender", chart);
        }
    }

    /**
     * The targets of DESIGN.md section 7, on 64-byte values with a guard per read: one reader ≥ 0.9× the
     * leaky bound, two readers ≥ 2× a reference count. Older single-group runs check both on their group.
     */
    private static void addTargets(RunData run, String group, String rate, List<JmhResult> set,
            List<Target> targets) {
        JmhResult tree = find(set, "NEXUS_TREE");
        if (tree == null || !"64".equals(valueBytes(tree)) || readsPerOp(tree) != 1) {
            return;
        }
        String where = " (" + GROUPS.get(group).toLowerCase(Locale.ROOT) + ", writer " + rate + "/s, 64-byte values)";
        if (!group.equals("twoReaders")) {
            JmhResult leaky = find(set, "LEAKY");
            targets.add(Target.atLeast("read-mostly map, reader throughput ≥ 0.9× the leaky bound" + where,
                    ratio(tree, leaky), 0.9, measured(tree, leaky, "LEAKY")));
            targets.add(Target.atLeast("read-mostly map, reader CPU time per read ≥ 0.9× the leaky bound's speed"
                    + where, cpuRatio(run, tree, leaky), 0.9, cpuMeasured(run, tree, leaky, "LEAKY")));
        }
        if (!group.equals("oneReader")) {
            JmhResult refcount = find(set, "REFCOUNT");
            targets.add(Target.atLeast("read-mostly map, reader throughput ≥ 2× a reference count" + where,
                    ratio(tree, refcount), 2, measured(tree, refcount, "REFCOUNT")));
            targets.add(Target.atLeast("read-mostly map, reader CPU time per read ≥ 2× a reference count's speed"
                    + where, cpuRatio(run, tree, refcount), 2, cpuMeasured(run, tree, refcount, "REFCOUNT")));
        }
    }

    /** Each reader's CPU nanoseconds per read, over its measurement iterations ({@code aux.jsonl}). */
    private static Metric cpuPerRead(RunData run, JmhResult result) {
        return Metric.ofSamples(result == null ? List.of() : run.aux(result, "cpuNanosPerRead"), "ns");
    }

    /** How many times faster per read of reader CPU time {@code result} is than {@code baseline}. */
    private static Ratio cpuRatio(RunData run, JmhResult result, JmhResult baseline) {
        Metric cost = cpuPerRead(run, result);
        Metric base = cpuPerRead(run, baseline);
        return Ratio.of(base.score(), base.error(), cost.score(), cost.error());
    }

    private static String cpuAgainst(RunData run, JmhResult result, JmhResult baseline) {
        return result == baseline ? "baseline" : cpuRatio(run, result, baseline).text();
    }

    private static String cpuMeasured(RunData run, JmhResult tree, JmhResult baseline, String name) {
        Metric a = cpuPerRead(run, tree);
        Metric b = cpuPerRead(run, baseline);
        return cpuRatio(run, tree, baseline).text() + " (NEXUS_TREE " + Section.withError(a, 1, "") + " vs "
                + name + " " + Section.withError(b, 1, "") + " CPU ns/read)";
    }

    private static String measured(JmhResult tree, JmhResult baseline, String name) {
        Metric a = reads(tree);
        Metric b = reads(baseline);
        return ratio(tree, baseline).text() + " (NEXUS_TREE " + (a == null ? "n/a" : Section.withError(a, 1, ""))
                + " vs " + name + " " + (b == null ? "n/a" : Section.withError(b, 1, "")) + " ops/µs)";
    }

    /** The ratio cell: {@code baseline} for the baseline's own row, else the ratio with its range and flag. */
    private static String against(JmhResult result, JmhResult baseline) {
        return result == baseline ? "baseline" : ratio(result, baseline).text();
    }

    /** The ratio of two results' reader throughput in one configuration. */
    private static Ratio ratio(JmhResult result, JmhResult baseline) {
        Metric a = reads(result);
        Metric b = reads(baseline);
        if (a == null || b == null) {
            return Ratio.of(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return Ratio.of(a.score(), a.error(), b.score(), b.error());
    }

    /** {@code 64 B, 1 read/guard}: the configuration a result shares with its baselines. */
    private static String shape(JmhResult result) {
        return valueBytes(result) + " B, " + readsPerOp(result) + " read" + (readsPerOp(result) == 1 ? "" : "s") + "/op";
    }

    private static String valueBytes(JmhResult result) {
        String bytes = result.param("valueBytes");
        return bytes == null ? "64" : bytes;
    }

    private static int readsPerOp(JmhResult result) {
        String perOp = result.param("readsPerOp");
        return perOp == null ? 1 : Integer.parseInt(perOp);
    }

    private static JmhResult find(List<JmhResult> results, String contender) {
        return results.stream().filter(r -> r.has("contender", contender)).findFirst().orElse(null);
    }

    /** The reader metric of a result's group, or null. */
    private static Metric reads(JmhResult result) {
        if (result == null) {
            return null;
        }
        return result.secondary(result.method().equals("map") ? "read" : result.method() + "Read");
    }

    /** Reads (not operations) per µs, NaN when absent. */
    private static double readsPerMicro(JmhResult result) {
        Metric read = reads(result);
        return read == null ? Double.NaN : read.opsPerSecond() / 1e6 * readsPerOp(result);
    }
}
