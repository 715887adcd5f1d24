package dev.nexus.bench.report;

import java.util.List;

/** The part of the report that reads one benchmark class: tables, ratios, charts and targets. */
sealed interface Section permits PinSection, PinAnatomySection, MapSection, ReclaimSection, AllocatorSection,
        DetectionSection, VirtualSection, SlabSection, NumaSection, ArrowSection {

    /** The simple name of the benchmark class this section reads. */
    String className();

    /**
     * Writes the section for the class's results (there is at least one) and adds the targets of
     * DESIGN.md section 7 it can check.
     */
    void write(RunData run, Markdown out, Charts charts, List<Target> targets);

    /** {@code score ± error unit}; the error only when JMH computed one. */
    static String withError(Metric metric, double scale, String unit) {
        String score = Units.format(metric.score() * scale);
        String text = Double.isNaN(metric.error()) ? score + " " + unit
                : score + " ± " + Units.format(metric.error() * scale) + " " + unit;
        return text.strip();
    }
}
