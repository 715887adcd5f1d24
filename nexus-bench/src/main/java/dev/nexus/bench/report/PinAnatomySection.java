package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code PinAnatomyBenchmark}: the membarrier pin's cost layer by layer, each row with its ratio to the
 * floor of the same run and what it adds over the layer it is built on.
 */
final class PinAnatomySection implements Section {

    /** The layers in report order, each with the layer it adds to ("": none), as the benchmark describes. */
    private static final List<List<String>> LAYERS = List.of(List.of("heapStorePair", ""),
            List.of("heapPinWords", "heapStorePair"), List.of("regionStorePair", "heapStorePair"),
            List.of("regionPinWords", "heapPinWords"), List.of("participant", "regionPinWords"));

    @Override
    public String className() {
        return "PinAnatomyBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "Where a participant's pin goes (PinAnatomyBenchmark)");
        out.paragraph("The membarrier read side's pin+unpin rebuilt one layer at a time, 1 thread: the two "
                + "stores alone on the heap and in the native protocol region, every word the pin touches "
                + "(E, slot, flag, E again, last-reported epoch, slot) on the heap and in the region, then the "
                + "public `Participant` (owner-thread and nesting checks, the guard). `× floor` divides by the "
                + "floor (volatile store + release store, on heap) of the same run. `+ ns` is what a row adds "
                + "to the row it is built on (`over`): the pin's other words on the heap, the same accesses in "
                + "the native region (the memory-segment access checks), then the public API.");
        double floor = results.stream().filter(r -> r.method().equals("floor")).mapToDouble(
                r -> r.primary().nanosPerOp()).findFirst().orElse(Double.NaN);
        List<List<String>> rows = new ArrayList<>();
        for (List<String> layer : LAYERS) {
            JmhResult r = find(results, layer.get(0));
            if (r == null) {
                continue;
            }
            double nanos = r.primary().nanosPerOp();
            JmhResult base = find(results, layer.get(1));
            String added = base == null ? "" : Units.format(nanos - base.primary().nanosPerOp());
            rows.add(List.of(layer.get(0), Section.withError(r.primary(), 1, r.primary().unit()),
                    base == null ? "" : layer.get(1), added, Units.ratio(nanos / floor)));
        }
        JmhResult floorResult = find(results, "floor");
        if (floorResult != null) {
            rows.add(List.of("floor", Section.withError(floorResult.primary(), 1, floorResult.primary().unit()), "",
                    "", "1.00×"));
        }
        out.table(List.of("layer", "time/op", "over", "+ ns", "× floor"), rows);
    }

    private static JmhResult find(List<JmhResult> results, String method) {
        return results.stream().filter(r -> r.method().equals(method)).findFirst().orElse(null);
    }
}
