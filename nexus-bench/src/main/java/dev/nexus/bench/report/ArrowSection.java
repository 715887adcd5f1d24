package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ArrowHandoffBenchmark}: handing a batch to Arrow Java and summing a column, through the C Data
 * Interface (no copy), an Arrow IPC stream written and read back, and a bulk copy into Arrow vectors;
 * each contender's time and its ratio to the C Data hand-off, per batch size.
 */
final class ArrowSection implements Section {

    private static final List<String> CONTENDERS = List.of("C_DATA", "IPC_STREAM", "COPY_VECTORS");

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
                + "of every buffer into new Arrow vectors. The sum is the same loop in all three. Ratio: the "
                + "contender's time over `C_DATA`'s (above 1: slower than the C Data hand-off).");
        List<List<String>> rows = new ArrayList<>();
        for (String size : results.stream().map(r -> r.param("rows")).distinct().toList()) {
            JmhResult base = find(results, size, "C_DATA");
            for (String contender : CONTENDERS) {
                JmhResult result = find(results, size, contender);
                if (result == null) {
                    continue;
                }
                double ratio = base == null ? Double.NaN : result.primary().score() / base.primary().score();
                rows.add(List.of(size, contender, Section.withError(result.primary(), 1, result.primary().unit()),
                        Units.ratio(ratio)));
            }
        }
        out.table(List.of("rows", "contender", "time", "ratio to C_DATA"), rows);
    }

    private static JmhResult find(List<JmhResult> results, String rows, String contender) {
        return results.stream().filter(r -> r.has("rows", rows, "contender", contender)).findFirst().orElse(null);
    }
}
