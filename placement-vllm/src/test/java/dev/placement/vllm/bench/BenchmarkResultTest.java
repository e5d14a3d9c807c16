package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Workload;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkResultTest {
    private static final long MS = 1_000_000L;

    private final BenchmarkSettings settings = new BenchmarkSettings(URI.create("http://127.0.0.1:8000"), "m",
            BenchmarkEndpoint.COMPLETIONS, 3, 4.0, 0, 4, true, 0, List.of(50.0, 99.0), null, Duration.ofSeconds(5));

    // Request 0: TTFT 30, chunks at 30, 40, 50, 70 -> ITL 10, 10, 20; E2EL 70; TPOT (70-30)/3.
    // Request 1: TTFT 50, chunks at 50, 60 -> ITL 10; E2EL 60; 2 tokens -> TPOT 10; no [DONE], a success.
    // Request 2: failed; must not count anywhere but failed and failure_reasons.
    private final List<RequestRecord> records = List.of(
            new RequestRecord(1, 250 * MS, 50 * MS, 60 * MS, List.of(10 * MS), 7, 2, null, "",
                    "the stream ended without data: [DONE]"),
            new RequestRecord(0, 0, 30 * MS, 70 * MS, List.of(10 * MS, 10 * MS, 20 * MS), 5, 4, null, ""),
            new RequestRecord(2, 500 * MS, 0, 0, List.of(), 9, 0, FailureKind.HTTP_STATUS, "HTTP 500: boom"));
    private final BenchmarkResult result = BenchmarkResult.of(settings, Instant.EPOCH, 2_000 * MS, false, records);

    @Test
    void computesVllmStatisticsFromCompletedRequestsOnly() {
        assertThat(result.completed()).isEqualTo(2);
        assertThat(result.failed()).isEqualTo(1);
        assertThat(result.records()).extracting(RequestRecord::index).containsExactly(0, 1, 2);
        assertThat(result.totalInputTokens()).isEqualTo(12);
        assertThat(result.totalOutputTokens()).isEqualTo(6);
        assertThat(result.ttft().meanMillis()).isCloseTo(40, within(1e-9));
        assertThat(result.e2el().meanMillis()).isCloseTo(65, within(1e-9));
        assertThat(result.itl().count()).isEqualTo(4);
        assertThat(result.itl().meanMillis()).isCloseTo(12.5, within(1e-9));
        assertThat(result.itl().medianMillis()).isCloseTo(10, within(1e-9));
        assertThat(result.tpot().count()).isEqualTo(2);
        assertThat(result.tpot().meanMillis()).isCloseTo((40.0 / 3 + 10) / 2, within(1e-9));
        assertThat(result.requestThroughput()).isCloseTo(1.0, within(1e-12));
        assertThat(result.outputThroughput()).isCloseTo(3.0, within(1e-12));
        assertThat(result.totalTokenThroughput()).isCloseTo(9.0, within(1e-12));
        assertThat(result.maxConcurrentRequests()).isEqualTo(1);
        assertThat(result.maxOutputTokensPerSecond()).isEqualTo(6);
    }

    @Test
    void servedWorkloadIsTheMeanOfTheCompletedRequestsAndTheirPeakConcurrency() {
        // Prompts of 5 and 7 tokens and answers of 4 and 2; the failed request's 9 prompt tokens do not count.
        assertThat(result.servedWorkload()).contains(new Workload(6, 3, 1));
        assertThat(BenchmarkResult.of(settings, Instant.EPOCH, 2_000 * MS, false, records.subList(2, 3))
                .servedWorkload()).isEmpty();
    }

    @Test
    void jsonCarriesVllmKeysAndValues() throws Exception {
        JsonNode json = new ObjectMapper().readTree(result.toJson(false));

        assertThat(json.get("completed").asInt()).isEqualTo(2);
        assertThat(json.get("failed").asInt()).isEqualTo(1);
        assertThat(json.get("duration").asDouble()).isEqualTo(2.0);
        assertThat(json.get("total_input_tokens").asLong()).isEqualTo(12);
        assertThat(json.get("total_output_tokens").asLong()).isEqualTo(6);
        assertThat(json.get("request_throughput").asDouble()).isEqualTo(1.0);
        assertThat(json.get("output_throughput").asDouble()).isEqualTo(3.0);
        assertThat(json.get("total_token_throughput").asDouble()).isEqualTo(9.0);
        assertThat(json.get("mean_ttft_ms").asDouble()).isCloseTo(40, within(1e-9));
        assertThat(json.get("median_itl_ms").asDouble()).isCloseTo(10, within(1e-9));
        assertThat(json.get("p99_itl_ms").asDouble()).isCloseTo(10 + 0.97 * 10, within(1e-9));
        assertThat(json.get("p50_e2el_ms").asDouble()).isCloseTo(65, within(1e-9));
        assertThat(json.has("std_e2el_ms")).isTrue();
        assertThat(json.has("p99_tpot_ms")).isTrue();
        assertThat(json.get("request_rate").asDouble()).isEqualTo(4.0);
        assertThat(json.get("max_concurrency").isNull()).isTrue();
        assertThat(json.get("backend").asText()).isEqualTo("openai");
        assertThat(json.get("model_id").asText()).isEqualTo("m");
        assertThat(json.get("failure_reasons").get("http_status").asInt()).isEqualTo(1);
        assertThat(json.has("ttfts")).isFalse();
        for (String metric : List.of("ttft", "tpot", "itl", "e2el")) {
            for (String stat : List.of("mean", "median", "std", "p50", "p99")) {
                assertThat(json.has(stat + "_" + metric + "_ms")).as(stat + "_" + metric + "_ms").isTrue();
            }
        }
    }

    @Test
    void goodputIsNullWithoutObjectivesAsInVllm() throws Exception {
        JsonNode json = new ObjectMapper().readTree(result.toJson(false));

        assertThat(json.has("request_goodput")).isTrue();
        assertThat(json.get("request_goodput").isNull()).isTrue();
        assertThat(json.get("goodput").isNull()).isTrue();
        assertThat(result.goodCompleted()).isEmpty();
        assertThat(result.requestGoodput()).isEmpty();
        assertThat(result.toText()).doesNotContain("goodput");
    }

    @Test
    void goodputIsTheCompletedRequestsWithinTheObjectivesPerSecondOfTheRun() throws Exception {
        // TTFTs 30 and 50 ms, E2ELs 70 and 60 ms; request 2 failed with a TTFT of 0, which must not count.
        BenchmarkSettings slo = new BenchmarkSettings(settings.baseUrl(), "m", BenchmarkEndpoint.COMPLETIONS, 3,
                4.0, 0, 4, true, 0, List.of(99.0), GoodputSlo.parse("ttft:40"), Duration.ofSeconds(5));
        BenchmarkResult r = BenchmarkResult.of(slo, Instant.EPOCH, 2_000 * MS, false, records);
        JsonNode json = new ObjectMapper().readTree(r.toJson(false));

        assertThat(r.goodCompleted()).hasValue(1);
        assertThat(r.requestGoodput()).hasValue(0.5);
        assertThat(json.get("request_goodput").asDouble()).isEqualTo(0.5);
        assertThat(json.get("goodput").get("ttft").asDouble()).isEqualTo(40.0);
        // vLLM prints the goodput row right after the throughput row, only when --goodput was given.
        assertThat(r.toText()).contains("Request throughput (req/s):              1.00\n"
                + "Request goodput (req/s):                 0.50\n");
        assertThat(BenchmarkResult.of(slo, Instant.EPOCH, 0, false, records).requestGoodput()).hasValue(0.0);
    }

    @Test
    void detailedJsonAddsPerRequestArraysInSeconds() throws Exception {
        JsonNode json = new ObjectMapper().readTree(result.toJson(true));

        assertThat(json.get("ttfts").get(0).asDouble()).isCloseTo(0.030, within(1e-12));
        assertThat(json.get("itls").get(0)).hasSize(3);
        assertThat(json.get("output_lens").get(1).asInt()).isEqualTo(2);
        assertThat(json.get("errors").get(2).asText()).isEqualTo("HTTP 500: boom");
        assertThat(json.get("errors").get(0).asText()).isEmpty();
    }

    @Test
    void infiniteRateIsTheStringInfAsInVllm() throws Exception {
        BenchmarkSettings burst = new BenchmarkSettings(settings.baseUrl(), "m", BenchmarkEndpoint.CHAT, 1,
                Double.POSITIVE_INFINITY, 8, 4, false, 0, List.of(99.0), null, Duration.ofSeconds(1));
        JsonNode json = new ObjectMapper().readTree(BenchmarkResult.of(burst, Instant.EPOCH, 0, false, List.of())
                .toJson(false));

        assertThat(json.get("request_rate").asText()).isEqualTo("inf");
        assertThat(json.get("max_concurrency").asInt()).isEqualTo(8);
        assertThat(json.get("backend").asText()).isEqualTo("openai-chat");
        assertThat(json.get("request_throughput").asDouble()).isZero();
    }

    @Test
    void textReportLooksLikeVllmsAndNamesFailures() {
        String text = result.toText();

        assertThat(text).startsWith("============ Serving Benchmark Result ============\n")
                .contains("Successful requests:                     2\n")
                .contains("Mean TTFT (ms):                          40.00\n")
                .contains("P99 ITL (ms):")
                .contains("-----Time per Output Token (excl. 1st token)------")
                .contains("http_status: 1 (first: HTTP 500: boom)")
                .contains("-------------Completed, with a note--------------\n"
                        + "1 (first: the stream ended without data: [DONE])\n");
    }

    @Test
    void pipelineMetricsAreTheMeansMarkedMeasured() {
        PipelineMetrics m = result.toPipelineMetrics();

        assertThat(m.source()).isEqualTo(PipelineMetrics.Source.MEASURED);
        assertThat(m.ttftMillis()).isCloseTo(40, within(1e-9));
        assertThat(m.itlMillis()).isCloseTo(12.5, within(1e-9));
        assertThat(m.tpotMillis()).isCloseTo(result.tpot().meanMillis(), within(1e-12));
        assertThat(m.outputTokensPerSecond()).isCloseTo(3.0, within(1e-12));
    }
}
