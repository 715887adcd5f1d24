package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** {@code PinBenchmark}: pin+unpin in ns/op, against the floor and the lock baselines. */
final class PinSection implements Section {

    private static final String[] BASELINES = {"floor", "refcount", "rwlock", "stamped"};

    @Override
    public String className() {
        return "PinBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "Pin and unpin (PinBenchmark)");
        out.paragraph("One pin+unpin (or acquire+release) with nothing inside; lower is better. "
                + "`× floor` etc. divide the row's time by the baseline's time in the same run with the "
                + "same thread count: below 1 the row is faster. Error: JMH's 99.9% confidence half-width. "
                + "`neighbours=NONE`: the benchmark's slots are the only online slots of the domain; "
                + "`neighbours=IDLE`: an idle slot sits in another leaf of the tree. The two should cost the "
                + "same (a reader's report must not advance the epoch on every pin).");
        Map<String, Map<String, Double>> chartSeries = new LinkedHashMap<>();
        List<String> categories = new ArrayList<>();
        for (int threads : new TreeSet<>(results.stream().map(JmhResult::threads).toList())) {
            List<JmhResult> set = results.stream().filter(r -> r.threads() == threads).toList();
            Map<String, Double> baseline = new LinkedHashMap<>();
            for (String name : BASELINES) {
                set.stream().filter(r -> r.method().equals(name)).findFirst()
                        .ifPresent(r -> baseline.put(name, r.primary().nanosPerOp()));
            }
            List<String> headers = new ArrayList<>(List.of("benchmark", "params", "time/op", "median"));
            baseline.keySet().forEach(name -> headers.add("× " + name));
            List<List<String>> rows = new ArrayList<>();
            Map<String, Double> series = new LinkedHashMap<>();
            for (JmhResult result : set) {
                double nanos = result.primary().nanosPerOp();
                List<String> row = new ArrayList<>(List.of(result.method(), result.paramsText(),
                        Section.withError(result.primary(), 1, result.primary().unit()),
                        Units.format(result.primary().median())));
                baseline.values().forEach(b -> row.add(Units.ratio(nanos / b)));
                rows.add(row);
                String label = result.method() + (result.param("detector") == null ? ""
                        : result.param("detector").equals("FLAT_SCAN") ? " flat" : " tree")
                        + (result.param("neighbours") == null ? "" : result.has("neighbours", "NONE") ? " alone" : "")
                        + (result.param("readSide") == null ? "" : " " + result.param("readSide").toLowerCase(Locale.ROOT));
                series.put(label, nanos);
                if (!categories.contains(label)) {
                    categories.add(label);
                }
            }
            out.heading(3, threads + (threads == 1 ? " thread" : " threads"));
            out.table(headers, rows);
            chartSeries.put(threads + (threads == 1 ? " thread" : " threads"), series);
            if (threads == 1) {
                addTargets(set, baseline.get("floor"), targets);
            }
        }
        String chart = charts.bars("pin.png", "Pin+unpin (lower is better)", "ns/op", categories, chartSeries, true);
        if (chart != null) {
            out.image("pin+unpin per benchmark", chart);
        }
    }

    /**
     * The targets of DESIGN.md section 7 for the read side, as ratios to the floor of the same run:
     * {@code Participant} ≤ 0.5× (one row per read side, the worse neighbours case counting),
     * {@code domain.pin()} ≤ 1.0×, each nested pin ≤ 0.3× (the worse of {@code nested} and a quarter of
     * {@code nestedFour}), and no allocation per pin ({@code -prof gc}'s {@code gc.alloc.rate.norm},
     * when the run had it).
     */
    private static void addTargets(List<JmhResult> oneThread, Double floor, List<Target> targets) {
        double f = floor == null ? Double.NaN : floor;
        String floorText = floor == null ? "no floor" : "floor " + Units.format(f) + " ns";
        // one target per read side (older runs have no readSide parameter: one target for all)
        for (String side : new TreeSet<>(tree(oneThread, "participant").stream()
                .map(r -> r.param("readSide") == null ? "" : r.param("readSide")).toList()).descendingSet()) {
            List<JmhResult> participant = tree(oneThread, "participant").stream()
                    .filter(r -> side.isEmpty() || r.has("readSide", side)).toList();
            double ratio = worst(participant) / f;
            targets.add(Target.atMost("pin+unpin through a `Participant` ≤ 0.5× the floor" + (side.isEmpty() ? ""
                    : " (" + side.toLowerCase(Locale.ROOT) + " read side)"), ratio, 0.5, Units.ratio(ratio) + ": "
                    + describe(participant) + ", " + floorText
                    + " (PinBenchmark.participant, tree, 1 thread; the worse one counts)"));
        }
        List<JmhResult> pooled = tree(oneThread, "pooled");
        double pooledRatio = worst(pooled) / f;
        targets.add(Target.atMost("pin+unpin through `domain.pin()` ≤ 1.0× the floor", pooledRatio, 1.0,
                Units.ratio(pooledRatio) + ": worst " + Units.format(worst(pooled)) + " ns, " + floorText
                        + " (PinBenchmark.pooled, tree, 1 thread, both read sides)"));
        List<JmhResult> nested = tree(oneThread, "nested");
        List<JmhResult> nestedFour = tree(oneThread, "nestedFour");
        double perPin = Math.max(worst(nested), worst(nestedFour) / 4);
        if (nested.isEmpty() || nestedFour.isEmpty()) {
            perPin = nested.isEmpty() ? worst(nestedFour) / 4 : worst(nested);
        }
        double nestedRatio = perPin / f;
        String perPinText = (nested.isEmpty() ? "" : "nested " + Units.format(worst(nested)) + " ns, ")
                + (nestedFour.isEmpty() ? "" : "nestedFour " + Units.format(worst(nestedFour) / 4) + " ns per pin, ");
        targets.add(Target.atMost("each nested pin ≤ 0.3× the floor", nestedRatio, 0.3, Units.ratio(nestedRatio)
                + ": " + perPinText + floorText + " (tree, 1 thread, the worse counts)"));
        allocation(oneThread, List.of("participant", "nested", "nestedFour"), "`Participant`, at any depth", targets);
        allocation(oneThread, List.of("pooled"), "`domain.pin()`", targets);
    }

    /** No allocation per pin: the largest {@code gc.alloc.rate.norm} of the methods' tree results. */
    private static void allocation(List<JmhResult> oneThread, List<String> methods, String what,
            List<Target> targets) {
        double most = Double.NaN;
        String where = "";
        for (String method : methods) {
            for (JmhResult r : tree(oneThread, method)) {
                Metric norm = r.secondary("gc.alloc.rate.norm");
                if (norm != null && !(norm.score() <= most)) {
                    most = norm.score();
                    where = method + " " + r.paramsText();
                }
            }
        }
        targets.add(Target.atMost("no allocation per pin through " + what, most, 0.5, Double.isNaN(most)
                ? "not measured (the run had no -prof gc)"
                : Units.format(most) + " B/op at most (" + where + "; -prof gc)"));
    }

    /** The epoch results of {@code method} with the tree detector. */
    private static List<JmhResult> tree(List<JmhResult> results, String method) {
        return results.stream().filter(r -> r.method().equals(method) && r.has("detector", "QUIESCENCE_TREE"))
                .toList();
    }

    /** The slowest of the results, ns/op; NaN when there are none. */
    private static double worst(List<JmhResult> results) {
        return results.stream().mapToDouble(r -> r.primary().nanosPerOp()).max().orElse(Double.NaN);
    }

    /** {@code 3.1 ns (neighbours=IDLE), 250 ns (neighbours=NONE)}. */
    private static String describe(List<JmhResult> results) {
        if (results.isEmpty()) {
            return "no result";
        }
        List<String> parts = new ArrayList<>();
        for (JmhResult r : results) {
            String neighbours = r.param("neighbours");
            parts.add(Units.format(r.primary().nanosPerOp()) + " ns"
                    + (neighbours == null ? "" : " (" + (neighbours.equals("NONE") ? "alone" : "beside an idle slot") + ")"));
        }
        return String.join(", ", parts);
    }
}
