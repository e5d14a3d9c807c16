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
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
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
        b.append("vllm:generation_tokens_total{engine=\"0\",model_name=\"falcon\"} ").append(tokensEngine0).append('\n');
        b.append("vllm:generation_tokens_total{engine=\"1\",model_name=\"falcon\"} ").append(tokensEngine1).append('\n');
        b.append("vllm:num_requests_running{engine=\"0\",model_name=\"falcon\"} 2.0\n");
        return b.toString();
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
}
