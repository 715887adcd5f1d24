package dev.nexus.bench.report;

import java.util.Locale;

/** Conversions between JMH units, and number formatting for the report. */
final class Units {

    private Units() {
    }

    /** Nanoseconds per time unit named by a JMH unit suffix ({@code s}, {@code ms}, {@code us}, {@code ns}). */
    static double nanos(String timeUnit) {
        return switch (timeUnit) {
            case "s" -> 1e9;
            case "ms" -> 1e6;
            case "us" -> 1e3;
            case "ns" -> 1;
            case "min" -> 60e9;
            default -> Double.NaN;
        };
    }

    /** A score in {@code X/op} or {@code ops/X} as nanoseconds per operation. */
    static double nanosPerOp(double score, String unit) {
        if (unit.endsWith("/op")) {
            return score * nanos(unit.substring(0, unit.length() - 3));
        }
        if (unit.startsWith("ops/")) {
            return nanos(unit.substring(4)) / score;
        }
        return Double.NaN;
    }

    /** A score in {@code X/op} or {@code ops/X} as operations per second. */
    static double opsPerSecond(double score, String unit) {
        return 1e9 / nanosPerOp(score, unit);
    }

    /** Three significant digits, plain notation for everyday magnitudes; "n/a" for NaN. */
    static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "∞" : "-∞";
        }
        double abs = Math.abs(value);
        if (abs == 0) {
            return "0";
        }
        if (abs >= 1e7 || abs < 1e-3) {
            return String.format(Locale.ROOT, "%.3g", value);
        }
        if (abs >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    /** A ratio as {@code 1.23×}. */
    static String ratio(double value) {
        return Double.isFinite(value) ? format(value) + "×" : "n/a";
    }

    /** Bytes with a binary prefix. */
    static String bytes(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        String[] prefixes = {"B", "KiB", "MiB", "GiB", "TiB"};
        int i = 0;
        while (Math.abs(value) >= 1024 && i < prefixes.length - 1) {
            value /= 1024;
            i++;
        }
        String number = value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
        return number + " " + prefixes[i];
    }
}
