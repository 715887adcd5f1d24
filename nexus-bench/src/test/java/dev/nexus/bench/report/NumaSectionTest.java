package dev.nexus.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NumaBenchmark section of the report: ratios per size, and the bandwidth table or its skip. */
class NumaSectionTest {

    private static final String CLASS = "dev.nexus.bench.NumaBenchmark.";

    @TempDir
    Path temp;

    private static String result(String method, String paramName, String paramValue, String secondName,
            String secondValue, double micros) {
        String params = "\"" + paramName + "\":\"" + paramValue + "\""
                + (secondName == null ? "" : ",\"" + secondName + "\":\"" + secondValue + "\"");
        return String.format(Locale.ROOT, """
                {"jmhVersion":"1.37","benchmark":"%s","mode":"avgt","threads":1,"forks":1,"jvm":"java",
                 "jvmArgs":[],"jdkVersion":"25","vmName":"VM","vmVersion":"25","params":{%s},
                 "primaryMetric":{"score":%s,"scoreError":"NaN","scoreConfidence":[0,0],
                 "scorePercentiles":{"0.0":%s,"50.0":%s,"100.0":%s},"scoreUnit":"us/op","rawData":[[%s]]},
                 "secondaryMetrics":{}}""", CLASS + method, params, micros, micros, micros, micros, micros);
    }

    private static String aux(String method, String paramName, String paramValue, String metric, double value) {
        return String.format(Locale.ROOT, "{\"benchmark\":\"%s\",\"mode\":\"avgt\",\"threads\":1,\"params\":{\"%s\":\"%s\"},"
                + "\"metric\":\"%s\",\"value\":%s,\"unit\":\"\"}%n", CLASS + method, paramName, paramValue, metric, value);
    }

    private String render(boolean twoNodes) throws IOException {
        Path dir = Files.createDirectories(temp.resolve("run"));
        List<String> results = new ArrayList<>(List.of(
                result("allocTouchFree", "allocator", "NUMA_ON_NODE", "size", "1048576", 900),
                result("allocTouchFree", "allocator", "NUMA_CACHED", "size", "1048576", 6),
                result("allocTouchFree", "allocator", "MALLOC", "size", "1048576", 3)));
        StringBuilder auxLines = new StringBuilder();
        for (String placement : List.of("LOCAL", "REMOTE", "INTERLEAVED")) {
            double micros = switch (placement) {
                case "LOCAL" -> 10_000;
                case "REMOTE" -> 20_000;
                default -> 15_000;
            };
            results.add(result("readBandwidth", "placement", placement, null, null, twoNodes ? micros : 0.001));
            auxLines.append(aux("readBandwidth", "placement", placement, "skipped", twoNodes ? 0 : 1));
        }
        Files.writeString(dir.resolve("numa.json"), "[" + String.join(",", results) + "]");
        Files.writeString(dir.resolve("aux.jsonl"), auxLines);
        return Report.build(RunData.load(dir), false).markdown();
    }

    /** Each size shows every contender and the ratios to malloc; on one node bandwidth says skipped, no score. */
    @Test
    void oneNode() throws IOException {
        String report = render(false);
        assertThat(report).contains("## NUMA allocation and bandwidth (NumaBenchmark)")
                .contains("| 1 MiB | 900.0 us/op | 6.000 us/op | 3.000 us/op | 300.0× | 2.000× |")
                .contains("**skipped**").doesNotContain("| LOCAL |");
    }

    /** On two nodes the bandwidth table shows GB/s and the time of each placement against LOCAL. */
    @Test
    void twoNodes() throws IOException {
        String report = render(true);
        assertThat(report).doesNotContain("**skipped**")
                .contains("| REMOTE |").contains("2.000×")
                .contains("| LOCAL | n/a | 10,000 us/op | 6.711 | 1.000× |");
    }
}
