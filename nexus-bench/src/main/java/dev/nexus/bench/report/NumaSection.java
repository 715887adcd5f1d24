package dev.nexus.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code NumaBenchmark}: allocate + first touch + free per size, the node allocator against malloc;
 * and, on more than one node, read bandwidth of local, remote and interleaved buffers (on one node the
 * section says it was skipped).
 */
final class NumaSection implements Section {

    private static final double BUFFER_BYTES = 64.0 * 1024 * 1024;

    @Override
    public String className() {
        return "NumaBenchmark";
    }

    @Override
    public void write(RunData run, Markdown out, Charts charts, List<Target> targets) {
        List<JmhResult> results = run.of(className());
        out.heading(2, "NUMA allocation and bandwidth (NumaBenchmark)");
        out.paragraph("`allocTouchFree`: allocate `size` bytes, write one byte per 4 KiB page (the first touch "
                + "that places fresh pages), free; µs per operation. `NUMA_ON_NODE` is `NumaAllocator.onNode` "
                + "on the benchmark thread's node (blocks of a bound chunk up to 32 KiB, a bound mapping each "
                + "above), `NUMA_CACHED` the same with a 256 MiB mapping cache (a freed large mapping, still bound "
                + "and faulted in, serves the next allocation of its size), `MALLOC` is `NativeAllocator.malloc()` "
                + "(glibc reuses its heap, already touched, once its mmap threshold has risen). Ratios: node "
                + "allocator time / malloc time.");
        List<JmhResult> alloc = results.stream().filter(r -> r.method().equals("allocTouchFree")).toList();
        TreeSet<Long> sizes = new TreeSet<>();
        alloc.forEach(r -> sizes.add(Long.parseLong(r.param("size"))));
        List<List<String>> rows = new ArrayList<>();
        for (long size : sizes) {
            JmhResult numa = find(alloc, size, "NUMA_ON_NODE");
            JmhResult cached = find(alloc, size, "NUMA_CACHED");
            JmhResult malloc = find(alloc, size, "MALLOC");
            rows.add(List.of(Units.bytes(size), score(numa), score(cached), score(malloc),
                    Units.ratio(ratio(numa, malloc)), Units.ratio(ratio(cached, malloc))));
        }
        if (!rows.isEmpty()) {
            out.table(List.of("size", "NUMA_ON_NODE", "NUMA_CACHED", "MALLOC", "ON_NODE / MALLOC",
                    "CACHED / MALLOC"), rows);
        }
        boolean unplaced = alloc.stream().anyMatch(r -> run.aux(r, "nodePlaced").contains(0.0));
        if (unplaced) {
            out.paragraph("The node allocator was **not node-placed** in this run (no libnuma or mbind refused; "
                    + "`numa.log` has the reason): its figures are those of the fallback.");
        }
        List<JmhResult> read = results.stream().filter(r -> r.method().equals("readBandwidth")).toList();
        if (read.isEmpty()) {
            return;
        }
        if (read.stream().anyMatch(r -> run.aux(r, "skipped").contains(1.0))) {
            out.paragraph("`readBandwidth` (local vs remote vs interleaved): **skipped**: this machine gives the "
                    + "process fewer than two NUMA nodes (or no libnuma); `numa.log` has the reason. Its JMH "
                    + "scores measure an empty method and are not shown.");
            return;
        }
        JmhResult local = read.stream().filter(r -> r.has("placement", "LOCAL")).findFirst().orElse(null);
        List<List<String>> bandwidth = new ArrayList<>();
        for (JmhResult r : read) {
            double nanos = Units.nanosPerOp(r.primary().score(), r.primary().unit());
            double localNanos = local == null ? Double.NaN
                    : Units.nanosPerOp(local.primary().score(), local.primary().unit());
            bandwidth.add(List.of(r.param("placement"), Units.format(run.auxMean(r, "distance")),
                    Section.withError(r.primary(), 1, r.primary().unit()), Units.format(BUFFER_BYTES / nanos),
                    Units.ratio(nanos / localNanos)));
        }
        out.paragraph("`readBandwidth`: one pass of 8-byte reads over a 64 MiB buffer from a thread bound to the "
                + "first allowed node.");
        out.table(List.of("placement", "distance", "time per pass", "GB/s", "time vs LOCAL"), bandwidth);
    }

    private static String score(JmhResult result) {
        return result == null ? "" : Section.withError(result.primary(), 1, result.primary().unit());
    }

    private static double ratio(JmhResult a, JmhResult b) {
        return a == null || b == null ? Double.NaN
                : Units.nanosPerOp(a.primary().score(), a.primary().unit())
                        / Units.nanosPerOp(b.primary().score(), b.primary().unit());
    }

    private static JmhResult find(List<JmhResult> results, long size, String allocator) {
        return results.stream().filter(r -> r.has("size", Long.toString(size), "allocator", allocator))
                .findFirst().orElse(null);
    }
}
