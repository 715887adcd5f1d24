package dev.nexus.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RatioTest {

    /** Bars apart and errors under 10%: a result, with the range the bars allow. */
    @Test
    void separateTightBarsAreAResult() {
        Ratio ratio = Ratio.of(30, 1, 10, 0.5);
        assertThat(ratio.isResult()).isTrue();
        assertThat(ratio.value()).isEqualTo(3.0);
        assertThat(ratio.low()).isEqualTo(29 / 10.5);
        assertThat(ratio.high()).isEqualTo(31 / 9.5);
        assertThat(ratio.text()).isEqualTo("3.000× (2.762–3.263)");
    }

    /** Overlapping bars are flagged even when each error is small. */
    @Test
    void overlappingBarsAreNotAResult() {
        Ratio ratio = Ratio.of(10.4, 0.5, 10, 0.5);
        assertThat(ratio.overlaps()).isTrue();
        assertThat(ratio.noisy()).isFalse();
        assertThat(ratio.isResult()).isFalse();
        assertThat(ratio.text()).endsWith(", error bars overlap: not a result");
    }

    /** An error of 10% or more of either score is not a result, even with the bars apart. */
    @Test
    void largeErrorIsNotAResult() {
        Ratio ratio = Ratio.of(100, 10, 10, 0.1);
        assertThat(ratio.overlaps()).isFalse();
        assertThat(ratio.noisy()).isTrue();
        assertThat(ratio.text()).endsWith(", error ≥ 10% of a score: not a result");
    }

    /** A score without an error (a single iteration) cannot be a result. */
    @Test
    void missingErrorIsNotAResult() {
        assertThat(Ratio.of(100, Double.NaN, 10, 0.1).isResult()).isFalse();
    }

    /** A missing score gives no ratio at all. */
    @Test
    void missingScoreIsNoData() {
        Ratio ratio = Ratio.of(Double.NaN, Double.NaN, 10, 0.1);
        assertThat(ratio.isResult()).isFalse();
        assertThat(ratio.text()).isEqualTo("n/a");
        assertThat(ratio.flag()).isEqualTo("no data");
    }

    /** A denominator whose bar reaches zero leaves the upper bound unbounded. */
    @Test
    void denominatorBarThroughZeroIsUnbounded() {
        assertThat(Ratio.of(5, 0.1, 1, 1).high()).isInfinite();
    }
}
