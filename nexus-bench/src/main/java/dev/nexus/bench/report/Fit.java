package dev.nexus.bench.report;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * A least-squares fit of {@code y = a + b·f(x)} for a fixed transform {@code f}, with its coefficient
 * of determination R² (1 for a perfect fit; can be negative for a fit worse than the mean).
 *
 * @param model the model's name, e.g. {@code a + b·log2(T)}
 * @param a the intercept
 * @param b the slope on {@code f(x)}
 * @param r2 the coefficient of determination
 * @param transform {@code f}
 */
record Fit(String model, double a, double b, double r2, DoubleUnaryOperator transform) {

    /** {@code y = a + b·log2(T)}. */
    static final String LOG = "a + b·log2(T)";
    /** {@code y = a + b·T}. */
    static final String LINEAR = "a + b·T";

    /**
     * Fits {@code y = a + b·f(x)}; needs at least two points with distinct {@code f(x)}.
     *
     * @return the fit, or {@code null} when there are too few points
     */
    static Fit of(String model, DoubleUnaryOperator transform, List<double[]> points) {
        int n = points.size();
        if (n < 2) {
            return null;
        }
        double sx = 0;
        double sy = 0;
        for (double[] p : points) {
            sx += transform.applyAsDouble(p[0]);
            sy += p[1];
        }
        double mx = sx / n;
        double my = sy / n;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (double[] p : points) {
            double dx = transform.applyAsDouble(p[0]) - mx;
            double dy = p[1] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        if (sxx == 0) {
            return null;
        }
        double b = sxy / sxx;
        double a = my - b * mx;
        double residual = 0;
        for (double[] p : points) {
            double e = p[1] - (a + b * transform.applyAsDouble(p[0]));
            residual += e * e;
        }
        double r2 = syy == 0 ? 1 : 1 - residual / syy;
        return new Fit(model, a, b, r2, transform);
    }

    /** {@code y = a + b·log2(x)}. */
    static Fit logarithmic(List<double[]> points) {
        return of(LOG, x -> Math.log(x) / Math.log(2), points);
    }

    /** {@code y = a + b·x}. */
    static Fit linear(List<double[]> points) {
        return of(LINEAR, x -> x, points);
    }

    /** The better of the logarithmic and the linear fit (higher R²), or {@code null}. */
    static Fit best(List<double[]> points) {
        Fit log = logarithmic(points);
        Fit linear = linear(points);
        if (log == null || linear == null) {
            return log != null ? log : linear;
        }
        return linear.r2() > log.r2() ? linear : log;
    }

    /** The fitted value at {@code x}. */
    double at(double x) {
        return a + b * transform.applyAsDouble(x);
    }
}
