package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code SlabBenchmark}: insert/get/remove latency percentiles of the slab against malloc per record
 * and a copying array, during growth and in steady state.
 */
final class SlabSection implements Section {

    private static final List<String> PHASES = List.of("growth", "steady");
    private static final List<String> CONTENDERS = List.of("SLAB", "COPYING_ARRAY", "MALLOC");
    private static final List<String> OPS = List.of("insert", "get", "remove");
    private static final String[] PERCENTILES = {"p50", "p99", "p999", "max"};

    @Override
    public String className() {
        return "SlabBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "Slab latency (SlabBenchmark)");
        out.paragraph("Latency of each single operation on a store of 64-byte off-heap records (one "
                + "`nanoTime` pair around each call, recorded in an HdrHistogram over the measurement "
                + "invocations), in µs: percentiles are the mean over forks, `max` the largest. `growth`: "
                + "from an empty store to `records` live records (insert, get of a random record, every "
                + "fourth step a remove and re-insert); `steady`: rounds of get, remove, insert at a "
                + "random key of a full store. `SLAB` grows by whole slabs and never copies; "
                + "`COPYING_ARRAY` doubles one native array by copying; `MALLOC` allocates each record. "
                + "`phase time`: JMH's single-shot time of the whole phase. Timer cost (a `nanoTime` "
                + "pair, p50): " + Units.format(timer(run, results)) + " µs.");
        List<List<String>> rows = new ArrayList<>();
        for (String phase : PHASES) {
            for (String contender : CONTENDERS) {
                JmhResult result = find(results, phase, contender);
                if (result == null) {
                    continue;
                }
                for (String op : OPS) {
                    List<String> row = new ArrayList<>(List.of(phase, contender, op));
                    for (String p : PERCENTILES) {
                        row.add(Units.format(value(run, result, op, p)));
                    }
                    row.add(Units.format(run.aux(result, op + ".count").stream()
                            .mapToDouble(Double::doubleValue).sum()));
                    row.add(op.equals("insert") ? Section.withError(result.primary(), 1, result.primary().unit()) : "");
                    rows.add(row);
                }
            }
        }
        String records = results.isEmpty() ? "?" : results.getFirst().param("records");
        out.table(List.of("phase", "contender", "op", "p50, µs", "p99, µs", "p99.9, µs", "max, µs", "ops",
                "phase time"), rows);
        JmhResult slab = find(results, "growth", "SLAB");
        JmhResult copying = find(results, "growth", "COPYING_ARRAY");
        if (slab != null && copying != null) {
            double slabMax = run.auxMax(slab, "insert.max");
            double copyMax = run.auxMax(copying, "insert.max");
            out.paragraph("During growth to " + records + " records, the worst insert: "
                    + Units.format(copyMax / 1000) + " ms for `COPYING_ARRAY` (a doubling copies every record) "
                    + "against " + Units.format(slabMax / 1000) + " ms for `SLAB` (" + Units.ratio(copyMax / slabMax)
                    + "); p99.9: " + Units.format(value(run, copying, "insert", "p999")) + " µs against "
                    + Units.format(value(run, slab, "insert", "p999")) + " µs.");
        }
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        for (String contender : CONTENDERS) {
            JmhResult result = find(results, "growth", contender);
            if (result != null) {
                Map<String, Double> values = new LinkedHashMap<>();
                for (String p : PERCENTILES) {
                    values.put(p.equals("p999") ? "p99.9" : p, value(run, result, "insert", p));
                }
                series.put(contender, values);
            }
        }
        String chart = charts.bars("slab-growth-insert.png", "Insert latency during growth", "µs",
                List.of("p50", "p99", "p99.9", "max"), series, true);
        if (chart != null) {
            out.image("insert latency percentiles during growth", chart);
        }
    }

    private static JmhResult find(List<JmhResult> results, String phase, String contender) {
        return results.stream().filter(r -> r.method().equals(phase) && r.has("contender", contender))
                .findFirst().orElse(null);
    }

    private static double value(RunData run, JmhResult result, String op, String percentile) {
        return percentile.equals("max") ? run.auxMax(result, op + ".max") : run.auxMean(result, op + "." + percentile);
    }

    private static double timer(RunData run, List<JmhResult> results) {
        return results.stream().flatMap(r -> run.aux(r, "timer.p50").stream()).mapToDouble(Double::doubleValue)
                .average().orElse(Double.NaN);
    }
}
