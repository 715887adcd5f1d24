package dev.nexus.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReportMainTest {

    private static final String PKG = "dev.nexus.bench.";

    @TempDir
    Path temp;

    /** One JMH JSON entry; {@code params} alternate name and value; secondaries are name, score, unit. */
    private static String result(String benchmark, String mode, int threads, String[] params, double score,
            String unit, Object... secondaries) {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < params.length; i += 2) {
            p.append(i == 0 ? "" : ",").append('"').append(params[i]).append("\":\"").append(params[i + 1]).append('"');
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < secondaries.length; i += 3) {
            s.append(i == 0 ? "" : ",").append('"').append(secondaries[i]).append("\":")
                    .append(metric((Double) secondaries[i + 1], (String) secondaries[i + 2]));
        }
        return String.format(Locale.ROOT, """
                {"jmhVersion":"1.37","benchmark":"%s","mode":"%s","threads":%d,"forks":1,"jvm":"java",
                 "jvmArgs":["--enable-native-access=ALL-UNNAMED"],"jdkVersion":"25","vmName":"VM","vmVersion":"25",
                 "params":{%s},"primaryMetric":%s,"secondaryMetrics":{%s}}""",
                PKG + benchmark, mode, threads, p, metric(score, unit), s);
    }

    private static String metric(double score, String unit) {
        return String.format(Locale.ROOT, """
                {"score":%s,"scoreError":%s,"scoreConfidence":[0,0],
                 "scorePercentiles":{"0.0":%s,"50.0":%s,"99.0":%s,"100.0":%s},"scoreUnit":"%s","rawData":[[%s]]}""",
                score, score / 10, score, score, score * 2, score * 3, unit, score);
    }

    /** A {@code ReadMostlyMapBenchmark} group result, 64-byte values and one read per op, with its read error. */
    private static String mapResult(String group, String contender, double reads, double error) {
        String json = result("ReadMostlyMapBenchmark." + group, "thrpt", group.equals("oneReader") ? 2 : 3,
                p("contender", contender, "writesPerSecond", "1000", "keys", "1024", "valueBytes", "64",
                        "readsPerOp", "1"),
                reads, "ops/us", group + "Read", reads, "ops/us", group + "Write", 0.001, "ops/us",
                "readRetries", 0.0, "#");
        // the helper gives every metric an error of a tenth of its score: set the read's own
        String read = "\"" + group + "Read\":{\"score\":" + reads + ",\"scoreError\":" + reads / 10;
        return json.replace(read, "\"" + group + "Read\":{\"score\":" + reads + ",\"scoreError\":" + error);
    }

    /** One reader's CPU time per read in one measurement iteration of the one-reader group, 64 B, 1 read/op. */
    private static String cpuRecord(String contender, double nanos) {
        return "{\"benchmark\":\"" + PKG + "ReadMostlyMapBenchmark.oneReader\",\"mode\":\"thrpt\",\"threads\":2,"
                + "\"params\":{\"contender\":\"" + contender + "\",\"writesPerSecond\":\"1000\",\"keys\":\"1024\","
                + "\"valueBytes\":\"64\",\"readsPerOp\":\"1\"},\"metric\":\"cpuNanosPerRead\",\"value\":" + nanos
                + ",\"unit\":\"ns\"}";
    }

    private static String[] p(String... params) {
        return params;
    }

    private Path fixture() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("2026-11-22-quick"));
        List<String> pin = List.of(
                result("PinBenchmark.floor", "avgt", 1, p(), 2.5, "ns/op"),
                result("PinBenchmark.participant", "avgt", 1, p("detector", "QUIESCENCE_TREE", "neighbours", "IDLE"),
                        2.7, "ns/op"),
                result("PinBenchmark.participant", "avgt", 1, p("detector", "QUIESCENCE_TREE", "neighbours", "NONE"),
                        2.9, "ns/op"),
                result("PinBenchmark.pooled", "avgt", 1, p("detector", "QUIESCENCE_TREE", "neighbours", "IDLE"),
                        5.0, "ns/op"),
                result("PinBenchmark.nested", "avgt", 1, p("detector", "QUIESCENCE_TREE"), 0.8, "ns/op"),
                result("PinBenchmark.refcount", "avgt", 1, p(), 20, "ns/op"));
        Files.writeString(dir.resolve("pin-t1.json"), "[" + String.join(",", pin) + "]");
        List<String> detection = new ArrayList<>();
        for (String detector : List.of("QUIESCENCE_TREE", "FLAT_SCAN")) {
            for (int slots : new int[] {16, 256, 4096, 65536}) {
                double micros = detector.equals("FLAT_SCAN") ? 5 + slots * 0.004 : 5 + Math.log(slots);
                detection.add(result("DetectionScalingBenchmark.barrier", "sample", 1,
                        p("detector", detector, "lease", "PARTICIPANT", "readers", "PACED", "slots", "" + slots),
                        micros, "us/op"));
            }
        }
        Files.writeString(dir.resolve("detection.json"), "[" + String.join(",", detection) + "]");
        List<String> map = List.of(
                // one reader: NEXUS_TREE 39 ± 1 vs LEAKY 41 ± 0.5 (bars apart) and REFCOUNT 9 ± 0.2
                mapResult("oneReader", "NEXUS_TREE", 39.0, 1.0),
                mapResult("oneReader", "LEAKY", 41.0, 0.5),
                mapResult("oneReader", "REFCOUNT", 9.0, 0.2),
                // two readers: NEXUS_TREE 20 ± 5 overlaps REFCOUNT 12 ± 4 (and both errors exceed 10%)
                mapResult("twoReaders", "NEXUS_TREE", 20.0, 5.0),
                mapResult("twoReaders", "LEAKY", 80.0, 1.0),
                mapResult("twoReaders", "REFCOUNT", 12.0, 4.0));
        Files.writeString(dir.resolve("map.json"), "[" + String.join(",", map) + "]");
        List<String> reclaim = List.of(
                result("ReclaimBenchmark.mallocFree", "thrpt", 1, p(), 40e6, "ops/s"),
                result("ReclaimBenchmark.retire", "thrpt", 1,
                        p("detectDoubleRetire", "ON", "idleThreads", "0", "reclaim", "INLINE"), 20e6, "ops/s"),
                result("ReclaimBenchmark.arenaShared", "thrpt", 1, p("idleThreads", "0"), 10e3, "ops/s"),
                result("ReclaimBenchmark.retireLatency", "thrpt", 1, p("reclaim", "INLINE"), 10e6, "ops/s"));
        Files.writeString(dir.resolve("reclaim.json"), "[" + String.join(",", reclaim) + "]");
        List<String> allocator = List.of(
                result("AllocatorBenchmark.mallocFree", "avgt", 1, p("allocator", "UNCHECKED"), 20, "ns/op"),
                result("AllocatorBenchmark.mallocFree", "avgt", 1, p("allocator", "VALIDATED"), 28, "ns/op"),
                result("AllocatorBenchmark.mallocFreeBatch", "avgt", 1, p("allocator", "UNCHECKED"), 30, "ns/op"),
                result("AllocatorBenchmark.mallocFreeBatch", "avgt", 1, p("allocator", "VALIDATED"), 42, "ns/op"),
                result("AllocatorBenchmark.retireFree", "avgt", 1, p("validation", "OFF"), 60, "ns/op"),
                result("AllocatorBenchmark.retireFree", "avgt", 1, p("validation", "ON"), 90, "ns/op"));
        Files.writeString(dir.resolve("allocator.json"), "[" + String.join(",", allocator) + "]");
        Files.writeString(dir.resolve("aux.jsonl"), String.join("\n",
                "{\"benchmark\":\"" + PKG + "ReadMostlyMapBenchmark.oneReader\",\"mode\":\"thrpt\",\"threads\":2,"
                        + "\"params\":{\"contender\":\"NEXUS_TREE\",\"writesPerSecond\":\"1000\",\"keys\":\"1024\","
                        + "\"valueBytes\":\"64\",\"readsPerOp\":\"1\"},"
                        + "\"metric\":\"peakPendingBytes\",\"value\":2048,\"unit\":\"B\"}",
                cpuRecord("NEXUS_TREE", 20.0), cpuRecord("NEXUS_TREE", 21.0), cpuRecord("NEXUS_TREE", 19.0),
                cpuRecord("LEAKY", 18.0), cpuRecord("LEAKY", 18.5), cpuRecord("LEAKY", 17.5),
                "{\"benchmark\":\"" + PKG + "ReclaimBenchmark.retireLatency\",\"mode\":\"thrpt\",\"threads\":1,"
                        + "\"params\":{\"reclaim\":\"INLINE\"},\"metric\":\"retireToFree.p50\",\"value\":12.5,\"unit\":\"us\"}",
                "{\"benchmark\":\"" + PKG + "ReclaimBenchmark.retireLatency\",\"mode\":\"thrpt\",\"threads\":1,"
                        + "\"params\":{\"reclaim\":\"INLINE\"},\"metric\":\"retireToFree.max\",\"value\":900,\"unit\":\"us\"}",
                ""));
        Files.writeString(dir.resolve("detection.log"), """
                # Benchmark: dev.nexus.bench.DetectionScalingBenchmark.synchronize
                # Parameters: (detector = FLAT_SCAN, slots = 16)
                # Warmup Iteration   1: <failure>

                java.lang.IllegalStateException: synchronize() did not return
                \tat dev.nexus.bench.DetectionScalingBenchmark.probeSynchronize(X.java:1)
                """.replace("# Warmup Iteration   1: <failure>", "<failure>"));
        Files.writeString(dir.resolve(RunData.RUN_FILE), """
                mode=quick
                command=scripts/bench --quick
                cpu=Test CPU 9000
                cores=2
                commit=abc1234
                date=2026-11-22T10:00:00Z
                """);
        return dir;
    }

    /** render writes report.md with targets, ratios, fits, failures and PNG charts. */
    @Test
    void rendersReportAndCharts() throws IOException {
        Path dir = fixture();
        int status = new CommandLine(new ReportMain()).execute("render", dir.toString());
        assertThat(status).isZero();
        String report = Files.readString(dir.resolve("report.md"), StandardCharsets.UTF_8);
        assertThat(report)
                .contains("CPU: Test CPU 9000; 2 cores")
                .contains("`scripts/bench --quick`")
                .contains("| pin+unpin through a `Participant` ≤ 0.5× the floor | 1.160×: 2.700 ns (beside an idle"
                        + " slot), 2.900 ns (alone), floor 2.500 ns (PinBenchmark.participant, tree, 1 thread; the"
                        + " worse one counts) | missed |")
                .contains("| pin+unpin through `domain.pin()` ≤ 1.0× the floor | 2.000×: worst 5.000 ns, floor 2.500 ns"
                        + " (PinBenchmark.pooled, tree, 1 thread, both read sides) | missed |")
                .contains("| each nested pin ≤ 0.3× the floor | 0.320×: nested 0.800 ns, floor 2.500 ns")
                .contains("| no allocation per pin through `domain.pin()` | not measured (the run had no -prof gc) |")
                .contains("| 64 | 1 | NEXUS_TREE | 39.00 ± 1.000 | 0.951× (0.916–0.988) | 4.333× (4.130–4.545) |")
                .contains("| 64 | 1 | LEAKY | 41.00 ± 0.500 | baseline | 4.556× (4.402–4.716) |")
                .contains("| read-mostly map, reader throughput ≥ 0.9× the leaky bound (one reader, writer 1000/s,"
                        + " 64-byte values) | 0.951× (0.916–0.988) (NEXUS_TREE 39.00 ± 1.000 vs LEAKY 41.00 ± 0.500"
                        + " ops/µs) | met |")
                .contains("| 64 | 1 | NEXUS_TREE | 20.00 ± 5.000 | 0.250× (0.185–0.316), error ≥ 10% of a"
                        + " score: not a result | 1.667× (0.938–3.125), error bars overlap, error ≥ 10%: not a result |")
                .contains("≥ 2× a reference count (two readers, writer 1000/s, 64-byte values) | 1.667×")
                .contains("| not a result |")
                // CPU time per read: 20 ± 12.4 ns (t(0.9995, 2) = 31.6) against 18 ± 6.2: overlapping bars
                .contains("| read-mostly map, reader CPU time per read ≥ 0.9× the leaky bound's speed (one reader,"
                        + " writer 1000/s, 64-byte values) | 0.900×")
                .contains("CPU ns/read) | not a result |")
                .contains("2 KiB")
                // retire at 50 ns/op minus mallocFree at 25 ns/op: 25 ns without the allocator; arena 100 µs
                .contains("| retire+free ≤ 35 ns amortized per segment, excluding the allocator | 25.00 ns")
                .contains("4,000× (arenaShared 100,000 ns vs 25.00 ns) | met")
                .contains("| reclaim=INLINE | 12.50 |")
                // the worse pair counts (batch: 42 - 30 = 12 ns); retireFree (+30 ns) is shown, not a pair
                .contains("| validated malloc+free ≤ 15 ns per pair over unchecked malloc+free | 12.00 ns"
                        + " (AllocatorBenchmark.mallocFreeBatch allocator=VALIDATED: 42.00 ns vs 30.00 ns, 1.400×;"
                        + " the worst row counts) | met |")
                .contains("| retireFree | validation=ON | 90.00 ± 9.000 ns/op | 90.00 | 30.00 |")
                .contains("QUIESCENCE_TREE: a + b·log2(T)")
                .contains("better: a + b·log2(T)")
                .contains("FLAT_SCAN: a + b·log2(T)")
                .contains("better: a + b·T")
                .contains("detection cost within 2× from 16 to 1,000,000 leased-then-idle slots | ")
                .contains("(only up to T=65536)")
                .contains("| DetectionScalingBenchmark.synchronize | (detector = FLAT_SCAN, slots = 16) |"
                        + " java.lang.IllegalStateException: synchronize() did not return | detection.log |");
        for (String chart : List.of("pin.png", "map-throughput.png", "retire-latency.png",
                "detection-barrier-participant-paced.png")) {
            byte[] png = Files.readAllBytes(dir.resolve(chart));
            assertThat(png).as(chart).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
    }

    /** readme replaces the marked section of README.md with the newest non-smoke run's targets. */
    @Test
    void readmeUpdatesTheMarkedSection() throws IOException {
        Path run = fixture();
        Files.createDirectories(temp.resolve("2026-11-23-smoke"));
        Files.writeString(temp.resolve("2026-11-23-smoke").resolve("report.md"), "smoke");
        new CommandLine(new ReportMain()).execute("render", run.toString());
        Path readme = temp.resolve("README.md");
        Files.writeString(readme, "# Nexus\n<!-- bench:begin -->\nold\n<!-- bench:end -->\ntail\n");
        int status = new CommandLine(new ReportMain()).execute("readme", "--results", temp.toString(),
                "--readme", readme.toString());
        assertThat(status).isZero();
        String text = Files.readString(readme);
        assertThat(text).startsWith("# Nexus\n<!-- bench:begin -->\nMeasured with `scripts/bench --quick`")
                .contains("[2026-11-22-quick/report.md](2026-11-22-quick/report.md)")
                .contains("Test CPU 9000")
                .contains("| target (DESIGN.md §7) | measured | verdict |")
                .endsWith("<!-- bench:end -->\ntail\n")
                .doesNotContain("old");
    }

    /** readme fails, and leaves the file alone, when the markers are missing. */
    @Test
    void readmeWithoutMarkersFails() throws IOException {
        Path run = fixture();
        Path readme = temp.resolve("README.md");
        Files.writeString(readme, "# Nexus\nno markers\n");
        int status = new CommandLine(new ReportMain()).execute("readme", "--dir", run.toString(),
                "--readme", readme.toString());
        assertThat(status).isEqualTo(1);
        assertThat(Files.readString(readme)).isEqualTo("# Nexus\nno markers\n");
    }
}
