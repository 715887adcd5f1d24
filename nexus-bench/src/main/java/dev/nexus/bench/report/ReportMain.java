package dev.nexus.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Renders benchmark results: {@code render DIR} writes {@code DIR/report.md} and its charts from the JMH
 * JSON of a run; {@code readme} puts the targets of the latest run into README.md between
 * {@code <!-- bench:begin -->} and {@code <!-- bench:end -->}. Used by {@code scripts/bench} and
 * {@code scripts/bench-readme}: {@code java -cp nexus-bench/target/benchmarks.jar
 * dev.nexus.bench.report.ReportMain render bench-results/2026-11-22}.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Renders Nexus benchmark results.",
        subcommands = {ReportMain.Render.class, ReportMain.Readme.class})
public final class ReportMain implements Callable<Integer> {

    /** Exits with the command's status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ReportMain()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return 2;
    }

    /** {@code render DIR}. */
    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Writes DIR/report.md and PNG charts from the JMH JSON files in DIR.")
    static final class Render implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "a results directory of scripts/bench")
        Path dir;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(dir)) {
                System.err.println("report render: not a directory: " + dir);
                return 2;
            }
            RunData run = RunData.load(dir);
            if (run.results().isEmpty() && run.failures().isEmpty()) {
                System.err.println("report render: no JMH results (*.json) in " + dir);
                return 1;
            }
            Report report = Report.build(run, true);
            Path file = dir.resolve(Report.FILE);
            Files.writeString(file, report.markdown(), StandardCharsets.UTF_8);
            System.out.println("wrote " + file + " and " + report.charts().size() + " charts; "
                    + run.results().size() + " results, " + run.failures().size() + " failures");
            return 0;
        }
    }

    /** {@code readme}. */
    @Command(name = "readme", mixinStandardHelpOptions = true,
            description = "Replaces README.md's section between <!-- bench:begin --> and <!-- bench:end -->"
                    + " with the targets of a run (the latest quick or full run by default).")
    static final class Readme implements Callable<Integer> {

        @Option(names = "--results", defaultValue = "bench-results",
                description = "the directory holding the runs (default: ${DEFAULT-VALUE})")
        Path results;

        @Option(names = "--dir", description = "the run to use (default: the newest report under --results,"
                + " smoke runs excluded)")
        Path dir;

        @Option(names = "--readme", defaultValue = "README.md", description = "the file to update (default: ${DEFAULT-VALUE})")
        Path readme;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(readme)) {
                System.err.println("report readme: no such file: " + readme);
                return 2;
            }
            Path run = dir != null ? dir : latest(results);
            if (run == null) {
                System.err.println("report readme: no rendered run (report.md) under " + results
                        + " other than smoke runs: run scripts/bench --quick (or full) first");
                return 1;
            }
            RunData data = RunData.load(run);
            Report report = Report.build(data, false);
            Path base = readme.toAbsolutePath().getParent();
            String link = base.relativize(run.toAbsolutePath().resolve(Report.FILE)).toString().replace('\\', '/');
            String text = Files.readString(readme, StandardCharsets.UTF_8);
            String updated;
            try {
                updated = ReadmeSection.replace(text, report.summary(data, link));
            } catch (IllegalArgumentException e) {
                System.err.println("report readme: " + readme + ": " + e.getMessage());
                return 1;
            }
            Files.writeString(readme, updated, StandardCharsets.UTF_8);
            System.out.println("updated " + readme + " from " + run);
            return 0;
        }

        /** The run directory whose report.md is newest, smoke runs ({@code *-smoke}) excluded. */
        static Path latest(Path results) {
            if (!Files.isDirectory(results)) {
                return null;
            }
            try (Stream<Path> runs = Files.list(results)) {
                return runs.filter(p -> !p.getFileName().toString().endsWith("-smoke"))
                        .filter(p -> Files.isRegularFile(p.resolve(Report.FILE)))
                        .max(Comparator.comparing(Readme::modified)).orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + results, e);
            }
        }

        private static FileTime modified(Path run) {
            try {
                return Files.getLastModifiedTime(run.resolve(Report.FILE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
