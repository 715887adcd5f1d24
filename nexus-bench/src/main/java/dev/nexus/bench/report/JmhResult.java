package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a JMH JSON result file: a benchmark method with one set of parameters.
 *
 * @param benchmark the full name, {@code package.Class.method}
 * @param mode JMH's short mode label ({@code thrpt}, {@code avgt}, {@code sample}, {@code ss})
 * @param threads benchmark threads (for a group, all of its threads)
 * @param forks forks measured
 * @param params parameter name to value, in JMH's order
 * @param primary the primary metric
 * @param secondary secondary metrics by name (group members, {@code @AuxCounters}, percentiles)
 * @param jdkVersion the forked JVM's {@code java.version}
 * @param vm the forked JVM's name and version
 * @param jvmArgs the forked JVM's arguments
 */
record JmhResult(String benchmark, String mode, int threads, int forks, Map<String, String> params,
        Metric primary, Map<String, Metric> secondary, String jdkVersion, String vm, List<String> jvmArgs) {

    static JmhResult fromJson(Map<String, Object> json) {
        Map<String, String> params = new LinkedHashMap<>();
        Json.object(json.get("params")).forEach((key, value) -> params.put(key, String.valueOf(value)));
        Map<String, Metric> secondary = new LinkedHashMap<>();
        Json.object(json.get("secondaryMetrics")).forEach((key, value) ->
                secondary.put(key, Metric.fromJson(Json.object(value))));
        List<String> jvmArgs = new ArrayList<>();
        Json.array(json.get("jvmArgs")).forEach(arg -> jvmArgs.add(String.valueOf(arg)));
        return new JmhResult(String.valueOf(json.get("benchmark")), String.valueOf(json.get("mode")),
                (int) Json.number(json.get("threads")), (int) Json.number(json.get("forks")), params,
                Metric.fromJson(Json.object(json.get("primaryMetric"))), secondary,
                String.valueOf(json.get("jdkVersion")),
                json.get("vmName") + " " + json.get("vmVersion"), List.copyOf(jvmArgs));
    }

    /** The simple class name, e.g. {@code PinBenchmark}. */
    String className() {
        String withoutMethod = benchmark.substring(0, benchmark.lastIndexOf('.'));
        return withoutMethod.substring(withoutMethod.lastIndexOf('.') + 1);
    }

    /** The method (or group) name, e.g. {@code pooled}. */
    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** A parameter's value, or {@code null}. */
    String param(String name) {
        return params.get(name);
    }

    /** Whether every given name=value pair matches this result's parameters. */
    boolean has(String... nameValuePairs) {
        for (int i = 0; i + 1 < nameValuePairs.length; i += 2) {
            if (!nameValuePairs[i + 1].equals(params.get(nameValuePairs[i]))) {
                return false;
            }
        }
        return true;
    }

    /** A secondary metric, or {@code null}. */
    Metric secondary(String name) {
        return secondary.get(name);
    }

    /** {@code name=value, ...} of the parameters, or {@code -}. */
    String paramsText() {
        if (params.isEmpty()) {
            return "-";
        }
        StringBuilder text = new StringBuilder();
        params.forEach((key, value) -> text.append(text.isEmpty() ? "" : ", ").append(key).append('=').append(value));
        return text.toString();
    }
}
