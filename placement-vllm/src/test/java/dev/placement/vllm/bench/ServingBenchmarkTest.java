package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementException;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import dev.placement.sim.LoopbackStreamingServer.Behaviour;
import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import dev.placement.sim.StreamTiming;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The benchmark against the loopback streaming server, in real time. No test here bounds a measured time by the
 * wall clock: what the client measured is held against what the server recorded sending (see {@link TimedRun}),
 * which holds however slow or busy the machine. How accurate the timestamps are is measured in
 * {@code placement-benchmarks} ({@code ClientAccuracyBenchmark}), not here.
 */
class ServingBenchmarkTest {

    private static ServingBenchmark.Builder against(LoopbackStreamingServer server) {
        return ServingBenchmark.builder().baseUrl(server.baseUrl()).model(server.modelName()).inputTokens(8)
                .outputTokens(10);
    }

    private static ServingBenchmark.Builder numbered(LoopbackStreamingServer server, List<BenchmarkPrompt> prompts) {
        return against(server).prompts(prompts).numPrompts(prompts.size());
    }

    @Test
    void stampsEveryChunkNoEarlierThanTheServerSentItAtConcurrencyOne() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes().start()) {
            List<BenchmarkPrompt> prompts = TimedRun.numberedPrompts(8);
            TimedRun run = TimedRun.of(server, numbered(server, prompts).maxConcurrency(1).warmupRequests(3)
                    .build(), prompts);
            BenchmarkResult r = run.result();

            assertThat(r.completed()).isEqualTo(8);
            run.assertChunksStampedNoEarlierThanSent();
            run.assertStatisticsAreThoseOfTheRecords();
            assertThat(r.itl().count()).isEqualTo(8 * 9);
            // The server writes the first chunk no sooner than 30 ms after it received the request.
            assertThat(r.records()).allSatisfy(x -> assertThat(x.ttftNanos()).isGreaterThanOrEqualTo(30_000_000L));
            assertThat(r.records()).allSatisfy(x -> assertThat(x.e2elNanos())
                    .isEqualTo(x.ttftNanos() + x.itlNanos().stream().mapToLong(Long::longValue).sum()));
            assertThat(r.totalOutputTokens()).isEqualTo(80);
            assertThat(r.totalInputTokens()).isEqualTo(64);
            assertThat(r.maxConcurrentRequests()).isEqualTo(1);
        }
    }

    @Test
    void stampsEveryChunkNoEarlierThanTheServerSentItAt64ConcurrentStreams() throws Exception {
        // Each request lasts at least 30 + 19 x 25 ms on the server, and Poisson arrivals at 1000/s send the
        // first 64 within about 70 ms, so 64 streams are in flight long before the first can end.
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .interTokenLatency(Duration.ofMillis(25)).recordSendTimes().start()) {
            List<BenchmarkPrompt> prompts = TimedRun.numberedPrompts(192);
            TimedRun run = TimedRun.of(server, numbered(server, prompts).maxConcurrency(64).requestRate(1000)
                    .seed(3).outputTokens(20).warmupRequests(64).build(), prompts);
            BenchmarkResult r = run.result();

            assertThat(r.completed()).isEqualTo(192);
            run.assertChunksStampedNoEarlierThanSent();
            run.assertStatisticsAreThoseOfTheRecords();
            assertThat(r.itl().count()).isEqualTo(192 * 19);
            assertThat(r.maxConcurrentRequests()).isEqualTo(64)
                    .isGreaterThanOrEqualTo(run.serverPeakConcurrency());
            assertThat(r.outputThroughput()).isCloseTo(r.totalOutputTokens() / r.durationSeconds(), within(1e-6));
        }
    }

    @Test
    void chatEndpointTimesTheRoleChunkAsTheFirstTokenAndTakesTokensFromUsage() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes().start()) {
            List<BenchmarkPrompt> prompts = TimedRun.numberedPrompts(3);
            TimedRun run = TimedRun.of(server, numbered(server, prompts).endpoint(BenchmarkEndpoint.CHAT)
                    .maxConcurrency(3).build(), prompts);
            BenchmarkResult r = run.result();

            assertThat(r.completed()).isEqualTo(3);
            assertThat(r.totalOutputTokens()).isEqualTo(30);
            // vLLM sends the role-only delta with the first token: one more chunk than tokens, one gap near 0.
            assertThat(r.itl().count()).isEqualTo(3 * 10);
            run.assertChunksStampedNoEarlierThanSent();
            // The server waits 30 ms after receiving a request, so no TTFT can be shorter.
            assertThat(r.ttft().meanMillis()).isGreaterThanOrEqualTo(30.0);
            assertThat(r.settings().endpoint()).isEqualTo(BenchmarkEndpoint.CHAT);
        }
    }

    @Test
    void countsServerFailuresWithTheirReasonsAndMeasuresTheRest() {
        List<Behaviour> cycle = List.of(Behaviour.NORMAL, Behaviour.HTTP_500, Behaviour.ERROR_EVENT,
                Behaviour.EARLY_CLOSE);
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timeToFirstToken(Duration.ofMillis(5))
                .interTokenLatency(Duration.ofMillis(2)).behaviourByArrival(n -> cycle.get(n % 4)).start()) {
            BenchmarkResult r = against(server).numPrompts(8).maxConcurrency(1).warmupRequests(0).build().run();

            // Counted as vllm bench serve counts them: an error event after output, or a body that ends without
            // [DONE], still completes the request (with a note); only the HTTP 500s fail.
            assertThat(r.completed()).isEqualTo(6);
            assertThat(r.failed()).isEqualTo(2);
            assertThat(r.failureCounts()).containsOnlyKeys(FailureKind.HTTP_STATUS).containsEntry(
                    FailureKind.HTTP_STATUS, 2);
            assertThat(r.records().get(1).failureDetail()).isEqualTo("HTTP 500: injected failure: HTTP 500");
            assertThat(r.records().get(2).note()).contains("injected failure: error event");
            assertThat(r.records().get(3).note()).isEqualTo("the stream ended without data: [DONE]");
            assertThat(r.ttft().count()).isEqualTo(6);
            // 10 tokens for each normal stream, the first chunk before each error event, half of each early close.
            assertThat(r.totalOutputTokens()).isEqualTo(2 * 10 + 2 + 2 * 5);
        }
    }

    @Test
    void goodputCountsTheCompletedRequestsWhoseTimesMetTheObjectives() throws Exception {
        // Arrivals 0 to 7 are the warm-ups, which open the 8 connections and load the client's classes, so that no
        // timed request pays for that. The timed arrivals 8 to 15 alternate between a first chunk 20 ms and 600 ms
        // after the server received the request, either side of a 300 ms objective: a client never sees a chunk
        // before it is written, and a fast one would need 280 ms of lag to cross. Arrival 10 gets HTTP 500.
        IntFunction<StreamTiming> alternating = n -> new StreamTiming(Duration.ofMillis(fast(n) ? 20 : 600),
                Duration.ofMillis(1));
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timingByArrival(alternating)
                .behaviourByArrival(n -> n == 10 ? Behaviour.HTTP_500 : Behaviour.NORMAL).recordSendTimes()
                .start()) {
            List<BenchmarkPrompt> prompts = TimedRun.numberedPrompts(8);
            GoodputSlo slo = GoodputSlo.parse("ttft:300");
            BenchmarkResult r = numbered(server, prompts).outputTokens(3).warmupRequests(8).goodput(slo).build()
                    .run();
            // The warm-ups all sent the first prompt; the timed requests' prompts are each their own.
            Map<String, Integer> arrivalOfPrompt = server.sentStreams().stream().filter(s -> s.arrival() >= 8)
                    .collect(Collectors.toMap(SentStream::prompt, SentStream::arrival));

            assertThat(r.completed()).isEqualTo(7);
            // Each completed request is good exactly when the server gave it the fast timing.
            assertThat(r.records()).filteredOn(RequestRecord::succeeded).allSatisfy(x -> assertThat(slo.isGood(x))
                    .as("request %d", x.index())
                    .isEqualTo(fast(arrivalOfPrompt.get(prompts.get(x.index()).text()))));
            // The failed one was fast too, but only completed requests count.
            assertThat(r.goodCompleted()).hasValue(3);
            assertThat(r.requestGoodput().orElseThrow()).isCloseTo(3 / r.durationSeconds(), within(1e-12));
            JsonNode json = new ObjectMapper().readTree(r.toJson(false));
            assertThat(json.get("request_goodput").asDouble()).isEqualTo(r.requestGoodput().orElseThrow());
            assertThat(json.get("request_goodput").asDouble() * json.get("duration").asDouble())
                    .isCloseTo(3, within(1e-9));
        }
    }

    /** Whether the server gives arrival {@code n} of the goodput test the fast timing: warm-ups and even ones. */
    private static boolean fast(int n) {
        return n < 8 || n % 2 == 0;
    }

    @Test
    void stalledStreamsFailAtTheRequestTimeoutWithoutHangingTheRun() throws Exception {
        // The server holds every stream open after its first chunk until it is closed, so the run can only end
        // through the client's timeout. The first chunk is due 5 ms after a request, the timeout is 2 s.
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timeToFirstToken(Duration.ofMillis(5))
                .behaviour(Behaviour.STALL).recordSendTimes().start()) {
            List<BenchmarkPrompt> prompts = TimedRun.numberedPrompts(4);
            TimedRun run = TimedRun.of(server, numbered(server, prompts).maxConcurrency(4).warmupRequests(0)
                    .requestTimeout(Duration.ofSeconds(2)).build(), prompts);
            BenchmarkResult r = run.result();

            assertThat(r.completed()).isZero();
            assertThat(r.failureCounts()).containsEntry(FailureKind.TIMEOUT, 4);
            assertThat(r.records().get(0).failureDetail())
                    .isEqualTo("no [DONE] within 2 s (1 output chunks arrived)");
            // The chunk that arrived was timed when it arrived, not when the request gave up.
            run.assertChunksStampedNoEarlierThanSent();
            assertThat(r.records()).allSatisfy(x -> assertThat(x.ttftNanos()).isPositive());
            // No timer fires early: the run lasts at least the timeout.
            assertThat(r.durationSeconds()).isGreaterThanOrEqualTo(2.0);
        }
    }

    @Test
    void unreachableServerGivesConnectionFailuresNotAnException() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        BenchmarkResult r = ServingBenchmark.builder().baseUrl(URI.create("http://127.0.0.1:" + closedPort))
                .model("m").numPrompts(3).warmupRequests(0).build().run();

        assertThat(r.failed()).isEqualTo(3);
        assertThat(r.failureCounts()).containsEntry(FailureKind.CONNECTION, 3);
        assertThat(r.records().get(0).failureDetail()).contains("ConnectException");
    }

    @Test
    void asksTheServerForItsModelWhenNoneIsGivenAndAcceptsAV1BaseUrl() {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().modelName("served/model").start()) {
            BenchmarkResult r = ServingBenchmark.builder().baseUrl(URI.create(server.baseUrl() + "/v1/"))
                    .numPrompts(1).inputTokens(4).outputTokens(2).build().run();

            assertThat(r.settings().model()).isEqualTo("served/model");
            assertThat(r.settings().baseUrl()).isEqualTo(server.baseUrl());
            assertThat(r.completed()).isEqualTo(1);
        }
    }

    @Test
    void resultJsonHasVllmKeysWithMeasuredValues() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().start()) {
            BenchmarkResult r = against(server).numPrompts(2).maxConcurrency(2).percentiles(List.of(50.0, 90.0))
                    .build().run();
            JsonNode json = new ObjectMapper().readTree(r.toJson(false));

            assertThat(json.get("completed").asInt()).isEqualTo(2);
            assertThat(json.get("failed").asInt()).isZero();
            assertThat(json.get("total_output_tokens").asInt()).isEqualTo(20);
            assertThat(json.get("mean_ttft_ms").asDouble()).isEqualTo(r.ttft().meanMillis());
            assertThat(json.get("median_itl_ms").asDouble()).isEqualTo(r.itl().medianMillis());
            assertThat(json.get("p90_e2el_ms").asDouble()).isEqualTo(r.e2el().percentileMillis(90));
            assertThat(json.get("p99_tpot_ms").asDouble()).isEqualTo(r.tpot().percentileMillis(99));
            assertThat(json.get("output_throughput").asDouble()).isEqualTo(r.outputThroughput());
            assertThat(json.get("max_concurrency").asInt()).isEqualTo(2);
        }
    }

    @Test
    void openLoopSendsRequestsAtTheScheduledArrivalTimes() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timeToFirstToken(Duration.ZERO)
                .interTokenLatency(Duration.ZERO).recordSendTimes().start()) {
            List<BenchmarkPrompt> prompts = TimedRun.numberedPrompts(20);
            TimedRun run = TimedRun.of(server, numbered(server, prompts).requestRate(100).seed(5).outputTokens(2)
                    .build(), prompts);
            BenchmarkResult r = run.result();
            long[] scheduled = ArrivalSchedule.offsetsNanos(20, 100, 5);

            assertThat(r.records()).allSatisfy(x -> assertThat(x.startOffsetNanos())
                    .as("request %d is never sent early", x.index()).isGreaterThanOrEqualTo(scheduled[x.index()]));
            // The server's own clock agrees: no request reached it before its scheduled arrival.
            assertThat(r.records()).allSatisfy(x -> assertThat(run.streamOf(x).receivedNanos())
                    .isGreaterThanOrEqualTo(run.startNanos() + scheduled[x.index()]));
            assertThat(r.durationSeconds()).isGreaterThanOrEqualTo(scheduled[19] / 1e9);
        }
    }

    @Test
    void cancellingReturnsWhatWasMeasuredSoFar() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timeToFirstToken(Duration.ofMillis(1))
                .interTokenLatency(Duration.ofMillis(1)).behaviourByArrival(n -> n < 3 ? Behaviour.NORMAL
                        : Behaviour.STALL).start()) {
            CountDownLatch threeDone = new CountDownLatch(3);
            BenchmarkRun run = against(server).numPrompts(10).maxConcurrency(1).warmupRequests(0).outputTokens(2)
                    .build().start(new BenchmarkListener() {
                        @Override
                        public void requestFinished(RequestRecord record, int finished, int total) {
                            threeDone.countDown();
                        }
                    });
            // Generous bounds: they only keep a broken build from hanging, they measure nothing.
            assertThat(threeDone.await(60, TimeUnit.SECONDS)).isTrue();

            run.cancel();
            BenchmarkResult r = run.awaitResult(Duration.ofSeconds(60));

            assertThat(r.interrupted()).isTrue();
            assertThat(r.completed()).isEqualTo(3);
            assertThat(r.failed()).isZero();
            assertThat(run.snapshot().completed()).isEqualTo(3);
        }
    }

    @Test
    void anInterruptedCallerGetsWhatWasMeasuredAndKeepsItsInterruptFlag() {
        // Streams after the second stall, so the run cannot end before the interrupt however long it takes.
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .behaviourByArrival(n -> n < 2 ? Behaviour.NORMAL : Behaviour.STALL).start()) {
            ServingBenchmark benchmark = against(server).numPrompts(5).maxConcurrency(1).warmupRequests(0).build();

            Thread.currentThread().interrupt();
            BenchmarkResult r = benchmark.run();

            assertThat(Thread.interrupted()).isTrue();
            assertThat(r.interrupted()).isTrue();
            assertThat(r.completed() + r.failed()).isLessThan(5);
        }
    }

    @Test
    void aListenerThatThrowsDoesNotDisturbTheRun() {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timeToFirstToken(Duration.ZERO)
                .interTokenLatency(Duration.ZERO).start()) {
            BenchmarkResult r = against(server).numPrompts(4).build().run(new BenchmarkListener() {
                @Override
                public void requestFinished(RequestRecord record, int finished, int total) {
                    throw new IllegalStateException("listener bug");
                }
            });

            assertThat(r.completed()).isEqualTo(4);
        }
    }

    @Test
    void asAMetricsSourceProbesThePipelineEndpoint() {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes().start()) {
            ServingBenchmark probe = ServingBenchmark.builder().model(server.modelName()).numPrompts(4)
                    .maxConcurrency(2).inputTokens(8).outputTokens(10).build();
            RunningPipeline pipeline = new RunningPipeline("job-1", Placement.parse("node0:20,node1:20"),
                    server.baseUrl(), Instant.EPOCH);

            PipelineMetrics m = probe.sample(pipeline).orElseThrow().metrics();

            assertThat(m.source()).isEqualTo(PipelineMetrics.Source.MEASURED);
            // One warm-up and four timed requests reached the pipeline's endpoint.
            List<LoopbackStreamingServer.SentStream> timed = server.sentStreams().subList(1, 5);
            assertThat(server.requestsReceived()).isEqualTo(5);
            // Each TTFT is at least the server's own delay from receiving the request to writing its first chunk.
            assertThat(m.ttftMillis()).isGreaterThanOrEqualTo(timed.stream().mapToDouble(s ->
                    (s.outputChunkNanos().get(0) - s.receivedNanos()) / 1e6).average().orElseThrow())
                    .isGreaterThanOrEqualTo(30.0);
            // With 10 tokens per request, mean TPOT and mean ITL are both the sum of (last - first chunk) / 36.
            assertThat(m.itlMillis()).isCloseTo(m.tpotMillis(), within(1e-9));
            assertThat(m.outputTokensPerSecond()).isPositive();
        }
    }

    @Test
    void asAMetricsSourceReportsTheWorkloadItServed() {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes().start()) {
            // The estimates are wrong on purpose: the server's usage counts 5 and 9 words, and that is what counts.
            List<BenchmarkPrompt> prompts = List.of(new BenchmarkPrompt("one two three four five", 1000),
                    new BenchmarkPrompt("a prompt of nine words for the loopback server", 1000));
            ServingBenchmark probe = ServingBenchmark.builder().model(server.modelName()).prompts(prompts)
                    .numPrompts(4).maxConcurrency(2).outputTokens(10).build();
            RunningPipeline pipeline = new RunningPipeline("job-1", Placement.parse("node0:20,node1:20"),
                    server.baseUrl(), Instant.EPOCH);

            Workload w = probe.sample(pipeline).orElseThrow().workload();

            assertThat(w.inputTokens()).isEqualTo(7);
            assertThat(w.outputTokens()).isEqualTo(10);
            // The client holds at most its limit, and at least as many at once as the server streamed (its
            // intervals [sent, last chunk stamped) hold the server's [received, last chunk written)); on any
            // machine that is not stalled both of the first two are in flight together, so this is 2.
            List<LoopbackStreamingServer.SentStream> timed = server.sentStreams().subList(1, 5);
            int serverPeak = PeakLoad.mostOverlapping(timed.stream().map(s -> new long[] {
                s.receivedNanos(), s.outputChunkNanos().get(s.outputChunkNanos().size() - 1)}).toList());
            assertThat(w.concurrency()).isBetween(Math.max(1, serverPeak), 2);
        }
    }

    @Test
    void probeOfAFailingPipelineThrowsWithTheReasons() {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().behaviour(Behaviour.HTTP_500)
                .start()) {
            ServingBenchmark probe = ServingBenchmark.builder().model("m").numPrompts(2).warmupRequests(0).build();
            RunningPipeline pipeline = new RunningPipeline("job-1", Placement.parse("node0:40"), server.baseUrl(),
                    Instant.EPOCH);

            assertThatThrownBy(() -> probe.sample(pipeline)).isInstanceOf(PlacementException.class)
                    .hasMessageContaining("all 2 requests failed").hasMessageContaining("HTTP 500");
        }
    }

    @Test
    void rejectsSettingsOutOfRangeNamingThem() {
        assertThatThrownBy(() -> ServingBenchmark.builder().numPrompts(0).build())
                .hasMessage("numPrompts must be at least 1, was 0");
        assertThatThrownBy(() -> ServingBenchmark.builder().requestRate(0).build())
                .hasMessageContaining("requestRate must be positive");
        assertThatThrownBy(() -> ServingBenchmark.builder().baseUrl(URI.create("ftp://x")).build())
                .hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> ServingBenchmark.builder().apiKey("sk-secret\n").build())
                .hasMessage("apiKey must be printable ASCII without spaces");
        assertThatThrownBy(() -> ServingBenchmark.builder().build().run())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no base URL");
    }
}
