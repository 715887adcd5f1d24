package dev.nexus.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadmeSectionTest {

    private static final String README = """
            # Nexus
            intro
            <!-- bench:begin -->
            old numbers
            more old numbers
            <!-- bench:end -->
            ## Build
            """;

    /** Only the lines between the markers change; the markers and everything around them stay. */
    @Test
    void replacesOnlyBetweenTheMarkers() {
        String updated = ReadmeSection.replace(README, "| new | table |\n");
        assertThat(updated).isEqualTo("""
                # Nexus
                intro
                <!-- bench:begin -->
                | new | table |
                <!-- bench:end -->
                ## Build
                """);
        assertThat(ReadmeSection.replace(updated, "| new | table |")).isEqualTo(updated);
    }

    /** A README without both markers is refused, naming the missing marker. */
    @Test
    void missingMarkerFailsClearly() {
        assertThatThrownBy(() -> ReadmeSection.replace("# Nexus\n<!-- bench:begin -->\n", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing: <!-- bench:end -->");
        assertThatThrownBy(() -> ReadmeSection.replace("# Nexus\n", "x"))
                .hasMessageContaining(ReadmeSection.BEGIN + " and " + ReadmeSection.END);
    }

    /** Markers out of order, repeated, or on one line are refused. */
    @Test
    void misplacedMarkersFail() {
        assertThatThrownBy(() -> ReadmeSection.replace("<!-- bench:end -->\n<!-- bench:begin -->\n", "x"))
                .hasMessageContaining("comes before");
        assertThatThrownBy(() -> ReadmeSection.replace(README + "<!-- bench:begin -->\n", "x"))
                .hasMessageContaining("more than one");
        assertThatThrownBy(() -> ReadmeSection.replace("a <!-- bench:begin --> <!-- bench:end -->\n", "x"))
                .hasMessageContaining("lines of their own");
    }
}
