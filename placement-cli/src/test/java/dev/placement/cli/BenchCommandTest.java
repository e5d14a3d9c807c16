package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import dev.placement.sim.StreamTiming;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code placement bench} against the loopback streaming server (30 ms to the first chunk, then 10 ms apart). No
 * test bounds a reported time by the wall clock; the timing test holds the reported figures against the times
 * the server recorded sending its chunks, which holds however slow or busy the machine.
 */
class BenchCommandTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return CapturingCli.writingTo(out, err).execute(args);
    }

    @Test
    void reportsWhatItMeasuredInVllmJsonKeysNoSoonerThanTheServerSent() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes().start()) {
            // Staggered arrivals (at most 4 streams) rather than lock-step waves of 4.
            assertThat(run("bench", "--url", server.baseUrl().toString(), "--model", server.modelName(),
                    "--num-prompts", "12", "--max-concurrency", "4", "--request-rate", "25", "--input-len", "8",
                    "--output-len", "10", "--num-warmups", "4", "--percentiles", "50,90", "--json", "--detailed"))
                    .as(err.toString()).isZero();
            JsonNode json = new ObjectMapper().readTree(out.toString());
            // The 4 warm-ups were answered before the first timed request was sent: arrivals 0 to 3.
            List<SentStream> timed = server.sentStreams().subList(4, 16);

            assertThat(json.get("completed").asInt()).isEqualTo(12);
            assertThat(json.get("failed").asInt()).isZero();
            assertThat(json.get("total_output_tokens").asInt()).isEqualTo(120);
            // Every chunk the server wrote was counted: one TTFT and 9 gaps per request.
            assertThat(values(json.get("itls"))).hasSize(12 * 9);
            assertThat(timed.stream().mapToInt(s -> s.outputChunkNanos().size()).sum()).isEqualTo(120);
            // No chunk can be seen before the server writes it: every TTFT and E2EL is at least the server's own
            // time from receiving the request to writing the first (last) chunk, and so are their means.
            assertThat(json.get("mean_ttft_ms").asDouble()).isGreaterThanOrEqualTo(meanMillis(timed, 0));
            assertThat(json.get("mean_e2el_ms").asDouble()).isGreaterThanOrEqualTo(meanMillis(timed, 9));
            // The keyed figures are the statistics of the per-request times the command measured.
            assertThat(json.get("mean_ttft_ms").asDouble()).isCloseTo(mean(values(json.get("ttfts"))) * 1e3,
                    within(1e-9));
            assertThat(json.get("mean_itl_ms").asDouble()).isCloseTo(mean(values(json.get("itls"))) * 1e3,
                    within(1e-9));
            assertThat(json.get("mean_e2el_ms").asDouble()).isCloseTo(mean(values(json.get("latencies"))) * 1e3,
                    within(1e-9));
            // With 10 tokens each, a request's TPOT is its 9 gaps' mean: mean TPOT = mean ITL = (E2EL - TTFT) / 9.
            assertThat(json.get("mean_tpot_ms").asDouble()).isCloseTo(json.get("mean_itl_ms").asDouble(),
                    within(1e-9));
            assertThat(json.get("mean_itl_ms").asDouble()).isCloseTo((json.get("mean_e2el_ms").asDouble()
                    - json.get("mean_ttft_ms").asDouble()) / 9, within(1e-9));
            for (String key : new String[] {"duration", "request_throughput", "output_throughput",
                "total_token_throughput", "median_ttft_ms", "std_ttft_ms", "p50_itl_ms", "p90_e2el_ms",
                "p99_tpot_ms", "total_input_tokens"}) {
                assertThat(json.has(key)).as(key).isTrue();
            }
            assertThat(json.get("max_concurrency").asInt()).isEqualTo(4);
            // Without --goodput, vLLM's key is there and null.
            assertThat(json.get("request_goodput").isNull()).isTrue();
            assertThat(err.toString()).isEmpty();
        }
    }

    /** The server's mean time from receiving a request to beginning to write its chunk {@code k}, in ms. */
    private static double meanMillis(List<SentStream> streams, int k) {
        return streams.stream().mapToDouble(s -> (s.outputChunkNanos().get(k) - s.receivedNanos()) / 1e6)
                .average().orElseThrow();
    }

    /** The numbers of a JSON array, or of an array of arrays, in order. */
    private static List<Double> values(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(v -> {
            if (v.isArray()) {
                values.addAll(values(v));
            } else {
                values.add(v.asDouble());
            }
        });
        return values;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    @Test
    void printsVllmsTextReportByDefault() {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().start()) {
            assertThat(run("bench", "--url", server.baseUrl().toString(), "--num-prompts", "2", "--input-len", "4",
                    "--output-len", "3", "--endpoint", "chat")).isZero();

            assertThat(out.toString()).startsWith("============ Serving Benchmark Result ============")
                    .contains("Successful requests:                     2").contains("Mean ITL (ms):");
        }
    }

    @Test
    void goodputCountsTheRequestsThatMetEveryObjective() throws IOException {
        // Arrivals 0 to 5 are the warm-ups (they open the connections the timed requests reuse); of the timed
        // arrivals 6 to 11, the even ones get their first chunk after 20 ms, the odd ones after 600 ms: either side
        // of 300 ms by more than a busy machine lags.
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timingByArrival(n -> new StreamTiming(
                Duration.ofMillis(n < 6 || n % 2 == 0 ? 20 : 600), Duration.ofMillis(1))).start()) {
            String[] args = {"bench", "--url", server.baseUrl().toString(), "--num-prompts", "6", "--input-len", "4",
                "--output-len", "3", "--num-warmups", "6", "--goodput", "ttft:300", "e2el:60000"};
            assertThat(run(concat(args, "--json"))).as(err.toString()).isZero();
            JsonNode json = new ObjectMapper().readTree(out.toString());

            assertThat(json.get("completed").asInt()).isEqualTo(6);
            assertThat(json.get("request_goodput").asDouble() * json.get("duration").asDouble())
                    .isCloseTo(3, within(1e-9));
            assertThat(json.get("goodput").get("ttft").asDouble()).isEqualTo(300.0);
            assertThat(json.get("goodput").get("e2el").asDouble()).isEqualTo(60000.0);

            assertThat(run(args)).as(err.toString()).isZero();
            assertThat(out.toString()).containsPattern("\\nRequest throughput \\(req/s\\): +[0-9.]+\\n"
                    + "Request goodput \\(req/s\\): +[0-9.]+\\n");
        }
    }

    private static String[] concat(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void readsPromptsFromAJsonLinesFile() throws IOException {
        Path prompts = Files.writeString(dir.resolve("prompts.jsonl"),
                "{\"prompt\": \"one two three\"}\n{\"prompt\": \"four five\"}\n");
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().start()) {
            assertThat(run("bench", "--url", server.baseUrl().toString(), "--num-prompts", "3", "--prompts",
                    prompts.toString(), "--output-len", "2", "--json")).isZero();

            // The server counts prompt words as tokens: 3 + 2 + 3 (the file is used in order, repeated).
            assertThat(new ObjectMapper().readTree(out.toString()).get("total_input_tokens").asInt()).isEqualTo(8);
        }
    }

    @Test
    void failedRequestsAreCountedAndNoneCompletedExitsOne() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        assertThat(run("bench", "--url", "http://127.0.0.1:" + closedPort, "--model", "m", "--num-prompts", "2",
                "--num-warmups", "0", "--json")).isEqualTo(1);
        assertThat(out.toString()).contains("\"failed\" : 2").contains("\"connection\" : 2");
        assertThat(err.toString()).startsWith("placement: all 2 requests failed: connection x2");
    }

    @Test
    void badOptionsGiveOneClearLineAndExitTwo() {
        String url = "http://127.0.0.1:9";
        assertBad("placement: --num-prompts: must be from 1 to 1000000, was 0",
                "bench", "--url", url, "--num-prompts", "0");
        assertBad("placement: --endpoint: 'embeddings' is not an endpoint; use completions or chat",
                "bench", "--url", url, "--num-prompts", "1", "--endpoint", "embeddings");
        assertBad("placement: --request-rate: 'fast' is not a positive number of requests per second or inf",
                "bench", "--url", url, "--num-prompts", "1", "--request-rate", "fast");
        assertBad("placement: --max-concurrency: must be at least 1, was 0",
                "bench", "--url", url, "--num-prompts", "1", "--max-concurrency", "0");
        assertBad("placement: --percentiles: '1e3' is not a number from 0 to 100; give a comma-separated list such "
                + "as 50,90,99", "bench", "--url", url, "--num-prompts", "1", "--percentiles", "50,1e3");
        assertBad("placement: --url: 'ftp://host' is not an http(s) URL with a host, like http://10.0.0.10:8000",
                "bench", "--url", "ftp://host", "--num-prompts", "1");
        assertBad("placement: " + dir.resolve("none.jsonl") + ": no such file",
                "bench", "--url", url, "--num-prompts", "1", "--prompts", dir.resolve("none.jsonl").toString());
        assertBad("placement: --input-len: cannot be combined with --prompts (the file's prompts have their own "
                + "lengths)", "bench", "--url", url, "--num-prompts", "1", "--input-len", "5", "--prompts", "x");
        assertBad("placement: --goodput: unknown metric 'itl' in 'itl:5'; the metric must be ttft, tpot or e2el",
                "bench", "--url", url, "--num-prompts", "1", "--goodput", "ttft:500", "itl:5");
        assertBad("placement: --goodput: 'tpot:-5': an objective must be 0 ms or more",
                "bench", "--url", url, "--num-prompts", "1", "--goodput", "tpot:-5");
        assertBad("placement: --goodput: 'ttft:soon': 'soon' is not a number of milliseconds",
                "bench", "--url", url, "--num-prompts", "1", "--goodput", "ttft:soon", "--json");
        assertBad("placement: --goodput: 'ttft500' is not KEY:VALUE; give space-separated KEY:VALUE pairs such as "
                + "ttft:500 tpot:50 e2el:2000 (milliseconds)", "bench", "--url", url, "--num-prompts", "1",
                "--goodput", "ttft500");
    }

    private void assertBad(String line, String... args) {
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo(line + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }
}
