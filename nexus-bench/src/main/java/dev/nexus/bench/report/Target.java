package dev.nexus.bench.report;

/**
 * One target of DESIGN.md section 7, checked against a run.
 *
 * @param goal the target as DESIGN.md states it
 * @param measured what the run measured, with the benchmark that measured it
 * @param verdict whether the run meets it
 */
record Target(String goal, String measured, Verdict verdict) {

    /** The outcome of a check. */
    enum Verdict {
        /** The measurement meets the target. */
        MET("met"),
        /** The measurement misses the target. */
        MISSED("missed"),
        /** The run has no measurement for it (not run, or failed). */
        NO_DATA("no data"),
        /** A ratio whose errors are too large or whose error bars overlap: the run cannot decide. */
        NOT_A_RESULT("not a result");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** A target met when {@code value <= limit}, NO_DATA when value is NaN. */
    static Target atMost(String goal, double value, double limit, String measured) {
        return new Target(goal, measured, Double.isNaN(value) ? Verdict.NO_DATA
                : value <= limit ? Verdict.MET : Verdict.MISSED);
    }

    /**
     * A target on a ratio of two scores: NO_DATA without one, NOT_A_RESULT when {@link Ratio#isResult()}
     * is false, else met when the ratio is {@code >= limit}.
     */
    static Target atLeast(String goal, Ratio ratio, double limit, String measured) {
        if (!Double.isFinite(ratio.value())) {
            return new Target(goal, measured, Verdict.NO_DATA);
        }
        if (!ratio.isResult()) {
            return new Target(goal, measured, Verdict.NOT_A_RESULT);
        }
        return new Target(goal, measured, ratio.value() >= limit ? Verdict.MET : Verdict.MISSED);
    }

    /** A target met when {@code value >= limit}, NO_DATA when value is NaN. */
    static Target atLeast(String goal, double value, double limit, String measured) {
        return new Target(goal, measured, Double.isNaN(value) ? Verdict.NO_DATA
                : value >= limit ? Verdict.MET : Verdict.MISSED);
    }
}
