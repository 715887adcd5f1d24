package dev.nexus.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricTest {

    /** Samples give their mean and JMH's 99.9% error: t(0.9995, n-1) times the standard error. */
    @Test
    void samplesGiveMeanAndStudentError() {
        Metric metric = Metric.ofSamples(List.of(10.0, 12.0, 11.0, 13.0, 9.0), "ns");
        assertThat(metric.score()).isEqualTo(11.0);
        // s = sqrt(10 / 4), t(0.9995, 4) = 8.610
        assertThat(metric.error()).isCloseTo(8.610 * Math.sqrt(2.5 / 5), within(0.01));
        assertThat(metric.unit()).isEqualTo("ns");
    }

    /** One sample has no error, none has no score. */
    @Test
    void tooFewSamples() {
        assertThat(Metric.ofSamples(List.of(4.0), "ns").error()).isNaN();
        assertThat(Metric.ofSamples(List.of(4.0), "ns").score()).isEqualTo(4.0);
        assertThat(Metric.ofSamples(List.of(), "ns").score()).isNaN();
    }
}
