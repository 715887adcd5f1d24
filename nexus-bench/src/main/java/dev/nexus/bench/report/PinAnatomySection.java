package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code PinAnatomyBenchmark}: the membarrier pin's cost layer by layer, each row with its ratio to the
 * floor of the same run and what it adds over the row before.
 */
final class PinAnatomySection implements Section {

    /** The layers, cheapest first, as the benchmark's Javadoc describes them. */
    private static final List<String> LAYERS = List.of("heapStorePair", "regionStorePair", "heapPinWords",
            "regionPinWords", "participant");

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
                + "public `Participant` (owner-thread and nesting checks, the guard). `+ ns` is what the row "
                + "adds to the one above it; `× floor` divides by the floor (volatile store + release store, on "
                + "heap) of the same run. The gap between a heap row and its region row is the price of the "
                + "memory-segment access checks.");
        double floor = results.stream().filter(r -> r.method().equals("floor")).mapToDouble(
                r -> r.primary().nanosPerOp()).findFirst().orElse(Double.NaN);
        List<List<String>> rows = new ArrayList<>();
        double previous = Double.NaN;
        for (String layer : LAYERS) {
            JmhResult r = results.stream().filter(x -> x.method().equals(layer)).findFirst().orElse(null);
            if (r == null) {
                continue;
            }
            double nanos = r.primary().nanosPerOp();
            rows.add(List.of(layer, Section.withError(r.primary(), 1, r.primary().unit()),
                    Double.isNaN(previous) ? "" : Units.format(nanos - previous), Units.ratio(nanos / floor)));
            previous = nanos;
        }
        results.stream().filter(r -> r.method().equals("floor")).findFirst().ifPresent(r -> rows.add(List.of(
                "floor", Section.withError(r.primary(), 1, r.primary().unit()), "", "1.00×")));
        out.table(List.of("layer", "time/op", "+ ns", "× floor"), rows);
    }
}
