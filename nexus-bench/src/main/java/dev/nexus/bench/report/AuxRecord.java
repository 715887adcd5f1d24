package dev.nexus.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of {@code aux.jsonl}: a measurement a benchmark recorded itself, keyed like the JMH result
 * it belongs to. One record per fork.
 *
 * @param benchmark the full benchmark name
 * @param mode JMH's short mode label
 * @param threads benchmark threads
 * @param params parameter name to value
 * @param metric the measurement's name
 * @param value its value (NaN when not finite)
 * @param unit its unit
 */
record AuxRecord(String benchmark, String mode, int threads, Map<String, String> params, String metric,
        double value, String unit) {

    static AuxRecord fromJson(Map<String, Object> json) {
        Map<String, String> params = new LinkedHashMap<>();
        Json.object(json.get("params")).forEach((key, value) -> params.put(key, String.valueOf(value)));
        return new AuxRecord(String.valueOf(json.get("benchmark")), String.valueOf(json.get("mode")),
                (int) Json.number(json.get("threads")), params, String.valueOf(json.get("metric")),
                Json.number(json.get("value")), String.valueOf(json.get("unit")));
    }

    /** Whether this record belongs to {@code result}. */
    boolean belongsTo(JmhResult result) {
        return benchmark.equals(result.benchmark()) && mode.equals(result.mode())
                && threads == result.threads() && params.equals(result.params());
    }
}
