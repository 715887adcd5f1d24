package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.List;

/** {@code VirtualThreadBenchmark}: waves of virtual-thread readers, throughput and pending bound. */
final class VirtualSection implements Section {

    @Override
    public String className() {
        return "VirtualThreadBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "Virtual-thread readers (VirtualThreadBenchmark)");
        out.paragraph("One operation is a wave of new virtual threads, each doing 16 pinned reads; every 10th "
                + "blocks 100 µs inside its first read, holding its guard (HOLD) or suspending it (SUSPEND), "
                + "while a writer replaces 20,000 values a second. `reads/s` counts pinned reads; `× REFCOUNT` "
                + "divides by the reference count's reads/s with the same blocking. `peak pending`: most bytes "
                + "retired and not yet freed during measurement: the garbage bound.");
        List<List<String>> rows = new ArrayList<>();
        for (JmhResult result : results) {
            Metric reads = result.secondary("reads");
            JmhResult refcount = run.find(r -> r.className().equals(className())
                    && r.has("contender", "REFCOUNT", "blocking", result.param("blocking"),
                    "virtualThreads", result.param("virtualThreads")));
            Metric baseline = refcount == null ? null : refcount.secondary("reads");
            double readsPerSecond = reads == null ? Double.NaN : reads.opsPerSecond();
            rows.add(List.of(result.param("contender"), result.param("blocking"), result.param("virtualThreads"),
                    Section.withError(result.primary(), 1, result.primary().unit()), Units.format(readsPerSecond),
                    Units.ratio(readsPerSecond / (baseline == null ? Double.NaN : baseline.opsPerSecond())),
                    Units.bytes(run.auxMax(result, "peakPendingBytes"))));
        }
        out.table(List.of("contender", "blocking", "threads/wave", "waves", "reads/s", "× REFCOUNT",
                "peak pending"), rows);
    }
}
