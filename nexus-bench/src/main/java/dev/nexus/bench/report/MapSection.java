package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** {@code ReadMostlyMapBenchmark}: reader and writer throughput per contender, peak pending bytes. */
final class MapSection implements Section {

    @Override
    public String className() {
        return "ReadMostlyMapBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className()).stream().filter(r -> r.method().equals("map")).toList();
        out.heading(2, "Read-mostly map of off-heap values (ReadMostlyMapBenchmark)");
        out.paragraph("Readers look a random key up and read the whole value; one writer replaces values at "
                + "the set rate. `reads` sums the readers; `× LEAKY` and `× REFCOUNT` divide the reader "
                + "throughput by that contender's at the same rate (above 1 is faster). `writes/s` is the "
                + "rate the writer achieved. `retries` counts reads that started over, in total over the measurement "
                + "iterations (JMH sums event counters). `peak pending`: most bytes replaced and not yet freed, over the measurement "
                + "iterations and forks.");
        Map<String, Map<String, Double>> chartSeries = new LinkedHashMap<>();
        LinkedHashSet<String> contenders = new LinkedHashSet<>();
        for (String rate : new LinkedHashSet<>(results.stream().map(r -> r.param("writesPerSecond")).toList())) {
            List<JmhResult> set = results.stream().filter(r -> rate.equals(r.param("writesPerSecond"))).toList();
            double leaky = readsPerMicro(find(set, "LEAKY"));
            double refcount = readsPerMicro(find(set, "REFCOUNT"));
            List<List<String>> rows = new ArrayList<>();
            Map<String, Double> series = new LinkedHashMap<>();
            for (JmhResult result : set) {
                Metric read = result.secondary("read");
                Metric write = result.secondary("write");
                Metric retries = result.secondary("readRetries");
                double reads = readsPerMicro(result);
                rows.add(List.of(result.param("contender"),
                        read == null ? "n/a" : Section.withError(read, 1, read.unit()),
                        Units.ratio(reads / leaky), Units.ratio(reads / refcount),
                        write == null ? "n/a" : Units.format(write.opsPerSecond()),
                        retries == null ? "n/a" : Units.format(retries.score()),
                        Units.bytes(run.auxMax(result, "peakPendingBytes"))));
                series.put(result.param("contender"), reads);
                contenders.add(result.param("contender"));
            }
            out.heading(3, "Writer at " + rate + " replacements/s");
            out.table(List.of("contender", "reads", "× LEAKY", "× REFCOUNT", "writes/s", "retries", "peak pending"),
                    rows);
            chartSeries.put(rate + " writes/s", series);
            double tree = readsPerMicro(find(set, "NEXUS_TREE"));
            targets.add(Target.atLeast("read-mostly map, reader throughput ≥ 0.9× the leaky bound (writer "
                    + rate + "/s)", tree / leaky, 0.9, Units.ratio(tree / leaky) + " (NEXUS_TREE "
                    + Units.format(tree) + " vs LEAKY " + Units.format(leaky) + " ops/µs)"));
            targets.add(Target.atLeast("read-mostly map, reader throughput ≥ 3× a reference count (writer "
                    + rate + "/s)", tree / refcount, 3, Units.ratio(tree / refcount) + " (NEXUS_TREE "
                    + Units.format(tree) + " vs REFCOUNT " + Units.format(refcount) + " ops/µs)"));
        }
        String chart = charts.bars("map-throughput.png", "Read-mostly map: reader throughput (higher is better)",
                "reads, ops/µs", List.copyOf(contenders), chartSeries, true);
        if (chart != null) {
            out.image("reader throughput per contender", chart);
        }
    }

    private static JmhResult find(List<JmhResult> results, String contender) {
        return results.stream().filter(r -> r.has("contender", contender)).findFirst().orElse(null);
    }

    /** Reader throughput in ops/µs, NaN when absent. */
    private static double readsPerMicro(JmhResult result) {
        Metric read = result == null ? null : result.secondary("read");
        return read == null ? Double.NaN : read.opsPerSecond() / 1e6;
    }
}
