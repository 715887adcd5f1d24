package dev.nexus.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FitTest {

    private static List<double[]> points(java.util.function.DoubleUnaryOperator f, double... xs) {
        List<double[]> points = new ArrayList<>();
        for (double x : xs) {
            points.add(new double[] {x, f.applyAsDouble(x)});
        }
        return points;
    }

    /** Data on a + b·log2(T) is fitted exactly by the logarithmic model, which is chosen. */
    @Test
    void logarithmicDataPicksTheLogarithmicModel() {
        List<double[]> data = points(t -> 3 + 2 * Math.log(t) / Math.log(2), 16, 256, 4096, 65536, 1048576);
        Fit log = Fit.logarithmic(data);
        assertThat(log.a()).isCloseTo(3, within(1e-9));
        assertThat(log.b()).isCloseTo(2, within(1e-9));
        assertThat(log.r2()).isCloseTo(1, within(1e-12));
        assertThat(Fit.best(data).model()).isEqualTo(Fit.LOG);
        assertThat(log.at(1024)).isCloseTo(23, within(1e-9));
    }

    /** Data on a + b·T is fitted exactly by the linear model, which is chosen. */
    @Test
    void linearDataPicksTheLinearModel() {
        List<double[]> data = points(t -> 5 + 0.01 * t, 16, 256, 4096, 65536);
        Fit linear = Fit.linear(data);
        assertThat(linear.b()).isCloseTo(0.01, within(1e-12));
        assertThat(linear.r2()).isCloseTo(1, within(1e-12));
        assertThat(Fit.best(data).model()).isEqualTo(Fit.LINEAR);
        assertThat(Fit.logarithmic(data).r2()).isLessThan(1);
    }

    /** Fewer than two distinct points give no fit; constant data fits with R² = 1. */
    @Test
    void degenerateInputs() {
        assertThat(Fit.best(points(t -> 1, 16))).isNull();
        assertThat(Fit.linear(List.of(new double[] {4, 1}, new double[] {4, 2}))).isNull();
        assertThat(Fit.linear(points(t -> 7, 1, 2, 3)).r2()).isEqualTo(1);
    }
}
