package dev.nexus.demo;

import java.util.Locale;

/** Human-readable quantities for the progress line and the closing table. */
final class Units {

    private Units() {
    }

    /** A rate or count with a k/M/G suffix: {@code 950}, {@code 12.3k}, {@code 4.56M}. */
    static String count(double n) {
        if (n < 1e3) {
            return String.format(Locale.ROOT, "%.0f", n);
        }
        if (n < 1e6) {
            return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        }
        if (n < 1e9) {
            return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fG", n / 1e9);
    }

    /** Bytes in binary units: {@code 512 B}, {@code 3.0 KiB}, {@code 12.4 MiB}. */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** A duration in nanoseconds, switching to microseconds and milliseconds when large. */
    static String nanos(double nanos) {
        if (nanos < 1e4) {
            return String.format(Locale.ROOT, "%.0f ns", nanos);
        }
        if (nanos < 1e7) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
