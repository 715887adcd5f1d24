package dev.nexus.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Everything one run of {@code scripts/bench} left in its results directory: the JMH JSON files
 * ({@code *.json}), the benchmarks' own records ({@code aux.jsonl}), the JMH logs ({@code *.log}, read
 * for failures) and the run's description ({@code run.properties}: mode, command, machine).
 *
 * @param dir the results directory
 * @param results every JMH result, in file then JMH order
 * @param aux every auxiliary record
 * @param failures benchmarks that failed, from the logs
 * @param run the run's description (empty when the file is missing)
 */
record RunData(Path dir, List<JmhResult> results, List<AuxRecord> aux, List<Failure> failures, Properties run) {

    /** The description of the run, written by scripts/bench. */
    static final String RUN_FILE = "run.properties";

    /**
     * A benchmark that failed: where, with what, and the first line of the exception.
     *
     * @param log the log file's name
     * @param benchmark the benchmark's full name
     * @param params JMH's parameter line, or empty
     * @param reason the first line after {@code <failure>}
     */
    record Failure(String log, String benchmark, String params, String reason) {
    }

    /**
     * Loads a results directory.
     *
     * @throws UncheckedIOException when a file cannot be read
     * @throws IllegalArgumentException when a JSON file is not JMH JSON
     */
    static RunData load(Path dir) {
        List<JmhResult> results = new ArrayList<>();
        for (Path file : files(dir, ".json")) {
            for (Object entry : Json.array(parse(file))) {
                results.add(JmhResult.fromJson(Json.object(entry)));
            }
        }
        List<AuxRecord> aux = new ArrayList<>();
        Path auxFile = dir.resolve("aux.jsonl");
        if (Files.exists(auxFile)) {
            for (String line : readLines(auxFile)) {
                if (!line.isBlank()) {
                    aux.add(AuxRecord.fromJson(Json.object(Json.parse(line))));
                }
            }
        }
        List<Failure> failures = new ArrayList<>();
        for (Path log : files(dir, ".log")) {
            failures.addAll(failures(log));
        }
        Properties run = new Properties();
        Path runFile = dir.resolve(RUN_FILE);
        if (Files.exists(runFile)) {
            try (Reader reader = Files.newBufferedReader(runFile, StandardCharsets.UTF_8)) {
                run.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + runFile, e);
            }
        }
        return new RunData(dir, List.copyOf(results), List.copyOf(aux), List.copyOf(failures), run);
    }

    /** Results of one benchmark class (simple name), in order. */
    List<JmhResult> of(String className) {
        return results.stream().filter(r -> r.className().equals(className)).toList();
    }

    /** The first result matching {@code filter}, or {@code null}. */
    JmhResult find(Predicate<JmhResult> filter) {
        return results.stream().filter(filter).findFirst().orElse(null);
    }

    /** The auxiliary values of {@code metric} for {@code result}, one per fork. */
    List<Double> aux(JmhResult result, String metric) {
        return aux.stream().filter(a -> a.metric().equals(metric) && a.belongsTo(result))
                .map(AuxRecord::value).toList();
    }

    /** The largest auxiliary value of {@code metric} over the forks of {@code result}, or NaN. */
    double auxMax(JmhResult result, String metric) {
        return aux(result, metric).stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** The mean auxiliary value of {@code metric} over the forks of {@code result}, or NaN. */
    double auxMean(JmhResult result, String metric) {
        return aux(result, metric).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** A property of the run, or {@code fallback}. */
    String run(String key, String fallback) {
        String value = run.getProperty(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static Object parse(Path file) {
        try {
            return Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> stream = Files.list(dir)) {
            return stream.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The failures a JMH log reports: {@code <failure>} after a {@code # Benchmark:} header. */
    static List<Failure> failures(Path log) {
        List<Failure> failures = new ArrayList<>();
        List<String> lines = readLines(log);
        String benchmark = "?";
        String params = "";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("# Benchmark: ")) {
                benchmark = line.substring("# Benchmark: ".length()).trim();
                params = "";
            } else if (line.startsWith("# Parameters: ")) {
                params = line.substring("# Parameters: ".length()).trim();
            } else if (line.trim().equals("<failure>")) {
                String reason = "";
                for (int j = i + 1; j < lines.size() && reason.isEmpty(); j++) {
                    reason = lines.get(j).trim();
                }
                failures.add(new Failure(log.getFileName().toString(), benchmark, params, reason));
            }
        }
        return failures;
    }
}
