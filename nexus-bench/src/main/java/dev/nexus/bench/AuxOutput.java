package dev.nexus.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Measurements that JMH cannot aggregate itself (a peak, a latency percentile), recorded per fork
 * beside the JMH results. Each record is printed as a {@code # nexus-bench:} line in the JMH log and,
 * when the environment variable {@value #OUT_ENV} names a directory (scripts/bench sets it), appended
 * to {@code aux.jsonl} there as one JSON object a line, keyed like the JMH JSON result it belongs to
 * (benchmark, mode, threads, params), so that the report can join the two.
 */
final class AuxOutput {

    /** Environment variable naming the results directory; read here and nowhere else. */
    static final String OUT_ENV = "NEXUS_BENCH_OUT";

    /** The file, in that directory, that collects the records. */
    static final String FILE = "aux.jsonl";

    private AuxOutput() {
    }

    /**
     * Records one measurement of the benchmark {@code params} describes.
     *
     * @param params the running benchmark (JMH injects it into {@code @Setup}/{@code @TearDown})
     * @param metric the measurement's name, e.g. {@code peakPendingBytes}
     * @param value its value
     * @param unit its unit, e.g. {@code B} or {@code us}
     */
    static synchronized void record(BenchmarkParams params, String metric, double value, String unit) {
        StringBuilder json = new StringBuilder(256);
        json.append("{\"benchmark\":").append(quote(params.getBenchmark()))
                .append(",\"mode\":").append(quote(params.getMode().shortLabel()))
                .append(",\"threads\":").append(params.getThreads())
                .append(",\"params\":{");
        StringBuilder human = new StringBuilder();
        boolean first = true;
        for (String key : params.getParamsKeys()) {
            json.append(first ? "" : ",").append(quote(key)).append(':').append(quote(params.getParam(key)));
            human.append(first ? "" : ", ").append(key).append('=').append(params.getParam(key));
            first = false;
        }
        String number = Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : "null";
        json.append("},\"metric\":").append(quote(metric)).append(",\"value\":").append(number)
                .append(",\"unit\":").append(quote(unit)).append("}\n");
        System.out.printf(Locale.ROOT, "# nexus-bench: %s (%s) %s = %s %s%n",
                params.getBenchmark(), human, metric, number, unit);
        String dir = System.getenv(OUT_ENV);
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(dir, FILE), json, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + Path.of(dir, FILE) + " (" + OUT_ENV + ")", e);
        }
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
