package dev.placement.vllm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.placement.api.LaunchException;
import dev.placement.api.Placement;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RayJobsLauncher#preflight} against a loopback fake of the Ray dashboard: the job's life, not its facts. */
class RayPreflightTest {
    private static final String TOKEN = "pre-s3cr3t-token";
    private final ObjectMapper json = new ObjectMapper();
    private WireMockServer wm;
    private final FakeTime time = new FakeTime();

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        wm.stubFor(get(urlPathMatching("/api/packages/gcs/.*")).willReturn(aResponse().withStatus(404)));
        wm.stubFor(put(urlPathMatching("/api/packages/gcs/.*")).willReturn(aResponse().withStatus(200)));
        wm.stubFor(post(urlEqualTo("/api/jobs/")).willReturn(okJson("{\"submission_id\": \"x\"}")));
        wm.stubFor(post(urlMatching("/api/jobs/[^/]+/stop")).willReturn(okJson("{\"stopped\": true}")));
        wm.stubFor(delete(urlMatching("/api/jobs/[^/]+")).willReturn(okJson("{\"deleted\": true}")));
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    private void job(String status, String logs) {
        wm.stubFor(get(urlMatching("/api/jobs/placement-preflight-[^/]+")).willReturn(okJson(json.createObjectNode()
                .put("status", status).put("message", "Job entrypoint command failed with exit code 1").toString())));
        wm.stubFor(get(urlMatching("/api/jobs/placement-preflight-[^/]+/logs")).willReturn(okJson(
                json.createObjectNode().put("logs", logs).toString())));
    }

    private PreflightReport preflight() {
        return RayJobsLauncher.builder().dashboard(URI.create(wm.baseUrl())).bearerToken(TOKEN).clock(time)
                .sleeper(time).preflightTimeout(Duration.ofSeconds(30)).build()
                .preflight(Placement.parse("node0:20,node1:20"), TestClusters.request(TestClusters.nodes(2)));
    }

    @Test
    void theReportInTheLogsOfTheEndedJobIsReadAndTheJobDeleted() throws Exception {
        job("SUCCEEDED", "2026-12-03 INFO worker.py: connecting\nplacement-event {\"event\": \"preflight\", \"nodes\": "
                + "[{\"rank\": 0, \"node\": \"node0\", \"address\": \"10.0.0.10\", \"known\": true, \"ray_ip\": "
                + "\"10.0.0.10\", \"ray_gpus\": 1, \"facts\": {\"ray\": \"2.50.0\", \"vllm\": null, \"gpus\": [], "
                + "\"gpu_error\": \"nvidia-smi is not installed\", \"reaches\": []}}], \"order\": null}\n");

        PreflightReport report = preflight();

        assertThat(report.blockers()).containsExactly("node0 (10.0.0.10): vLLM is not installed in the job's Python "
                + "environment on this node");
        JsonNode body = json.readTree(wm.findAll(postRequestedFor(urlEqualTo("/api/jobs/"))).get(0).getBodyAsString());
        assertThat(body.get("submission_id").asText()).startsWith("placement-preflight-");
        assertThat(body.get("entrypoint").asText()).startsWith("python preflight.py --plan-b64 ");
        assertThat(body.at("/runtime_env/working_dir").asText()).startsWith("gcs://_ray_pkg_");
        assertThat(body.at("/runtime_env/env_vars/PLACEMENT_PREFLIGHT_TIMEOUT_S").asText()).isEqualTo("15");
        wm.verify(1, deleteRequestedFor(urlMatching("/api/jobs/placement-preflight-[^/]+")));
    }

    @Test
    void aJobThatEndsWithoutAReportFailsWithItsLogsAndIsDeleted() {
        job("FAILED", "Traceback (most recent call last):\nModuleNotFoundError: No module named 'ray'\n");

        assertThatThrownBy(this::preflight).isInstanceOf(LaunchException.class)
                .hasMessageMatching("(?s)the preflight job placement-preflight-\\S+ ended FAILED without a report: Job "
                        + "entrypoint command failed with exit code 1; last job logs:.*No module named 'ray'")
                .hasMessageNotContaining(TOKEN);
        wm.verify(1, deleteRequestedFor(urlMatching("/api/jobs/placement-preflight-[^/]+")));
    }

    @Test
    void aJobThatDoesNotEndInTimeIsStoppedAndSaysWhereItWas() {
        job("PENDING", "");

        assertThatThrownBy(this::preflight).isInstanceOf(LaunchException.class)
                .hasMessageContaining("did not end within 30 s (last status PENDING); the job was stopped");
        wm.verify(1, postRequestedFor(urlMatching("/api/jobs/placement-preflight-[^/]+/stop")));
    }
}
