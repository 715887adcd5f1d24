package dev.nexus.bench.report;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.TDistribution;

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

    /**
     * The mean of {@code samples} with the half-width of its 99.9% confidence interval, computed as JMH
     * computes a score's error (Student's t with n − 1 degrees of freedom); NaN score without samples,
     * NaN error with fewer than two.
     */
    static Metric ofSamples(List<Double> samples, String unit) {
        int n = samples.size();
        double mean = samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (n < 2) {
            return new Metric(mean, Double.NaN, unit, Map.of());
        }
        double squares = samples.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double t = new TDistribution(n - 1).inverseCumulativeProbability(0.9995);
        return new Metric(mean, t * Math.sqrt(squares / (n - 1) / n), unit, Map.of());
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
