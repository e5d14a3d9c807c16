package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.vllm.bench.GoodputSlo.Metric;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --goodput} as {@code vllm bench serve} parses and counts it ({@code vllm/benchmarks/serve.py}). */
class GoodputSloTest {
    private static final long MS = 1_000_000L;

    /** A completed request with these times in ns and output tokens. */
    private static RequestRecord completed(int index, long ttftNanos, long e2elNanos, int outputTokens) {
        return new RequestRecord(index, 0, ttftNanos, e2elNanos, List.of(), 4, outputTokens, null, "");
    }

    @Test
    void parsesSpaceSeparatedKeyValuePairsInMilliseconds() {
        assertThat(GoodputSlo.parse("ttft:500 tpot:50 e2el:2000").limitsMillis())
                .containsExactly(Map.entry(Metric.TTFT, 500.0), Map.entry(Metric.TPOT, 50.0),
                        Map.entry(Metric.E2EL, 2000.0));
        assertThat(GoodputSlo.parse("  e2el:1.5e3\ttpot:0 ").limitsMillis())
                .containsExactly(Map.entry(Metric.TPOT, 0.0), Map.entry(Metric.E2EL, 1500.0));
        // A key given twice keeps its last value: vLLM fills a dict pair by pair.
        assertThat(GoodputSlo.parse("ttft:100 ttft:250").limitsMillis()).containsExactly(Map.entry(Metric.TTFT, 250.0));
        assertThat(GoodputSlo.parse("tpot:.5 ttft:7.").toJsonMap()).containsExactly(Map.entry("ttft", 7.0),
                Map.entry("tpot", 0.5));
    }

    @Test
    void badPairsGiveOneLineNamingTheOptionAndTheValue() {
        String pairs = "; give space-separated KEY:VALUE pairs such as ttft:500 tpot:50 e2el:2000 (milliseconds)";
        assertBad("ttft:500 itl:5", "--goodput: unknown metric 'itl' in 'itl:5'; the metric must be ttft, tpot or "
                + "e2el");
        assertBad("TTFT:5", "--goodput: unknown metric 'TTFT' in 'TTFT:5'; the metric must be ttft, tpot or e2el");
        assertBad("ttft:-5", "--goodput: 'ttft:-5': an objective must be 0 ms or more");
        assertBad("tpot:fast", "--goodput: 'tpot:fast': 'fast' is not a number of milliseconds");
        assertBad("e2el:", "--goodput: 'e2el:': '' is not a number of milliseconds");
        assertBad("ttft:NaN", "--goodput: 'ttft:NaN': 'NaN' is not a number of milliseconds");
        assertBad("ttft:0x10", "--goodput: 'ttft:0x10': '0x10' is not a number of milliseconds");
        assertBad("ttft:5d", "--goodput: 'ttft:5d': '5d' is not a number of milliseconds");
        assertBad("ttft:1e999", "--goodput: 'ttft:1e999': '1e999' is not a number of milliseconds");
        assertBad("ttft500", "--goodput: 'ttft500' is not KEY:VALUE" + pairs);
        assertBad("ttft=500", "--goodput: 'ttft=500' is not KEY:VALUE" + pairs);
        assertBad("ttft:5:6", "--goodput: 'ttft:5:6' is not KEY:VALUE" + pairs);
        assertBad(" ", "--goodput: no objective given" + pairs);
    }

    private static void assertBad(String pairs, String message) {
        assertThatThrownBy(() -> GoodputSlo.parse(pairs)).as(pairs).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message).hasMessageNotContaining("\n");
    }

    @Test
    void objectivesAreCheckedOnConstruction() {
        assertThatThrownBy(() -> new GoodputSlo(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("goodput needs at least one objective (ttft, tpot or e2el)");
        assertThatThrownBy(() -> new GoodputSlo(Map.of(Metric.E2EL, -1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("goodput.e2el must be a finite number of milliseconds, 0 or more, was -1.0");
        assertThatThrownBy(() -> new GoodputSlo(Map.of(Metric.TTFT, Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GoodputSlo(Map.of(Metric.TPOT, Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRequestIsGoodWhenItCompletedAndEveryMetricIsAtMostItsObjective() {
        GoodputSlo ttft = GoodputSlo.parse("ttft:150");
        // vLLM compares slo >= metric: a request exactly at its objective is good, a nanosecond more is not.
        assertThat(ttft.isGood(completed(0, 150 * MS, 900 * MS, 10))).isTrue();
        assertThat(ttft.isGood(completed(1, 150 * MS + 1, 151 * MS, 10))).isFalse();
        // A failed request is never good, however fast what it saw before failing.
        assertThat(ttft.isGood(new RequestRecord(2, 0, MS, MS, List.of(), 4, 0, FailureKind.HTTP_STATUS, "HTTP 500")))
                .isFalse();

        // Every objective must hold; metrics without one are not judged.
        GoodputSlo both = GoodputSlo.parse("ttft:150 e2el:1000");
        assertThat(both.isGood(completed(3, 100 * MS, 1000 * MS, 10))).isTrue();
        assertThat(both.isGood(completed(4, 100 * MS, 1001 * MS, 10))).isFalse();
        assertThat(both.isGood(completed(5, 200 * MS, 300 * MS, 10))).isFalse();
    }

    @Test
    void tpotIsThatOfTheRecordAndZeroForARequestOfOneToken() {
        GoodputSlo tpot = GoodputSlo.parse("tpot:10");
        // (e2el - ttft) / (tokens - 1): 90 ms over 9 gaps is 10 ms, at the objective; over 8 gaps it is 11.25 ms.
        assertThat(tpot.isGood(completed(0, 10 * MS, 100 * MS, 10))).isTrue();
        assertThat(tpot.isGood(completed(1, 10 * MS, 100 * MS, 9))).isFalse();
        // One output token has no TPOT; vLLM counts it as 0 for goodput, so it meets even a 0 ms objective.
        assertThat(GoodputSlo.parse("tpot:0").isGood(completed(2, 10 * MS, 5_000 * MS, 1))).isTrue();
    }

    @Test
    void countsTheGoodRequestsOfARun() {
        List<RequestRecord> run = List.of(completed(0, 20 * MS, 30 * MS, 2), completed(1, 400 * MS, 410 * MS, 2),
                completed(2, 149 * MS, 160 * MS, 2),
                new RequestRecord(3, 0, 0, 0, List.of(), 4, 0, FailureKind.TIMEOUT, "timeout"));

        assertThat(GoodputSlo.parse("ttft:150").countGood(run)).isEqualTo(2);
        assertThat(GoodputSlo.parse("e2el:30").countGood(run)).isEqualTo(1);
        assertThat(GoodputSlo.parse("ttft:10").countGood(run)).isZero();
    }
}
