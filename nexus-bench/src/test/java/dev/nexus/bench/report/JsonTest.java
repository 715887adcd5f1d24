package dev.nexus.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    /** Objects keep their key order; numbers are doubles; escapes and literals are decoded. */
    @Test
    void parsesJmhShapedJson() {
        Object value = Json.parse("""
                [ {"benchmark": "a.B.c", "threads": 2, "params": {"x": "1", "y": "two"},
                   "primaryMetric": {"score": 1.5e3, "scoreError": "NaN", "ok": true, "none": null},
                   "text": "q\\"\\\\\\u00e9\\n"} ]""");
        Map<String, Object> entry = Json.object(Json.array(value).get(0));
        assertThat(entry.keySet()).containsExactly("benchmark", "threads", "params", "primaryMetric", "text");
        assertThat(entry.get("threads")).isEqualTo(2.0);
        assertThat(Json.object(entry.get("params")).keySet()).containsExactly("x", "y");
        Map<String, Object> metric = Json.object(entry.get("primaryMetric"));
        assertThat(Json.number(metric.get("score"))).isEqualTo(1500.0);
        assertThat(Json.number(metric.get("scoreError"))).isNaN();
        assertThat(metric.get("ok")).isEqualTo(Boolean.TRUE);
        assertThat(metric).containsEntry("none", null);
        assertThat(entry.get("text")).isEqualTo("q\"\\é\n");
    }

    /** Empty containers parse; a missing value reads as an empty map or list. */
    @Test
    void emptyContainers() {
        assertThat(Json.array(Json.parse("[]"))).isEmpty();
        assertThat(Json.object(Json.parse(" {} "))).isEmpty();
        assertThat(Json.object(null)).isEmpty();
        assertThat(Json.array("not a list")).isEqualTo(List.of());
    }

    /** Text that is not JSON is rejected with the offset. */
    @Test
    void rejectsMalformedText() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1} x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing").hasMessageContaining("offset");
        assertThatThrownBy(() -> Json.parse("{\"a\" 1}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected ':'");
        assertThatThrownBy(() -> Json.parse("[1, 2")).isInstanceOf(IllegalArgumentException.class);
    }
}
