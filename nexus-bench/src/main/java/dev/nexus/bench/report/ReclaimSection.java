package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ReclaimBenchmark}: retire+free throughput against malloc/free and shared arenas; latency. */
final class ReclaimSection implements Section {

    private static final String[] PERCENTILES = {"p50", "p90", "p99", "p999", "max"};

    @Override
    public String className() {
        return "ReclaimBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        JmhResult mallocFree = run.find(r -> r.className().equals(className()) && r.method().equals("mallocFree"));
        double mallocNanos = mallocFree == null ? Double.NaN : mallocFree.primary().nanosPerOp();
        out.heading(2, "Retire and free (ReclaimBenchmark)");
        out.paragraph("One thread hands back 64-byte segments. `ns/op` is the inverse of the throughput. "
                + "`excl. allocator`: for `retire` and `retireLatency`, the time per segment minus "
                + "`mallocFree`'s (malloc+free through the same allocator: " + Units.format(mallocNanos)
                + " ns here); `retireNoAllocator` never allocates and frees nothing, so its time is already "
                + "without the allocator. `× arena` divides the shared-arena allocate+close time (same "
                + "idle threads, else none) by the row's time without the allocator. `peak pending`: bytes "
                + "retired and not yet freed at the end of a measurement iteration, the most over iterations "
                + "and forks.");
        List<List<String>> rows = new ArrayList<>();
        for (JmhResult result : results) {
            double nanos = result.primary().nanosPerOp();
            double excl = switch (result.method()) {
                case "retire", "retireLatency" -> withoutAllocator(nanos, mallocNanos);
                case "retireNoAllocator" -> nanos;
                default -> Double.NaN;
            };
            double arena = arenaNanos(results, result.param("idleThreads"));
            rows.add(List.of(result.method(), result.paramsText(),
                    Section.withError(result.primary(), 1, result.primary().unit()), Units.format(nanos),
                    Units.format(excl), Units.format(1e9 / excl), Units.ratio(arena / excl),
                    Units.bytes(run.auxMax(result, "peakPendingBytes"))));
        }
        out.table(List.of("benchmark", "params", "throughput", "ns/op", "excl. allocator, ns",
                "excl. allocator, segments/s", "× arena", "peak pending"), rows);
        addTargets(results, mallocNanos, targets);
        latency(run, results, out, charts);
    }

    private void addTargets(List<JmhResult> results, double mallocNanos, List<Target> targets) {
        int before = targets.size();
        for (String side : List.of("MEMBARRIER", "CAS")) {
            results.stream().filter(r -> r.method().equals("retire") && r.has("readSide", side)
                    && r.has("reclaim", "INLINE", "detectDoubleRetire", "ON", "idleThreads", "0")).findFirst()
                    .ifPresent(r -> {
                        double nanos = withoutAllocator(r.primary().nanosPerOp(), mallocNanos);
                        targets.add(Target.atMost("retire+free ≤ 35 ns amortized per segment, excluding the"
                                + " allocator (" + side.toLowerCase(java.util.Locale.ROOT) + " read side)", nanos,
                                35, Units.format(nanos) + " ns (ReclaimBenchmark.retire " + r.paramsText()
                                        + ", minus mallocFree)"));
                    });
        }
        JmhResult retire = results.stream().filter(r -> r.method().equals("retire")
                && r.has("reclaim", "INLINE", "detectDoubleRetire", "ON", "idleThreads", "0")).findFirst()
                .orElse(results.stream().filter(r -> r.method().equals("retire")).findFirst().orElse(null));
        double excl = retire == null ? Double.NaN : withoutAllocator(retire.primary().nanosPerOp(), mallocNanos);
        String where = retire == null ? "no result" : "(ReclaimBenchmark.retire " + retire.paramsText()
                + ", minus mallocFree)";
        if (targets.size() == before) { // no per-read-side result (an older run): the one found
            targets.add(Target.atMost("retire+free ≤ 35 ns amortized per segment, excluding the allocator",
                    excl, 35, Units.format(excl) + " ns " + where));
        }
        targets.add(Target.atLeast("retire+free ≥ 20 M segments/s on one thread (excluding the allocator)",
                1e9 / excl / 1e6, 20, Units.format(1e9 / excl / 1e6) + " M/s " + where));
        double arena = arenaNanos(results, retire == null ? null : retire.param("idleThreads"));
        targets.add(Target.atLeast("retire+free ≥ 1000× cheaper than a shared-arena close", arena / excl, 1000,
                Units.ratio(arena / excl) + " (arenaShared " + Units.format(arena) + " ns vs " + Units.format(excl)
                        + " ns)"));
    }

    /**
     * Time per segment without the allocator's own, or NaN when the subtraction makes no sense (the
     * allocator alone measured slower than retire with it: too short a run, or a noisy machine).
     */
    private static double withoutAllocator(double retireNanos, double mallocNanos) {
        double excl = retireNanos - mallocNanos;
        return excl > 0 ? excl : Double.NaN;
    }

    private static double arenaNanos(List<JmhResult> results, String idleThreads) {
        JmhResult arena = results.stream().filter(r -> r.method().equals("arenaShared")
                && (idleThreads == null ? r.has("idleThreads", "0") : r.has("idleThreads", idleThreads)))
                .findFirst().orElse(results.stream().filter(r -> r.method().equals("arenaShared"))
                        .findFirst().orElse(null));
        return arena == null ? Double.NaN : arena.primary().nanosPerOp();
    }

    private static void latency(RunData run, List<JmhResult> results, Markdown out, Charts charts) {
        List<JmhResult> timed = results.stream().filter(r -> r.method().equals("retireLatency")).toList();
        if (timed.isEmpty()) {
            return;
        }
        out.heading(3, "Retire-to-free latency");
        out.paragraph("Per segment (per operation): each segment carries the time it was retired, and its "
                + "free records the difference in an HdrHistogram, over the measurement iterations of "
                + "`retireLatency` (a writer retiring flat out). Percentiles are the mean over forks, `max` "
                + "the largest; in µs.");
        List<List<String>> rows = new ArrayList<>();
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        for (JmhResult result : timed) {
            List<String> row = new ArrayList<>(List.of(result.paramsText()));
            Map<String, Double> values = new LinkedHashMap<>();
            for (String p : PERCENTILES) {
                double value = p.equals("max") ? run.auxMax(result, "retireToFree.max")
                        : run.auxMean(result, "retireToFree." + p);
                row.add(Units.format(value));
                values.put(p.equals("p999") ? "p99.9" : p, value);
            }
            row.add(Units.format(run.aux(result, "retireToFree.count").stream().mapToDouble(Double::doubleValue).sum()));
            rows.add(row);
            series.put(result.paramsText(), values);
        }
        out.table(List.of("params", "p50", "p90", "p99", "p99.9", "max", "segments"), rows);
        String chart = charts.bars("retire-latency.png", "Retire-to-free latency per segment", "µs",
                List.of("p50", "p90", "p99", "p99.9", "max"), series, true);
        if (chart != null) {
            out.image("retire-to-free latency percentiles", chart);
        }
    }
}
