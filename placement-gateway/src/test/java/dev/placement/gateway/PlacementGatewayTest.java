package dev.placement.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.TickOutcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The gateway's rules, each against a real orchestrator and upstreams on 127.0.0.1. */
class PlacementGatewayTest {
    private final Fixture f = new Fixture();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRequestHeldPastItsTimeoutGets503WithRetryAfterFromTheOrchestratorsExpectedRestart() throws Exception {
        TestUpstreams.Launcher launcher = new TestUpstreams.Launcher(n -> TestUpstreams.standIn());
        try (PlacementOrchestrator o = f.orchestrator(launcher).build();
             PlacementGateway g = PlacementGateway.builder().orchestrator(o).holdTimeout(Duration.ofMillis(300))
                     .build()) {
            g.start();
            // Nothing launched yet: the gate is paused, as during a reconfiguration.
            HttpResponse<String> r = Fixture.postStream(http, g.baseUri(), "held", 3);

            assertThat(r.statusCode()).isEqualTo(503);
            long expected = (long) Math.ceil(o.expectedRestartTime().toMillis() / 1000.0);
            assertThat(r.headers().firstValue("Retry-After")).hasValue(Long.toString(expected));
            // The gate was given what was left of the 300 ms hold once the body had been read.
            Matcher waited = Pattern.compile("request rejected after waiting (\\d+) ms")
                    .matcher(r.body());
            assertThat(waited.find()).isTrue();
            assertThat(Integer.parseInt(waited.group(1))).isBetween(1, 300);
            assertThat(r.body()).contains("no pipeline has been started yet");
            assertThat(o.gate().rejected()).isEqualTo(1);
            assertThat(o.gate().waiting()).isZero();
            assertThat(launcher.launches).hasValue(0);
            assertThat(Fixture.get(http, g.baseUri().resolve("/metrics")).body())
                    .contains("placement_gateway_requests_total{endpoint=\"completions\",outcome=\"rejected\"} 1.0");
        }
    }

    @Test
    void healthFollowsTheOrchestrator503WhileDownThen200WithWhatRunsAndMetricsShowBothMeterFamilies()
            throws Exception {
        TestUpstreams.Launcher launcher = new TestUpstreams.Launcher(n -> TestUpstreams.standIn());
        try (PlacementOrchestrator o = f.orchestrator(launcher).build();
             PlacementGateway g = PlacementGateway.builder().orchestrator(o).build()) {
            g.start();
            HttpResponse<String> down = Fixture.get(http, g.baseUri().resolve("/health"));
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("application/json"));
            assertThat(down.body()).startsWith("{\"status\":\"DOWN\",\"state\":\"NOT_STARTED\"");

            assertThat(o.runOnce().action()).isEqualTo(TickOutcome.Action.RECONFIGURED);
            HttpResponse<String> up = Fixture.get(http, g.baseUri().resolve("/health"));
            HttpResponse<String> models = Fixture.get(http, g.baseUri().resolve("/v1/models"));
            HttpResponse<String> metrics = Fixture.get(http, g.baseUri().resolve("/metrics"));

            String id = o.running().orElseThrow().id();
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).startsWith("{\"status\":\"UP\",\"state\":\"RUNNING\"")
                    .contains("\"pipelineId\":\"" + id + "\"").contains("\"placement\":\"" + Fixture.THREE.toSpec());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.headers().firstValue(PlacementGateway.PIPELINE_HEADER)).hasValue(id);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("text/plain"));
            assertThat(metrics.body())
                    .contains("placement_gateway_requests_total{endpoint=\"models\",outcome=\"ok\"} 1.0")
                    .contains("placement_gateway_hold_seconds_count 1")
                    .contains("placement_reconfigurations_total");
        }
    }

    @Test
    void healthIs200DegradedWhileAReconfigurationRuns() throws Exception {
        java.util.concurrent.CountDownLatch launching = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        TestUpstreams.Launcher launcher = new TestUpstreams.Launcher(n -> {
            if (n == 2) {
                launching.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> finish.getCount() == 0);
            }
            return TestUpstreams.standIn();
        });
        try (PlacementOrchestrator o = f.orchestrator(launcher).build();
             PlacementGateway g = PlacementGateway.builder().orchestrator(o).build()) {
            g.start();
            o.runOnce();
            f.node2Slow(true);
            CompletableFuture<TickOutcome> tick = CompletableFuture.supplyAsync(o::runOnce);
            assertThat(launching.await(30, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> during = Fixture.get(http, g.baseUri().resolve("/health"));
            finish.countDown();

            assertThat(during.statusCode()).isEqualTo(200);
            assertThat(during.body()).startsWith("{\"status\":\"DEGRADED\",\"state\":\"RECONFIGURING\"");
            assertThat(tick.get(30, TimeUnit.SECONDS).action()).isEqualTo(TickOutcome.Action.RECONFIGURED);
        }
    }

    @Test
    void apiKeysAreRequiredComparedAndNeverForwardedUnlessAnUpstreamKeyIsConfigured() throws Exception {
        TestUpstreams.Recording upstream = new TestUpstreams.Recording();
        TestUpstreams.Launcher launcher = new TestUpstreams.Launcher(n -> upstream.upstream());
        ApiKey client = ApiKey.of("client-key-0123456789");
        try (PlacementOrchestrator o = f.orchestrator(launcher).build();
             PlacementGateway g = PlacementGateway.builder().orchestrator(o).apiKeys(client).build();
             PlacementGateway withUpstreamKey = PlacementGateway.builder().orchestrator(o).apiKeys(client)
                     .upstreamApiKey(ApiKey.of("upstream-key-abcdefgh")).bindOrchestratorMetrics(false).build()) {
            o.runOnce();
            g.start();
            withUpstreamKey.start();
            URI models = g.baseUri().resolve("/v1/models");

            HttpResponse<String> none = Fixture.get(http, models);
            HttpResponse<String> wrong = Fixture.get(http, models, "Authorization", "Bearer client-key-0123456788");
            HttpResponse<String> right = Fixture.get(http, models, "Authorization", "Bearer client-key-0123456789");
            HttpResponse<String> replaced = Fixture.get(http, withUpstreamKey.baseUri().resolve("/v1/models"),
                    "Authorization", "Bearer client-key-0123456789");
            HttpResponse<String> health = Fixture.get(http, g.baseUri().resolve("/health"));

            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain("client-key");
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(replaced.statusCode()).isEqualTo(200);
            assertThat(health.statusCode()).isEqualTo(200); // no key needed
            // Only the two admitted requests reached the upstream: the first without any key, the second with
            // the gateway's upstream key, never the client's.
            assertThat(upstream.authorizations).containsExactly("null", "Bearer upstream-key-abcdefgh");
            assertThat(Fixture.get(http, g.baseUri().resolve("/metrics")).body()).contains(
                    "placement_gateway_requests_total{endpoint=\"models\",outcome=\"unauthorized\"} 2.0");
        }
        assertThat(client.toString()).doesNotContain("client-key");
        assertThat(client.matches("client-key-0123456789")).isTrue();
        assertThat(client.matches("client-key-012345678")).isFalse();
        assertThat(client.matches(null)).isFalse();
        assertThatThrownBy(() -> ApiKey.of("bad key with spaces")).isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("bad key");
        assertThatThrownBy(() -> PlacementGateway.builder().orchestrator(f.orchestrator(launcher).build())
                .upstreamApiKey(client).forwardClientAuthorization(true).build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFailureBeforeTheFirstByteIsRetriedOnceOnThePipelineThatReplacedTheOneThatFailed() throws Exception {
        try (TestUpstreams.FailsBeforeFirstByte faulty = new TestUpstreams.FailsBeforeFirstByte(true)) {
            TestUpstreams.Launcher launcher = new TestUpstreams.Launcher(n -> n == 1
                    ? new TestUpstreams.Upstream(faulty.endpoint(), () -> { }) : TestUpstreams.standIn());
            try (PlacementOrchestrator o = f.orchestrator(launcher).build();
                 PlacementGateway g = PlacementGateway.builder().orchestrator(o).build()) {
                o.runOnce();
                g.start();
                String first = o.running().orElseThrow().id();
                CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Fixture.postStream(http, g.baseUri(), "retried", 4);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(faulty.arrived.await(30, TimeUnit.SECONDS)).isTrue();
                // A switch starts while the request is at the failing pipeline; it fails once the gate is paused.
                f.node2Slow(true);
                CompletableFuture<TickOutcome> tick = CompletableFuture.supplyAsync(o::runOnce);
                await().atMost(Duration.ofSeconds(30)).until(() -> o.gate().isPaused());
                faulty.release.countDown();

                HttpResponse<String> r = answer.get(60, TimeUnit.SECONDS);
                assertThat(tick.get(60, TimeUnit.SECONDS).action()).isEqualTo(TickOutcome.Action.RECONFIGURED);
                String second = o.running().orElseThrow().id();
                assertThat(second).isNotEqualTo(first);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue(PlacementGateway.PIPELINE_HEADER)).hasValue(second);
                assertThat(r.body()).contains("data: [DONE]");
                assertThat(faulty.requests).hasValue(1);
                assertThat(f.events).filteredOn(e -> e instanceof OrchestratorEvent.Reconfigured).hasSize(2);
                assertThat(Fixture.get(http, g.baseUri().resolve("/metrics")).body())
                        .contains("placement_gateway_retries_total 1.0");
            }
        }
    }

    @Test
    void aFailureBeforeTheFirstByteWithoutASwitchIsNotRetriedAnd502() throws Exception {
        try (TestUpstreams.FailsBeforeFirstByte faulty = new TestUpstreams.FailsBeforeFirstByte(false)) {
            TestUpstreams.Launcher launcher = new TestUpstreams.Launcher(
                    n -> new TestUpstreams.Upstream(faulty.endpoint(), () -> { }));
            try (PlacementOrchestrator o = f.orchestrator(launcher).build();
                 PlacementGateway g = PlacementGateway.builder().orchestrator(o).build()) {
                o.runOnce();
                g.start();

                HttpResponse<String> r = Fixture.postStream(http, g.baseUri(), "not-retried", 4);

                assertThat(r.statusCode()).isEqualTo(502);
                assertThat(r.body()).contains("failed before answering");
                assertThat(faulty.requests).hasValue(1);
                assertThat(o.gate().inFlight()).isZero();
                assertThat(Fixture.get(http, g.baseUri().resolve("/metrics")).body())
                        .contains("placement_gateway_retries_total 0.0");
            }
        }
    }

    @Test
    void settingsAreValidatedOnConstruction() {
        assertThatThrownBy(() -> new GatewaySettings("127.0.0.1", 70000, Duration.ZERO, null, Duration.ZERO,
                Duration.ofMinutes(1), 1, 1)).hasMessageContaining("port");
        assertThatThrownBy(() -> new GatewaySettings("127.0.0.1", 0, Duration.ofMinutes(5), null, Duration.ZERO,
                Duration.ofMinutes(1), 1, 1)).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> new GatewaySettings(" ", 0, Duration.ZERO, null, Duration.ZERO,
                Duration.ofMinutes(1), 1, 1)).hasMessageContaining("bindAddress");
        assertThat(GatewaySettings.defaults().bindAddress()).isEqualTo("127.0.0.1");
    }
}
