package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ArrowHandoffBenchmark}: handing a batch to Arrow Java and summing a column, through the C Data
 * Interface (no copy), an Arrow IPC stream written and read back, and a bulk copy into Arrow vectors;
 * each contender's time and its ratio to the C Data hand-off, per batch size.
 */
final class ArrowSection implements Section {

    private static final List<String> CONTENDERS = List.of("C_DATA", "IPC_STREAM", "COPY_VECTORS", "SUM_ONLY");

    @Override
    public String className() {
        return "ArrowHandoffBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "Hand-off to Arrow Java (ArrowHandoffBenchmark)");
        out.paragraph("One hand-off of a batch of (int64, float64, utf8) rows to Arrow Java plus the sum of the "
                + "float64 column there. `C_DATA`: nexus-zerocopy's `ArrowExport.exportBatch` and Arrow's "
                + "`Data.importVectorSchemaRoot`, which reads the batch's buffers in place; `IPC_STREAM`: Arrow "
                + "vectors written as an Arrow IPC stream into memory and read back; `COPY_VECTORS`: a bulk copy "
                + "of every buffer into new Arrow vectors; `SUM_ONLY`: the baseline, the sum over vectors that "
                + "already hold the data (no hand-off). The sum is the same loop in all. Ratio: the contender's "
                + "time over `C_DATA`'s. Hand-off: the contender's time minus `SUM_ONLY`'s, and its ratio to "
                + "`C_DATA`'s hand-off (noisy when the hand-off is small next to the sum).");
        List<List<String>> rows = new ArrayList<>();
        for (String size : results.stream().map(r -> r.param("rows")).distinct().toList()) {
            double base = score(find(results, size, "C_DATA"));
            double floor = score(find(results, size, "SUM_ONLY"));
            for (String contender : CONTENDERS) {
                JmhResult result = find(results, size, contender);
                if (result == null) {
                    continue;
                }
                double handOff = result.primary().score() - floor;
                rows.add(List.of(size, contender, Section.withError(result.primary(), 1, result.primary().unit()),
                        Units.ratio(result.primary().score() / base),
                        contender.equals("SUM_ONLY") ? "" : Units.format(handOff) + " " + result.primary().unit(),
                        contender.equals("SUM_ONLY") ? "" : Units.ratio(handOff / (base - floor))));
            }
        }
        out.table(List.of("rows", "contender", "time", "ratio to C_DATA", "hand-off", "hand-off ratio"), rows);
    }

    private static double score(JmhResult result) {
        return result == null ? Double.NaN : result.primary().score();
    }

    private static JmhResult find(List<JmhResult> results, String rows, String contender) {
        return results.stream().filter(r -> r.has("rows", rows, "contender", contender)).findFirst().orElse(null);
    }
}
