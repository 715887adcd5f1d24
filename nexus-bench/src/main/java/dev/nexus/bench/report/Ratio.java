package dev.nexus.bench.report;

/**
 * The ratio of two JMH scores with their 99.9% errors, and whether it is a result: a ratio is quoted
 * only when each error is under {@link #MAX_RELATIVE_ERROR} of its score and the two error bars
 * ({@code score ± error}) do not overlap (DESIGN.md section 7: "the benchmark's 99.9% error under 10% of
 * its score, or the ratio is not quoted"). Overlapping bars mean the run cannot tell which side is
 * ahead, whatever the ratio says.
 *
 * @param value numerator score / denominator score, NaN when either is missing
 * @param low the smallest ratio the error bars allow: (a − ea) / (b + eb)
 * @param high the largest: (a + ea) / (b − eb), infinite when the denominator's bar reaches 0
 * @param overlaps whether the two error bars overlap
 * @param noisy whether either error is at least {@link #MAX_RELATIVE_ERROR} of its score, or missing
 */
record Ratio(double value, double low, double high, boolean overlaps, boolean noisy) {

    /** Largest relative 99.9% error of a quoted score. */
    static final double MAX_RELATIVE_ERROR = 0.10;

    /** The ratio of {@code a} to {@code b} (scores in the same unit), each with its error (NaN if none). */
    static Ratio of(double a, double errorA, double b, double errorB) {
        double value = a / b;
        if (!Double.isFinite(value)) {
            return new Ratio(Double.NaN, Double.NaN, Double.NaN, false, true);
        }
        double ea = Double.isNaN(errorA) ? 0 : errorA;
        double eb = Double.isNaN(errorB) ? 0 : errorB;
        double low = (a - ea) / (b + eb);
        double high = b - eb > 0 ? (a + ea) / (b - eb) : Double.POSITIVE_INFINITY;
        boolean overlaps = a - ea <= b + eb && b - eb <= a + ea;
        boolean noisy = Double.isNaN(errorA) || Double.isNaN(errorB)
                || ea >= MAX_RELATIVE_ERROR * Math.abs(a) || eb >= MAX_RELATIVE_ERROR * Math.abs(b);
        return new Ratio(value, low, high, overlaps, noisy);
    }

    /** Whether the ratio may be quoted: both errors small and the bars apart. */
    boolean isResult() {
        return Double.isFinite(value) && !overlaps && !noisy;
    }

    /** Why it is not a result, or the empty string when it is. */
    String flag() {
        if (!Double.isFinite(value)) {
            return "no data";
        }
        if (overlaps && noisy) {
            return "error bars overlap, error ≥ 10%: not a result";
        }
        if (overlaps) {
            return "error bars overlap: not a result";
        }
        return noisy ? "error ≥ 10% of a score: not a result" : "";
    }

    /** {@code 0.951× (0.90–1.01)}, followed by the flag when it is not a result. */
    String text() {
        if (!Double.isFinite(value)) {
            return "n/a";
        }
        String text = Units.ratio(value) + " (" + Units.format(low) + "–" + Units.format(high) + ")";
        return isResult() ? text : text + ", " + flag();
    }
}
