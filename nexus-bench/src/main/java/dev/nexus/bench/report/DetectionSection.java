package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code DetectionScalingBenchmark}: synchronize()/barrier() latency against leased slots, with fits. */
final class DetectionSection implements Section {

    private static final String TREE = "QUIESCENCE_TREE";
    private static final String FLAT = "FLAT_SCAN";

    @Override
    public String className() {
        return "DetectionScalingBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "Grace-period detection against leased slots (DetectionScalingBenchmark)");
        out.paragraph("Latency of one call in µs, sampled per call: mean ± error, median (p50) and p99. "
                + "T slots are leased, then idle except 2 active readers. For each detector the mean is fitted "
                + "by least squares to latency = a + b·log2(T) and to latency = a + b·T; the better fit "
                + "(higher R²) is drawn as a dashed line. `growth` = mean at the largest T / mean at the "
                + "smallest T.");
        for (String method : List.of("synchronize", "barrier")) {
            List<JmhResult> set = results.stream().filter(r -> r.method().equals(method)).toList();
            LinkedHashSet<String> combos = new LinkedHashSet<>();
            set.forEach(r -> combos.add(r.param("lease") + "/" + r.param("readers")));
            for (String combo : combos) {
                String lease = combo.substring(0, combo.indexOf('/'));
                String readers = combo.substring(combo.indexOf('/') + 1);
                List<JmhResult> series = set.stream().filter(r -> r.has("lease", lease, "readers", readers))
                        .sorted(Comparator.comparingInt(r -> Integer.parseInt(r.param("slots")))).toList();
                scaling(method, lease, readers, series, out, charts);
            }
        }
        virtualThreads(results, out);
        addTargets(results, targets);
    }

    private void scaling(String method, String lease, String readers, List<JmhResult> series, Markdown out,
            Charts charts) {
        out.heading(3, "`" + method + "()`, lease=" + lease + ", readers=" + readers);
        LinkedHashSet<Integer> slots = new LinkedHashSet<>();
        series.forEach(r -> slots.add(Integer.parseInt(r.param("slots"))));
        List<List<String>> rows = new ArrayList<>();
        for (int t : slots) {
            JmhResult tree = at(series, TREE, t);
            JmhResult flat = at(series, FLAT, t);
            rows.add(List.of(String.format(Locale.ROOT, "%,d", t), mean(tree), pct(tree, 50), pct(tree, 99),
                    mean(flat), pct(flat, 50), pct(flat, 99),
                    tree == null || flat == null ? "n/a" : Units.ratio(flat.primary().score() / tree.primary().score())));
        }
        out.table(List.of("T", "tree mean", "tree p50", "tree p99", "flat mean", "flat p50", "flat p99",
                "flat / tree"), rows);
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        Map<String, Fit> fits = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (String detector : List.of(TREE, FLAT)) {
            List<double[]> p = series.stream().filter(r -> r.has("detector", detector))
                    .map(r -> new double[] {Double.parseDouble(r.param("slots")), r.primary().score()}).toList();
            if (p.isEmpty()) {
                continue;
            }
            points.put(detector, p);
            Fit log = Fit.logarithmic(p);
            Fit linear = Fit.linear(p);
            Fit best = Fit.best(p);
            if (best != null) {
                fits.put(detector, best);
            }
            double growth = p.get(p.size() - 1)[1] / p.get(0)[1];
            notes.add(detector + ": " + describe(log) + "; " + describe(linear) + "; better: "
                    + (best == null ? "n/a" : best.model()) + "; growth from T=" + (long) p.get(0)[0] + " to T="
                    + (long) p.get(p.size() - 1)[0] + ": " + Units.ratio(growth));
        }
        out.bullets(notes);
        if (!points.isEmpty()) {
            String file = "detection-" + method + "-" + lease.toLowerCase(Locale.ROOT) + "-"
                    + readers.toLowerCase(Locale.ROOT) + ".png";
            out.image(method + " latency against leased slots",
                    charts.scaling(file, method + "() latency, lease=" + lease + ", readers=" + readers,
                            "leased slots T", "µs per call (mean)", points, fits));
        }
    }

    private static String describe(Fit fit) {
        return fit == null ? "no fit" : String.format(Locale.ROOT, "%s with a=%s, b=%s µs, R²=%.3f", fit.model(),
                Units.format(fit.a()), Units.format(fit.b()), fit.r2());
    }

    private static void virtualThreads(List<JmhResult> results, Markdown out) {
        List<JmhResult> set = results.stream().filter(r -> r.method().endsWith("WithVirtualThreads")).toList();
        if (set.isEmpty()) {
            return;
        }
        out.heading(3, "With virtual threads that pin now and then (100,000 by default)");
        List<List<String>> rows = new ArrayList<>();
        for (JmhResult r : set) {
            rows.add(List.of(r.method(), r.param("detector"), r.param("virtualThreads"), mean(r), pct(r, 50),
                    pct(r, 99)));
        }
        out.table(List.of("benchmark", "detector", "virtual threads", "mean", "p50", "p99"), rows);
    }

    private static void addTargets(List<JmhResult> results, List<Target> targets) {
        List<JmhResult> busySet = results.stream().filter(r -> r.method().equals("synchronize")
                && r.has("detector", TREE, "slots", "16", "readers", "BUSY")).toList();
        if (busySet.isEmpty()) {
            targets.add(Target.atMost("`synchronize()` ≤ 25 µs with 2 busy readers", Double.NaN, 25,
                    "no result (not run, or failed: see Failures)"));
        }
        for (JmhResult busy : busySet) {
            double busyMicros = busy.primary().score();
            String side = busy.param("readSide") == null ? "" : " (" + busy.param("readSide").toLowerCase(
                    java.util.Locale.ROOT) + " read side)";
            targets.add(Target.atMost("`synchronize()` ≤ 25 µs with 2 busy readers" + side, busyMicros, 25,
                    Units.format(busyMicros) + " µs mean, p50 " + pct(busy, 50) + ", p99 " + pct(busy, 99)
                            + " (synchronize, tree, T=16, readers=BUSY, lease=" + busy.param("lease") + ")"));
        }
        targets.add(new Target("`synchronize()` ≤ 100 µs with 1,000 active slots",
                "not measured: the suite keeps 2 slots active", Target.Verdict.NO_DATA));
        Target growth = null;
        for (String method : List.of("synchronize", "barrier")) {
            List<JmhResult> tree = results.stream().filter(r -> r.method().equals(method)
                    && r.has("detector", TREE, "lease", "PARTICIPANT", "readers", "PACED"))
                    .sorted(Comparator.comparingInt(r -> Integer.parseInt(r.param("slots")))).toList();
            if (tree.size() < 2 || !tree.get(0).has("slots", "16")) {
                continue;
            }
            JmhResult last = tree.get(tree.size() - 1);
            double ratio = last.primary().score() / tree.get(0).primary().score();
            String reach = last.has("slots", "1048576") ? "" : " (only up to T=" + last.param("slots") + ")";
            growth = Target.atMost("detection cost within 2× from 16 to 1,000,000 leased-then-idle slots", ratio, 2,
                    Units.ratio(ratio) + " (" + method + ", tree, T=16 → " + last.param("slots") + reach + ")");
            break;
        }
        targets.add(growth != null ? growth : new Target(
                "detection cost within 2× from 16 to 1,000,000 leased-then-idle slots", "no result",
                Target.Verdict.NO_DATA));
    }

    private static JmhResult at(List<JmhResult> series, String detector, int slots) {
        return series.stream().filter(r -> r.has("detector", detector, "slots", Integer.toString(slots)))
                .findFirst().orElse(null);
    }

    private static String mean(JmhResult result) {
        return result == null ? "n/a" : Section.withError(result.primary(), 1, "");
    }

    private static String pct(JmhResult result, double percentile) {
        if (result == null) {
            return "n/a";
        }
        Double value = result.primary().percentiles().get(percentile);
        return value == null ? "n/a" : Units.format(value);
    }
}
