package dev.nexus.bench.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the report's PNG charts with XChart, headless, into the results directory. */
final class Charts {

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};
    private static final int WIDTH = 960;
    /** Largest over smallest value above which a bar chart asked for a log axis gets one. */
    private static final double LOG_SPREAD = 20;
    private static final int HEIGHT = 560;

    private final Path dir;
    private final boolean draw;
    private final List<String> written = new ArrayList<>();

    /**
     * Charts written into {@code dir}; with {@code draw == false} nothing is drawn and the methods only
     * return the file names they would write (for the README summary).
     */
    Charts(Path dir, boolean draw) {
        System.setProperty("java.awt.headless", "true");
        this.dir = dir;
        this.draw = draw;
    }

    /** The files written so far, by name. */
    List<String> written() {
        return List.copyOf(written);
    }

    /**
     * Measured points (markers) and each series' fitted curve (a line), on log-log axes.
     *
     * @param points series name to points {x, y}, x and y positive
     * @param fits series name to its fit (drawn from the smallest to the largest x), may miss series
     * @return the file name
     */
    String scaling(String file, String title, String xTitle, String yTitle,
            Map<String, List<double[]>> points, Map<String, Fit> fits) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        int index = 0;
        for (Map.Entry<String, List<double[]>> entry : points.entrySet()) {
            List<double[]> series = entry.getValue().stream().filter(p -> p[0] > 0 && p[1] > 0).toList();
            if (series.isEmpty()) {
                continue;
            }
            Color color = PALETTE[index++ % PALETTE.length];
            XYSeries measured = chart.addSeries(entry.getKey(), column(series, 0), column(series, 1));
            measured.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            measured.setMarker(SeriesMarkers.CIRCLE);
            measured.setMarkerColor(color);
            Fit fit = fits.get(entry.getKey());
            if (fit == null) {
                continue;
            }
            double min = series.stream().mapToDouble(p -> p[0]).min().orElseThrow();
            double max = series.stream().mapToDouble(p -> p[0]).max().orElseThrow();
            List<double[]> curve = new ArrayList<>();
            for (int i = 0; i <= 64; i++) {
                double x = min * Math.pow(max / min, i / 64.0);
                double y = fit.at(x);
                if (y > 0) {
                    curve.add(new double[] {x, y});
                }
            }
            if (curve.size() > 1) {
                XYSeries line = chart.addSeries(entry.getKey() + " fit: " + fit.model()
                        + String.format(java.util.Locale.ROOT, " (R²=%.3f)", fit.r2()),
                        column(curve, 0), column(curve, 1));
                line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                line.setMarker(SeriesMarkers.NONE);
                line.setLineStyle(SeriesLines.DASH_DASH);
                line.setLineColor(color);
            }
        }
        return save(chart, file);
    }

    /**
     * Grouped bars: one group per category, one bar per series; categories missing from a series are
     * drawn as 0 (and left out on a log axis). A log axis is used only when asked for and the values
     * span more than a factor of {@value #LOG_SPREAD}.
     *
     * @return the file name, or {@code null} when there is nothing to draw
     */
    String bars(String file, String title, String yTitle, List<String> categories,
            Map<String, Map<String, Double>> series, boolean logarithmic) {
        Map<String, Map<String, Double>> drawable = new LinkedHashMap<>();
        series.forEach((name, values) -> {
            Map<String, Double> finite = new LinkedHashMap<>();
            values.forEach((k, v) -> {
                if (Double.isFinite(v) && (!logarithmic || v > 0)) {
                    finite.put(k, v);
                }
            });
            if (!finite.isEmpty()) {
                drawable.put(name, finite);
            }
        });
        if (drawable.isEmpty() || categories.isEmpty()) {
            return null;
        }
        double min = drawable.values().stream().flatMap(m -> m.values().stream())
                .mapToDouble(Double::doubleValue).min().orElse(1);
        double max = drawable.values().stream().flatMap(m -> m.values().stream())
                .mapToDouble(Double::doubleValue).max().orElse(1);
        boolean log = logarithmic && max / min > LOG_SPREAD; // within one decade a log axis has no labels
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(log);
        if (log) {
            // bars are anchored at 0 unless told otherwise, and a log axis cannot reach 0: start at the
            // decade below the smallest value
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
        }
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setOverlapped(false);
        for (Map.Entry<String, Map<String, Double>> entry : drawable.entrySet()) {
            List<Double> values = new ArrayList<>();
            for (String category : categories) {
                Double value = entry.getValue().get(category);
                values.add(value == null ? (log ? null : 0.0) : value);
            }
            chart.addSeries(entry.getKey(), categories, values)
                    .setFillColor(PALETTE[(chart.getSeriesMap().size() - 1) % PALETTE.length]);
        }
        return save(chart, file);
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendBorderColor(Color.LIGHT_GRAY);
        styler.setAntiAlias(true);
    }

    private static double[] column(List<double[]> points, int index) {
        double[] column = new double[points.size()];
        for (int i = 0; i < column.length; i++) {
            column[i] = points.get(i)[index];
        }
        return column;
    }

    private String save(Chart<?, ?> chart, String file) {
        if (!draw) {
            return file;
        }
        Path path = dir.resolve(file);
        try (OutputStream out = Files.newOutputStream(path)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + path, e);
        }
        written.add(file);
        return file;
    }
}
