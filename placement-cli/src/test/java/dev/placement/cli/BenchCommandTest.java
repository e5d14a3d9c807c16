package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.sim.LoopbackStreamingServer;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code placement bench} against the loopback streaming server (30 ms to the first chunk, then 10 ms apart). */
class BenchCommandTest {

    @TempDir
    Path dir;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    /**
     * Pushes some 10,000 chunks through the command against a server with no injected delay first, so that the
     * timed test measures compiled code rather than a JVM whose JIT compilers hold both cores.
     */
    @BeforeAll
    static void warmUpTheJit() {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timeToFirstToken(Duration.ZERO)
                .interTokenLatency(Duration.ZERO).start()) {
            new BenchCommandTest().run("bench", "--url", server.baseUrl().toString(), "--num-prompts", "512",
                    "--max-concurrency", "64", "--num-warmups", "64", "--input-len", "8", "--output-len", "20");
        }
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return CapturingCli.writingTo(out, err).execute(args);
    }

    @Test
    void reportsTheInjectedTimingInVllmJsonKeys() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().start()) {
            // Staggered arrivals (at most 4 streams) rather than lock-step waves of 4.
            String[] args = {"bench", "--url", server.baseUrl().toString(), "--model", server.modelName(),
                "--num-prompts", "12", "--max-concurrency", "4", "--request-rate", "25", "--input-len", "8",
                "--output-len", "10", "--num-warmups", "4", "--percentiles", "50,90", "--json"};
            JsonNode json = null;
            double trueTtft = 0;
            // Up to three attempts: a neighbour's build can stall any thread of a shared 2-core machine for a
            // moment, while a systematic timing error would fail all three.
            for (int attempt = 0; attempt < 3; attempt++) {
                server.resetLateness();
                assertThat(run(args)).as(err.toString()).isZero();
                json = new ObjectMapper().readTree(out.toString());
                trueTtft = 30 + server.lateness().meanFirstChunkMillis();
                if (Math.abs(json.get("mean_ttft_ms").asDouble() - trueTtft) <= 2
                        && Math.abs(json.get("mean_itl_ms").asDouble() - 10) <= 2) {
                    break;
                }
            }

            assertThat(json.get("completed").asInt()).isEqualTo(12);
            assertThat(json.get("failed").asInt()).isZero();
            assertThat(json.get("total_output_tokens").asInt()).isEqualTo(120);
            assertThat(json.get("mean_ttft_ms").asDouble()).isCloseTo(trueTtft, within(2.0));
            assertThat(json.get("mean_itl_ms").asDouble()).isCloseTo(10, within(2.0));
            assertThat(json.get("mean_tpot_ms").asDouble()).isCloseTo(10, within(2.0));
            for (String key : new String[] {"duration", "request_throughput", "output_throughput",
                "total_token_throughput", "median_ttft_ms", "std_ttft_ms", "p50_itl_ms", "p90_e2el_ms",
                "p99_tpot_ms", "total_input_tokens"}) {
                assertThat(json.has(key)).as(key).isTrue();
            }
            assertThat(json.get("max_concurrency").asInt()).isEqualTo(4);
            assertThat(err.toString()).isEmpty();
        }
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
        assertBad("placement: --num-prompts: must be at least 1, was 0",
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
    }

    private void assertBad(String line, String... args) {
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo(line + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }
}
