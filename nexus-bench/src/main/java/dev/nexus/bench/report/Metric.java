package dev.nexus.bench.report;

import java.util.Map;
import java.util.TreeMap;

/**
 * One JMH metric: score, error (half-width of the 99.9% confidence interval; NaN with fewer than two
 * iterations), unit and percentiles (of the iteration scores, or of the samples in sample-time mode).
 *
 * @param score the score
 * @param error the error, NaN when JMH has none
 * @param unit the unit, e.g. {@code ns/op}
 * @param percentiles percentile (0-100) to value
 */
record Metric(double score, double error, String unit, Map<Double, Double> percentiles) {

    static Metric fromJson(Map<String, Object> json) {
        Map<Double, Double> percentiles = new TreeMap<>();
        Json.object(json.get("scorePercentiles")).forEach((key, value) -> {
            try {
                percentiles.put(Double.parseDouble(key), Json.number(value));
            } catch (NumberFormatException ignored) {
                // not a percentile key: skip
            }
        });
        Object unit = json.get("scoreUnit");
        return new Metric(Json.number(json.get("score")), Json.number(json.get("scoreError")),
                unit == null ? "" : unit.toString(), percentiles);
    }

    /** The median (percentile 50), or the score when JMH gave no percentiles. */
    double median() {
        Double median = percentiles.get(50.0);
        return median == null ? score : median;
    }

    /** This metric's score as nanoseconds per operation, whatever its unit; NaN for other units. */
    double nanosPerOp() {
        return Units.nanosPerOp(score, unit);
    }

    /** This metric's score as operations per second, whatever its unit; NaN for other units. */
    double opsPerSecond() {
        return Units.opsPerSecond(score, unit);
    }
}
