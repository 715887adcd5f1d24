package dev.nexus.bench.report;

import java.util.List;

/** Builds the report's Markdown: headings, paragraphs, pipe tables, images. Not thread-safe. */
final class Markdown {

    private final StringBuilder out = new StringBuilder(16 * 1024);

    Markdown heading(int level, String text) {
        out.append("#".repeat(level)).append(' ').append(text).append("\n\n");
        return this;
    }

    Markdown paragraph(String text) {
        out.append(text).append("\n\n");
        return this;
    }

    Markdown bullets(List<String> items) {
        for (String item : items) {
            out.append("- ").append(item).append('\n');
        }
        out.append('\n');
        return this;
    }

    Markdown image(String alt, String file) {
        out.append("![").append(alt).append("](").append(file).append(")\n\n");
        return this;
    }

    /** A pipe table; cells are escaped ({@code |}). Nothing when there are no rows. */
    Markdown table(List<String> headers, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return this;
        }
        row(headers);
        out.append('|');
        for (int i = 0; i < headers.size(); i++) {
            out.append(i == 0 ? " --- |" : " ---: |");
        }
        out.append('\n');
        rows.forEach(this::row);
        out.append('\n');
        return this;
    }

    private void row(List<String> cells) {
        out.append('|');
        for (String cell : cells) {
            out.append(' ').append(cell == null ? "" : cell.replace("|", "\\|")).append(" |");
        }
        out.append('\n');
    }

    /** Inline code, with backticks in the text kept readable. */
    static String code(String text) {
        return text.contains("`") ? "``" + text + "``" : "`" + text + "`";
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
