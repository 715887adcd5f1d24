package dev.nexus.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine the renderer runs on, for runs whose {@code run.properties} does not say. */
final class Machine {

    private Machine() {
    }

    /** The CPU model from {@code /proc/cpuinfo}, or the OS architecture. */
    static String cpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    /** Processors the JVM may use. */
    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Total memory from {@code /proc/meminfo}, or "unknown". */
    static String memory() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.trim().split("\\s+");
                return Units.bytes(Double.parseDouble(parts[1]) * 1024);
            }
        }
        return "unknown";
    }

    /** The OS name and kernel version. */
    static String os() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
