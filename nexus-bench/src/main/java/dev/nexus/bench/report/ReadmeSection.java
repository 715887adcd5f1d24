package dev.nexus.bench.report;

/**
 * Replaces the generated performance section of README.md: everything between the line holding
 * {@value #BEGIN} and the line holding {@value #END}, both kept. Nothing else in the file changes.
 */
final class ReadmeSection {

    /** Marker before the generated section. */
    static final String BEGIN = "<!-- bench:begin -->";
    /** Marker after the generated section. */
    static final String END = "<!-- bench:end -->";

    private ReadmeSection() {
    }

    /**
     * The README with the section between the markers replaced by {@code section}.
     *
     * @throws IllegalArgumentException if a marker is missing or repeated, or END comes before BEGIN
     */
    static String replace(String readme, String section) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < 0) {
            throw new IllegalArgumentException("README has no generated performance section: add a line "
                    + BEGIN + " and, below it, a line " + END + " (missing: "
                    + (begin < 0 ? BEGIN : "") + (begin < 0 && end < 0 ? " and " : "") + (end < 0 ? END : "") + ")");
        }
        if (readme.indexOf(BEGIN, begin + 1) >= 0 || readme.indexOf(END, end + 1) >= 0) {
            throw new IllegalArgumentException("README has more than one " + BEGIN + " or " + END
                    + " marker: keep exactly one of each");
        }
        if (end < begin) {
            throw new IllegalArgumentException("README's " + END + " marker comes before " + BEGIN);
        }
        int afterBegin = readme.indexOf('\n', begin);
        int endLine = readme.lastIndexOf('\n', end) + 1;
        if (afterBegin < 0 || afterBegin >= end) {
            throw new IllegalArgumentException("README's markers must be on lines of their own: " + BEGIN
                    + " on one line, " + END + " on a later one");
        }
        String body = section.endsWith("\n") ? section : section + "\n";
        return readme.substring(0, afterBegin + 1) + body + readme.substring(endLine);
    }
}
