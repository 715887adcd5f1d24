package dev.nexus.demo;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The closing table: one row per strategy, side by side. */
final class ResultTable {

    private static final String[] HEADER = {"strategy", "seconds", "reads/s", "writes/s", "read mean",
        "read p99", "retries", "peak pending", "errors"};

    private ResultTable() {
    }

    /** Prints {@code results} as an aligned table, the first column left-aligned, numbers right. */
    static void print(PrintWriter out, List<RunResult> results) {
        String[][] rows = new String[results.size() + 1][];
        rows[0] = HEADER;
        for (int i = 0; i < results.size(); i++) {
            RunResult r = results.get(i);
            rows[i + 1] = new String[] {
                r.strategy().label(),
                String.format(Locale.ROOT, "%.1f", r.seconds()),
                Units.count(r.readsPerSecond()),
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
