package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.List;

/** {@code AllocatorBenchmark}: what validated frees cost over plain malloc/free, same run. */
final class AllocatorSection implements Section {

    /** Issue 10: validation may add at most this much per allocate+free pair. */
    static final double LIMIT_NANOS = 15;

    @Override
    public String className() {
        return "AllocatorBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "Validated frees (AllocatorBenchmark)");
        out.paragraph("One thread, 64-byte segments, ns per segment. `NativeAllocator.malloc()` records every "
                + "allocation in an off-heap table and checks every free and retire against it; "
                + "`mallocUnchecked()` is the plain malloc/free baseline, run in the same JVM. `added` is the "
                + "row minus its baseline (`UNCHECKED`, or `validation=OFF` for `retireFree`).");
        List<List<String>> rows = new ArrayList<>();
        double worst = Double.NaN;
        String worstWhere = "no result";
        for (JmhResult result : results) {
            double nanos = result.primary().nanosPerOp();
            JmhResult base = baseline(results, result);
            double added = base == null || base == result ? Double.NaN : nanos - base.primary().nanosPerOp();
            boolean pair = result.method().startsWith("mallocFree"); // the target is per allocate+free pair
            if (pair && !Double.isNaN(added) && (Double.isNaN(worst) || added > worst)) {
                worst = added;
                worstWhere = "(AllocatorBenchmark." + result.method() + " " + result.paramsText() + ": "
                        + Units.format(nanos) + " ns vs " + Units.format(base.primary().nanosPerOp()) + " ns, "
                        + Units.ratio(nanos / base.primary().nanosPerOp()) + "; the worst row counts)";
            }
            rows.add(List.of(result.method(), result.paramsText(), Section.withError(result.primary(), 1,
                    result.primary().unit()), Units.format(nanos), Units.format(added)));
        }
        out.table(List.of("benchmark", "params", "score", "ns/segment", "added, ns"), rows);
        targets.add(Target.atMost("validated malloc+free ≤ 15 ns per pair over unchecked malloc+free", worst,
                LIMIT_NANOS, Units.format(worst) + " ns " + worstWhere));
    }

    /** The unvalidated row of the same benchmark method, or null. */
    private static JmhResult baseline(List<JmhResult> results, JmhResult result) {
        return results.stream().filter(r -> r.method().equals(result.method())
                && (r.has("allocator", "UNCHECKED") || r.has("validation", "OFF"))).findFirst().orElse(null);
    }
}
