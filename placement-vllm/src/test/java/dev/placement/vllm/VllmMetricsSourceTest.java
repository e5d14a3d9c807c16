package dev.placement.vllm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.placement.api.MetricsSample;
import dev.placement.api.Placement;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.PlacementException;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VllmMetricsSourceTest {

    private WireMockServer wm;
    private final FakeTime time = new FakeTime();

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    /** A vLLM V1 /metrics body: the given TTFT buckets (le 0.1, 0.25, 0.5, 1, +Inf), sum and tokens. */
    private static String body(int[] ttftCumulative, double ttftSum, double tokensEngine0, double tokensEngine1) {
        String[] le = {"0.1", "0.25", "0.5", "1.0", "+Inf"};
        StringBuilder b = new StringBuilder();
        b.append("# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.\n");
        b.append("# TYPE vllm:time_to_first_token_seconds histogram\n");
        for (int i = 0; i < le.length; i++) {
            b.append("vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"").append(le[i])
                    .append("\",model_name=\"falcon\"} ").append(ttftCumulative[i]).append(".0\n");
        }
        b.append("vllm:time_to_first_token_seconds_count{engine=\"0\",model_name=\"falcon\"} ")
                .append(ttftCumulative[4]).append(".0\n");
        b.append("vllm:time_to_first_token_seconds_sum{engine=\"0\",model_name=\"falcon\"} ").append(ttftSum)
                .append('\n');
        // Inter-token latency: every observation 0.05 s, all in the (0.04, 0.06] bucket.
        long itlCount = Math.round((tokensEngine0 + tokensEngine1) / 10);
        b.append("# TYPE vllm:inter_token_latency_seconds histogram\n");
        b.append("vllm:inter_token_latency_seconds_bucket{engine=\"0\",le=\"0.04\",model_name=\"falcon\"} 0.0\n");
        b.append("vllm:inter_token_latency_seconds_bucket{engine=\"0\",le=\"0.06\",model_name=\"falcon\"} ")
                .append(itlCount).append(".0\n");
        b.append("vllm:inter_token_latency_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"falcon\"} ")
                .append(itlCount).append(".0\n");
        b.append("vllm:inter_token_latency_seconds_count{engine=\"0\",model_name=\"falcon\"} ").append(itlCount)
                .append(".0\n");
        b.append("vllm:inter_token_latency_seconds_sum{engine=\"0\",model_name=\"falcon\"} ").append(itlCount * 0.05)
                .append('\n');
        b.append("# TYPE vllm:generation_tokens_total counter\n");
        b.append("vllm:generation_tokens_total{engine=\"0\",model_name=\"falcon\"} ").append(tokensEngine0)
                .append('\n');
        b.append("vllm:generation_tokens_total{engine=\"1\",model_name=\"falcon\"} ").append(tokensEngine1)
                .append('\n');
        b.append("vllm:num_requests_running{engine=\"0\",model_name=\"falcon\"} 2.0\n");
        return b.toString();
    }

    /**
     * One engine's series at a scrape: requests that got their first token and that finished so far, the prompt
     * and answer tokens of those finished, and the requests running and waiting now.
     */
    private record Engine(String id, int started, int finished, double promptTokens, double answerTokens,
            int running, int waiting) {
    }

    /**
     * A vLLM V1 /metrics body as prometheus_client writes it (HELP, TYPE, {@code _bucket}, {@code _count},
     * {@code _sum}, {@code _created}): TTFT, the per-request token histograms with vLLM's 1-2-5 buckets for a
     * 2048-token model, and the scheduler gauges, one series per engine.
     */
    private static String vllmBody(Engine... engines) {
        double[] tokenBuckets = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};
        StringBuilder b = new StringBuilder();
        histogram(b, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                new double[] {0.1}, engines, Engine::started, e -> e.started() * 0.05);
        histogram(b, "vllm:request_prompt_tokens", "Number of prefill tokens processed.", tokenBuckets, engines,
                Engine::finished, Engine::promptTokens);
        histogram(b, "vllm:request_generation_tokens", "Number of generation tokens processed.", tokenBuckets,
                engines, Engine::finished, Engine::answerTokens);
        gauge(b, "vllm:num_requests_running", "Number of requests in model execution batches.", engines,
                Engine::running);
        gauge(b, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", engines,
                Engine::waiting);
        return b.toString();
    }

    /** Writes a histogram whose observations per engine all equal their mean, so the buckets agree with it. */
    private static void histogram(StringBuilder b, String name, String help, double[] bounds, Engine[] engines,
            ToDoubleFunction<Engine> count, ToDoubleFunction<Engine> sum) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" histogram\n");
        for (Engine e : engines) {
            String labels = "engine=\"" + e.id() + "\",";
            double n = count.applyAsDouble(e);
            double mean = n > 0 ? sum.applyAsDouble(e) / n : 0;
            for (double le : bounds) {
                b.append(name).append("_bucket{").append(labels).append("le=\"").append(le)
                        .append("\",model_name=\"falcon\"} ").append(le >= mean ? n : 0.0).append('\n');
            }
            b.append(name).append("_bucket{").append(labels).append("le=\"+Inf\",model_name=\"falcon\"} ")
                    .append(n).append('\n');
            b.append(name).append("_count{").append(labels).append("model_name=\"falcon\"} ").append(n)
                    .append('\n');
            b.append(name).append("_sum{").append(labels).append("model_name=\"falcon\"} ")
                    .append(sum.applyAsDouble(e)).append('\n');
        }
        b.append("# HELP ").append(name).append("_created ").append(help).append('\n');
        b.append("# TYPE ").append(name).append("_created gauge\n");
        for (Engine e : engines) {
            b.append(name).append("_created{engine=\"").append(e.id()).append("\",model_name=\"falcon\"} ")
                    .append("1.7646e+09\n");
        }
    }

    private static void gauge(StringBuilder b, String name, String help, Engine[] engines,
            ToDoubleFunction<Engine> value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        for (Engine e : engines) {
            b.append(name).append("{engine=\"").append(e.id()).append("\",model_name=\"falcon\"} ")
                    .append(value.applyAsDouble(e)).append('\n');
        }
    }

    private static String without(String body, String seriesName) {
        return body.lines().filter(l -> !l.contains(seriesName)).collect(Collectors.joining("\n", "", "\n"));
    }

    /** Serves two scrapes and measures a pipeline at each, 5 s apart; returns the interval between them. */
    private VllmIntervalMetrics secondInterval(String first, String second) {
        scrapes(first, second);
        RunningPipeline p = new RunningPipeline("job-w", Placement.parse("node0:40"), URI.create(wm.baseUrl()),
                time.instant());
        VllmMetricsSource source = VllmMetricsSource.builder().clock(time).build();
        time.sleep(Duration.ofSeconds(5));
        source.measure(p);
        time.sleep(Duration.ofSeconds(5));
        return source.measure(p).orElseThrow();
    }

    private void scrapes(String... bodies) {
        String state = Scenario.STARTED;
        for (int i = 0; i < bodies.length; i++) {
            String next = "s" + (i + 1);
            wm.stubFor(get(urlEqualTo("/metrics")).inScenario("m").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(200).withBody(bodies[i])).willSetStateTo(next));
            state = next;
        }
    }

    @Test
    void secondSampleSummarisesTheHistogramDeltaOfItsInterval() {
        scrapes(body(new int[] {2, 4, 5, 5, 5}, 1.0, 300, 100),
                body(new int[] {2, 10, 13, 14, 15}, 4.6, 1000, 600));
        RunningPipeline p = new RunningPipeline("job-1", Placement.parse("node0:20,node1:20"),
                URI.create(wm.baseUrl()), time.instant());
        VllmMetricsSource source = VllmMetricsSource.builder().clock(time).build();

        time.sleep(Duration.ofSeconds(30));
        source.measure(p);
        time.sleep(Duration.ofSeconds(60));
        VllmIntervalMetrics m = source.measure(p).orElseThrow();

        assertThat(m.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(m.requestsCompleted()).isEqualTo(10);
        assertThat(m.ttft().meanMillis()).isCloseTo(360, within(1e-9));
        assertThat(m.ttft().p50Millis()).isCloseTo(225, within(1e-9));
        assertThat(m.ttft().p99Millis()).isCloseTo(1000, within(1e-9));
        assertThat(m.outputTokens()).isEqualTo(1200);
        assertThat(m.outputTokensPerSecond()).isCloseTo(20, within(1e-9));
        assertThat(m.itl().meanMillis()).isCloseTo(50, within(1e-9));
        assertThat(m.itl().p50Millis()).isCloseTo(50, within(1e-9));
        // no per-request TPOT histogram exported: TPOT falls back to ITL
        assertThat(m.tpot().meanMillis()).isCloseTo(50, within(1e-9));
    }

    @Test
    void firstSampleCoversTheTimeSinceThePipelineStarted() {
        scrapes(body(new int[] {1, 2, 2, 2, 2}, 0.3, 200, 0));
        RunningPipeline p = new RunningPipeline("job-2", Placement.parse("node0:40"), URI.create(wm.baseUrl()),
                time.instant());
        time.sleep(Duration.ofSeconds(10));

        PipelineMetrics m = VllmMetricsSource.builder().clock(time).build().sample(p).orElseThrow().metrics();

        assertThat(m.ttftMillis()).isCloseTo(150, within(1e-9));
        assertThat(m.outputTokensPerSecond()).isCloseTo(20, within(1e-9));
        assertThat(m.source()).isEqualTo(PipelineMetrics.Source.MEASURED);
    }

    @Test
    void intervalWithoutRequestsGivesNoSample() {
        String same = body(new int[] {1, 2, 2, 2, 2}, 0.3, 200, 0);
        scrapes(same, same);
        RunningPipeline p = new RunningPipeline("job-3", Placement.parse("node0:40"), URI.create(wm.baseUrl()),
                time.instant());
        VllmMetricsSource source = VllmMetricsSource.builder().clock(time).build();
        time.sleep(Duration.ofSeconds(5));
        source.sample(p);
        time.sleep(Duration.ofSeconds(5));

        Optional<PipelineMetrics> second = source.sample(p).map(MetricsSample::metrics);

        assertThat(second).isEmpty();
    }

    @Test
    void restartedServerRestartsTheIntervalFromZero() {
        scrapes(body(new int[] {2, 10, 13, 14, 15}, 4.6, 1000, 600), body(new int[] {1, 1, 1, 1, 1}, 0.05, 40, 0));
        RunningPipeline p = new RunningPipeline("job-4", Placement.parse("node0:40"), URI.create(wm.baseUrl()),
                time.instant());
        VllmMetricsSource source = VllmMetricsSource.builder().clock(time).build();
        time.sleep(Duration.ofSeconds(5));
        source.measure(p);
        time.sleep(Duration.ofSeconds(4));

        VllmIntervalMetrics m = source.measure(p).orElseThrow();

        assertThat(m.requestsCompleted()).isEqualTo(1);
        assertThat(m.ttft().meanMillis()).isCloseTo(50, within(1e-9));
        assertThat(m.outputTokensPerSecond()).isCloseTo(10, within(1e-9));
    }

    @Test
    void unreadableMetricsAreAPlacementException() {
        wm.stubFor(get(urlEqualTo("/metrics")).willReturn(aResponse().withStatus(500)));
        RunningPipeline p = new RunningPipeline("job-5", Placement.parse("node0:40"), URI.create(wm.baseUrl()),
                time.instant());

        assertThatThrownBy(() -> VllmMetricsSource.builder().clock(time).build().sample(p))
                .isInstanceOf(PlacementException.class).hasMessageContaining("/metrics");
    }

    @Test
    void reportsTheMeanLengthsOfRequestsFinishedInTheIntervalAndTheRequestsInFlight() {
        scrapes(vllmBody(new Engine("0", 4, 4, 2000, 400, 4, 0)),
                vllmBody(new Engine("0", 15, 14, 7130, 1680, 6, 3)));
        RunningPipeline p = new RunningPipeline("job-6", Placement.parse("node0:20,node1:20"),
                URI.create(wm.baseUrl()), time.instant());
        VllmMetricsSource source = VllmMetricsSource.builder().clock(time).build();
        time.sleep(Duration.ofSeconds(30));
        MetricsSample first = source.sample(p).orElseThrow();
        time.sleep(Duration.ofSeconds(30));

        MetricsSample second = source.sample(p).orElseThrow();

        // Since the start: 2000 / 4 prompt tokens, 400 / 4 answer tokens, 4 running.
        assertThat(first.workload()).isEqualTo(new Workload(500, 100, 4));
        // The 10 requests that finished in between: 5130 / 10 and 1280 / 10 (the means since the start, 509 and
        // 120, would be wrong); in flight 6 running + 3 waiting.
        assertThat(second.workload()).isEqualTo(new Workload(513, 128, 9));
        assertThat(second.metrics().ttftMillis()).isCloseTo(50, within(1e-9));
    }

    @Test
    void sumsTheSeriesOfEveryEngine() {
        VllmIntervalMetrics m = secondInterval(
                vllmBody(new Engine("0", 2, 2, 200, 40, 1, 0), new Engine("1", 1, 1, 500, 10, 0, 0)),
                vllmBody(new Engine("0", 8, 8, 800, 160, 3, 1), new Engine("1", 3, 3, 1500, 30, 2, 0)));

        // Engine 0 finished 6 (600 and 120 tokens), engine 1 finished 2 (1000 and 20): 1600 / 8 and 140 / 8 =
        // 17.5, rounded up; in flight 3 + 1 + 2. Either engine alone would give (100, 20, 4) or (500, 10, 2).
        assertThat(m.workload()).isEqualTo(new Workload(200, 18, 6));
        assertThat(m.toMetricsSample().workload()).isEqualTo(m.workload());
    }

    @Test
    void olderVllmWithoutTheTokenHistogramsGivesMetricsButNoWorkload() {
        scrapes(body(new int[] {1, 2, 2, 2, 2}, 0.3, 200, 0));
        RunningPipeline p = new RunningPipeline("job-8", Placement.parse("node0:40"), URI.create(wm.baseUrl()),
                time.instant());
        time.sleep(Duration.ofSeconds(10));

        MetricsSample s = VllmMetricsSource.builder().clock(time).build().sample(p).orElseThrow();

        assertThat(s.metrics().ttftMillis()).isCloseTo(150, within(1e-9));
        assertThat(s.workload()).isNull();
    }

    @Test
    void serverWithoutTheRunningGaugeGivesNoWorkloadAndOneWithoutTheWaitingGaugeCountsItAsZero() {
        String full = vllmBody(new Engine("0", 2, 2, 100, 20, 3, 2));

        assertThat(VllmMetricsSource.servedWorkload(PrometheusText.empty(), PrometheusText.parse(full)))
                .isEqualTo(new Workload(50, 10, 5));
        assertThat(VllmMetricsSource.servedWorkload(PrometheusText.empty(),
                PrometheusText.parse(without(full, "vllm:num_requests_running")))).isNull();
        assertThat(VllmMetricsSource.servedWorkload(PrometheusText.empty(),
                PrometheusText.parse(without(full, "vllm:num_requests_waiting"))))
                .isEqualTo(new Workload(50, 10, 3));
    }

    @Test
    void intervalInWhichNoRequestFinishedHasMetricsButNoWorkload() {
        VllmIntervalMetrics m = secondInterval(vllmBody(new Engine("0", 5, 4, 2000, 400, 5, 0)),
                vllmBody(new Engine("0", 9, 4, 2000, 400, 8, 2)));

        // Four requests got their first token, none finished: the lengths of this interval are unknown.
        assertThat(m.requestsCompleted()).isEqualTo(4);
        assertThat(m.toMetricsSample().metrics().ttftMillis()).isCloseTo(50, within(1e-9));
        assertThat(m.workload()).isNull();
    }

    @Test
    void roundsToWholeTokensAndRequestsAndNeverBelowOne() {
        // Two requests aborted before their first token: 5 prompt tokens between them, no answer, none in flight.
        PrometheusText later = PrometheusText.parse(vllmBody(new Engine("0", 0, 2, 5, 0, 0, 0)));

        assertThat(VllmMetricsSource.servedWorkload(PrometheusText.empty(), later))
                .isEqualTo(new Workload(3, 1, 1));
    }

    @Test
    void restartedServerRestartsTheWorkloadFromZero() {
        PrometheusText before = PrometheusText.parse(vllmBody(new Engine("0", 14, 14, 7130, 1680, 6, 3)));
        PrometheusText after = PrometheusText.parse(vllmBody(new Engine("0", 2, 2, 300, 40, 1, 0)));

        VllmIntervalMetrics m = VllmMetricsSource.between(Instant.EPOCH, before, Instant.EPOCH.plusSeconds(5),
                after);

        assertThat(m.workload()).isEqualTo(new Workload(150, 20, 1));
    }
}
