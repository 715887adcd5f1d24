package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders a run into {@code report.md} (and its charts), and the summary that goes into README.md.
 *
 * @param markdown the whole report
 * @param targets the DESIGN.md targets the run could check, in report order
 * @param charts the chart files written
 */
record Report(String markdown, List<Target> targets, List<String> charts) {

    static final String FILE = "report.md";

    private static final List<Section> SECTIONS = List.of(new PinSection(), new PinAnatomySection(),
            new MapSection(), new ReclaimSection(), new AllocatorSection(), new DetectionSection(), new VirtualSection(),
            new SlabSection(), new NumaSection(), new ArrowSection());

    /**
     * Builds the report of {@code run}.
     *
     * @param drawCharts whether to write the charts into the run's directory
     */
    static Report build(RunData run, boolean drawCharts) {
        Charts charts = new Charts(run.dir(), drawCharts);
        List<Target> targets = new ArrayList<>();
        Markdown body = new Markdown();
        Set<String> known = new LinkedHashSet<>();
        for (Section section : SECTIONS) {
            known.add(section.className());
            if (!run.of(section.className()).isEmpty()) {
                section.write(run, body, charts, targets);
            }
        }
        other(run, known, body);
        failures(run, body);
        Markdown out = new Markdown();
        out.heading(1, "Nexus benchmarks: " + run.dir().getFileName());
        out.bullets(machine(run));
        out.paragraph("Numbers from a " + run.run("mode", "?") + " run on a shared " + run.run("cores",
                Integer.toString(Machine.cores())) + "-core machine are noisy: compare the rows of one run "
                + "(each contender ran beside its baselines), not runs of different days. How to read this "
                + "report: docs/bench.md.");
        out.heading(2, "Targets (DESIGN.md section 7)");
        out.table(List.of("target", "measured", "verdict"), targets.stream()
                .map(t -> List.of(t.goal(), t.measured(), t.verdict().label())).toList());
        String markdown = out + body.toString() + files(run, charts);
        return new Report(markdown, List.copyOf(targets), charts.written());
    }

    /**
     * The README performance section: the targets table with the command and machine that produced it.
     *
     * @param reportLink the report's path relative to README.md
     */
    String summary(RunData run, String reportLink) {
        Markdown out = new Markdown();
        out.paragraph("Measured with " + Markdown.code(run.run("command", "scripts/bench")) + " ("
                + run.run("mode", "?") + " mode, " + run.run("date", "?") + ", commit " + run.run("commit", "?")
                + ") on " + run.run("cpu", Machine.cpuModel()) + ", " + run.run("cores", Integer.toString(Machine.cores()))
                + " cores, JDK " + jdk(run) + ". Ratios matter more than absolute numbers on this shared "
                + "machine. Full report, with every baseline and chart: [" + reportLink + "](" + reportLink + ").");
        out.table(List.of("target (DESIGN.md §7)", "measured", "verdict"), targets.stream()
                .map(t -> List.of(t.goal(), t.measured(), t.verdict().label())).toList());
        return out.toString().strip() + "\n";
    }

    private static List<String> machine(RunData run) {
        List<String> lines = new ArrayList<>();
        lines.add("Command: " + Markdown.code(run.run("command", "?")) + ", mode " + run.run("mode", "?")
                + ", JMH options " + Markdown.code(run.run("jmh.options", "(class annotations)")));
        lines.add("Date: " + run.run("date", "?") + "; commit " + run.run("commit", "?"));
        lines.add("CPU: " + run.run("cpu", Machine.cpuModel()) + "; " + run.run("cores",
                Integer.toString(Machine.cores())) + " cores; memory " + run.run("memory", Machine.memory())
                + "; " + run.run("os", Machine.os()));
        lines.add("Load average (1 min) at start and end: " + run.run("load.start", "?") + " / "
                + run.run("load.end", "?"));
        lines.add("JDK: " + jdk(run));
        Set<String> flags = new LinkedHashSet<>();
        run.results().forEach(r -> flags.add(String.join(" ", r.jvmArgs())));
        flags.forEach(f -> lines.add("Fork JVM flags: " + Markdown.code(f.isEmpty() ? "(none)" : f)));
        return lines;
    }

    private static String jdk(RunData run) {
        return run.results().isEmpty() ? System.getProperty("java.version")
                : run.results().get(0).jdkVersion() + " (" + run.results().get(0).vm() + ")";
    }

    private static void other(RunData run, Set<String> known, Markdown out) {
        List<JmhResult> rest = run.results().stream().filter(r -> !known.contains(r.className())).toList();
        if (rest.isEmpty()) {
            return;
        }
        out.heading(2, "Other results");
        out.table(List.of("benchmark", "params", "threads", "score", "median"), rest.stream().map(r -> List.of(
                r.className() + "." + r.method(), r.paramsText(), Integer.toString(r.threads()),
                Section.withError(r.primary(), 1, r.primary().unit()), Units.format(r.primary().median()))).toList());
    }

    private static void failures(RunData run, Markdown out) {
        out.heading(2, "Failures");
        if (run.failures().isEmpty()) {
            out.paragraph("None: every benchmark that ran produced a result.");
            return;
        }
        out.paragraph("These benchmarks threw and have no result (the logs have the stack traces):");
        out.table(List.of("benchmark", "parameters", "reason", "log"), run.failures().stream().map(f -> List.of(
                f.benchmark().substring(f.benchmark().lastIndexOf('.', f.benchmark().lastIndexOf('.') - 1) + 1),
                f.params(), f.reason(), f.log())).toList());
    }

    private static String files(RunData run, Charts charts) {
        Markdown out = new Markdown();
        out.heading(2, "Files");
        out.paragraph("JMH JSON (`*.json`) and logs (`*.log`) per run of a class, `aux.jsonl` (the benchmarks' own "
                + "records), `retire-latency-*.hgrm` (HdrHistogram percentile distributions), `run.properties`, "
                + "and the charts: " + String.join(", ", charts.written().stream().map(Markdown::code).toList())
                + ". Rendered again with " + Markdown.code("scripts/bench --render " + run.dir()) + ".");
        return out.toString();
    }
}
