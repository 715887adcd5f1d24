package dev.nexus.demo;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * A closing table: one row per strategy, side by side, under a title that says what the rows share
 * (value size, write rate). {@code vs epoch} divides a row's reads/s by the epoch row's.
 */
final class ResultTable {

    private static final String[] HEADER = {"strategy", "seconds", "reads/s", "vs epoch", "writes/s",
        "read mean", "read p99", "retries", "peak pending", "errors"};

    private ResultTable() {
    }

    /**
     * Prints {@code title}, then {@code results} as an aligned table, the first column left-aligned,
     * numbers right.
     */
    static void print(PrintWriter out, String title, List<RunResult> results) {
        double epochReads = results.stream().filter(r -> r.strategy() == Strategy.EPOCH)
                .mapToDouble(RunResult::readsPerSecond).findFirst().orElse(Double.NaN);
        out.println(title);
        String[][] rows = new String[results.size() + 1][];
        rows[0] = HEADER;
        for (int i = 0; i < results.size(); i++) {
            RunResult r = results.get(i);
            rows[i + 1] = new String[] {
                r.strategy().label(),
                String.format(Locale.ROOT, "%.1f", r.seconds()),
                Units.count(r.readsPerSecond()),
                Double.isNaN(epochReads) ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.readsPerSecond() / epochReads),
                Units.count(r.writesPerSecond()),
                Units.nanos(r.meanReadNanos()),
                Units.nanos(r.p99ReadNanos()),
                Units.count(r.retries()),
                Units.bytes(r.peakPendingBytes()),
                Long.toString(r.errors()),
            };
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                if (c == 0) {
                    line.append(row[c]).append(" ".repeat(widths[c] - row[c].length()));
                } else {
                    line.append("  ").append(" ".repeat(widths[c] - row[c].length())).append(row[c]);
                }
            }
            out.println(line);
        }
        out.flush();
    }
}
