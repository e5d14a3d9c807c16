package dev.placement.vllm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.GpuSpec;
import dev.placement.api.LaunchException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.RunningPipeline;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Ray Jobs lifecycle against WireMock, with bodies in the shapes of Ray's job_head.py and vLLM's server. */
class RayJobsLauncherTest {

    private static final String TOKEN = "s3cr3t-token-value";
    private static final Placement PLACEMENT = Placement.parse("node0:20,node1:20");
    private final ObjectMapper json = new ObjectMapper();
    private WireMockServer wm;
    private FakeTime time;
    private ClusterSnapshot cluster;

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        time = new FakeTime();
        // Rank 0 serves on 127.0.0.1, so vLLM's endpoints are the same WireMock; node1 is never contacted.
        GpuSpec t4 = GpuSpec.of("T4", 16, 320, 65);
        cluster = new ClusterSnapshot(List.of(new NodeSpec("node0", "127.0.0.1", t4),
                new NodeSpec("node1", "10.0.0.11", t4)));
        wm.stubFor(get(urlPathMatching("/api/packages/gcs/.*")).willReturn(aResponse().withStatus(404)));
        wm.stubFor(put(urlPathMatching("/api/packages/gcs/.*")).willReturn(aResponse().withStatus(200)));
        wm.stubFor(post(urlEqualTo("/api/jobs/")).willReturn(okJson(
                "{\"job_id\": null, \"submission_id\": \"placement-x\"}")));
        wm.stubFor(post(urlMatching("/api/jobs/[^/]+/stop")).willReturn(okJson("{\"stopped\": true}")));
        wm.stubFor(delete(urlMatching("/api/jobs/[^/]+")).willReturn(okJson("{\"deleted\": true}")));
        jobLogs(TestClusters.RANKS_VERIFIED + "\nINFO worker.py: Loading weights\nValueError: sum(partitions)=39 does not "
                + "match num_hidden_layers=40.\n");
    }

    private void jobLogs(String logs) {
        wm.stubFor(get(urlMatching("/api/jobs/[^/]+/logs")).willReturn(okJson(json.createObjectNode()
                .put("logs", logs).toString())));
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    private RayJobsLauncher launcher() {
        return RayJobsLauncher.builder().dashboard(URI.create(wm.baseUrl())).bearerToken(TOKEN)
                .options(VllmOptions.builder().port(wm.port()).build())
                .clock(time).sleeper(time).pollInterval(Duration.ofSeconds(2))
                .readyTimeout(Duration.ofMinutes(5)).drainTimeout(Duration.ofSeconds(30))
                .stopGracePeriod(Duration.ofSeconds(20)).build();
    }

    private void jobStatuses(String... statuses) {
        String state = Scenario.STARTED;
        for (int i = 0; i < statuses.length; i++) {
            String next = i == statuses.length - 1 ? state : "s" + (i + 1);
            wm.stubFor(get(urlPathMatching("/api/jobs/placement-[^/]+")).inScenario("job").whenScenarioStateIs(state)
                    .willReturn(okJson(jobDetails(statuses[i]))).willSetStateTo(next));
            state = next;
        }
    }

    private static String jobDetails(String status) {
        return "{\"type\": \"SUBMISSION\", \"job_id\": \"02000000\", \"submission_id\": \"placement-x\", "
                + "\"driver_info\": {\"id\": \"02000000\", \"node_ip_address\": \"127.0.0.1\", \"pid\": \"4242\"}, "
                + "\"status\": \"" + status + "\", \"entrypoint\": \"python launch_vllm.py --plan-b64 e30\", "
                + "\"message\": \"" + ("FAILED".equals(status) ? "Job entrypoint command failed with exit code 1"
                        : "Job is currently running.") + "\", \"error_type\": null, \"start_time\": 1764244800000, "
                + "\"end_time\": null, \"metadata\": {\"placement\": \"node0:20,node1:20\"}, "
                + "\"runtime_env\": {}, \"driver_agent_http_address\": \"http://127.0.0.1:52365\", "
                + "\"driver_node_id\": \"abc\", \"driver_exit_code\": null}";
    }

    private void vllmReadyAfterHealthFailures(int failures) {
        String state = Scenario.STARTED;
        for (int i = 0; i < failures; i++) {
            wm.stubFor(get(urlEqualTo("/health")).inScenario("health").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(503)).willSetStateTo("h" + (i + 1)));
            state = "h" + (i + 1);
        }
        wm.stubFor(get(urlEqualTo("/health")).inScenario("health").whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200)));
        wm.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson("{\"object\": \"list\", \"data\": [{\"id\": "
                + "\"tiiuae/Falcon3-10B-Base\", \"object\": \"model\", \"created\": 1764244800, \"owned_by\": "
                + "\"vllm\", \"root\": \"tiiuae/Falcon3-10B-Base\", \"parent\": null, \"max_model_len\": 32768, "
                + "\"permission\": []}]}")));
    }

    @Test
    void launchSubmitsTheJobWaitsThroughPendingAndReturnsOnceVllmIsReady() throws Exception {
        jobStatuses("PENDING", "PENDING", "RUNNING");
        vllmReadyAfterHealthFailures(2);

        RunningPipeline p = launcher().launch(PLACEMENT, TestClusters.request(cluster));

        assertThat(p.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + wm.port()));
        assertThat(p.id()).startsWith("placement-");
        assertThat(p.startedAt()).isAfter(java.time.Instant.parse("2026-11-27T12:00:00Z"));
        List<LoggedRequest> posts = wm.findAll(postRequestedFor(urlEqualTo("/api/jobs/")));
        assertThat(posts).hasSize(1);
        JsonNode body = json.readTree(posts.get(0).getBodyAsString());
        assertThat(body.get("submission_id").asText()).isEqualTo(p.id());
        assertThat(body.at("/runtime_env/env_vars/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("20,20");
        assertThat(body.at("/runtime_env/env_vars/VLLM_USE_RAY_V2_EXECUTOR_BACKEND").asText()).isEqualTo("1");
        assertThat(body.at("/runtime_env/working_dir").asText()).matches("gcs://_ray_pkg_[0-9a-f]{16}\\.zip");
        assertThat(body.at("/metadata/placement").asText()).isEqualTo("node0:20,node1:20");
        assertThat(body.get("entrypoint").asText()).startsWith("python launch_vllm.py --plan-b64 ");
        wm.verify(putRequestedFor(urlPathMatching("/api/packages/gcs/_ray_pkg_.*")));
        wm.verify(postRequestedFor(urlEqualTo("/api/jobs/")).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        wm.verify(getRequestedFor(urlEqualTo("/v1/models")));
        assertThat(time.sleeps.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void launchReturnsTheRanksTheLauncherVerifiedFromTheJobsLogs() {
        jobStatuses("RUNNING");
        vllmReadyAfterHealthFailures(0);

        RunningPipeline p = launcher().launch(PLACEMENT, TestClusters.request(cluster));

        assertThat(p.verifiedRanks()).containsExactly("node0 (127.0.0.1)", "node1 (10.0.0.11)");
    }

    @Test
    void aServerThatAnswersBeforeAnyRankReportIsNotReady() {
        jobStatuses("RUNNING");
        vllmReadyAfterHealthFailures(0);
        jobLogs("INFO api_server.py: Started server process\n");
        RayJobsLauncher launcher = RayJobsLauncher.builder().dashboard(URI.create(wm.baseUrl()))
                .options(VllmOptions.builder().port(wm.port()).build()).clock(time).sleeper(time)
                .readyTimeout(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(5)).build();

        assertThatThrownBy(() -> launcher.launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("not ready within 30 s")
                .hasMessageContaining("no rank report")
                .hasMessageContaining("the job was stopped");
    }

    @Test
    void aRankOnTheWrongNodeFailsTheLaunchWithTheLaunchersOneLine() {
        jobStatuses("RUNNING", "FAILED");
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(503)));
        String line = "rank 1 runs on node2 (10.0.0.12), but the plan puts it on node1 (10.0.0.11): vLLM did not "
                + "keep the planned rank order";
        jobLogs("(pid=77) placement-event {\"event\": \"rank_mismatch\", \"rank\": 1, \"message\": \"" + line
                + "\"}\nRuntimeError: Engine core initialization failed.\n");

        assertThatThrownBy(() -> launcher().launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("ended FAILED before vLLM was ready: " + line);
    }

    @Test
    void jobThatFailsBeforeReadyFailsTheLaunchWithItsLogs() {
        jobStatuses("PENDING", "RUNNING", "FAILED");
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> launcher().launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("ended FAILED")
                .hasMessageContaining("exit code 1")
                .hasMessageContaining("sum(partitions)=39 does not match num_hidden_layers=40")
                .hasMessageNotContaining(TOKEN);
        // Its logs are in the message; the ended job is deleted from Ray's list.
        wm.verify(deleteRequestedFor(urlMatching("/api/jobs/placement-[^/]+")));
    }

    @Test
    void readinessTimeoutCollectsLogsStopsTheJobAndSaysWhy() {
        jobStatuses("RUNNING");
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(503)));
        RayJobsLauncher launcher = RayJobsLauncher.builder().dashboard(URI.create(wm.baseUrl()))
                .options(VllmOptions.builder().port(wm.port()).build()).clock(time).sleeper(time)
                .readyTimeout(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(5)).build();

        assertThatThrownBy(() -> launcher.launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("not ready within 60 s")
                .hasMessageContaining("/health answered 503")
                .hasMessageContaining("the job was stopped")
                .hasMessageContaining("Loading weights");
        wm.verify(postRequestedFor(urlMatching("/api/jobs/placement-[^/]+/stop")));
        assertThat(time.instant()).isAfterOrEqualTo(java.time.Instant.parse("2026-11-27T12:01:00Z"));
    }

    @Test
    void rejectedSubmissionIsReportedWithRaysAnswer() {
        wm.stubFor(post(urlEqualTo("/api/jobs/")).willReturn(aResponse().withStatus(400)
                .withBody("Traceback ...\nValueError: Job with submission_id placement-x already exists.")));

        assertThatThrownBy(() -> launcher().launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class).hasMessageContaining("HTTP 400")
                .hasMessageContaining("already exists");
    }

    @Test
    void unreachableDashboardIsALaunchException() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        RayJobsLauncher launcher = RayJobsLauncher.builder().dashboard(URI.create("http://127.0.0.1:" + closed))
                .clock(time).sleeper(time).build();

        assertThatThrownBy(() -> launcher.launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class).hasMessageContaining("cannot reach the Ray dashboard");
    }

    @Test
    void stopDrainsRunningRequestsThenStopsAndWaitsForATerminalStatus() {
        String state = Scenario.STARTED;
        for (String running : List.of("3.0", "1.0", "0.0")) {
            String next = "m" + running;
            wm.stubFor(get(urlEqualTo("/metrics")).inScenario("metrics").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(200).withBody(
                            "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
                                    + "# TYPE vllm:num_requests_running gauge\n"
                                    + "vllm:num_requests_running{engine=\"0\",model_name=\"falcon\"} " + running
                                    + "\n")).willSetStateTo(next));
            state = next;
        }
        jobStatuses("RUNNING", "STOPPED");
        RunningPipeline p = new RunningPipeline("placement-abc", PLACEMENT, URI.create(wm.baseUrl()), time.instant());

        launcher().stop(p);

        wm.verify(3, getRequestedFor(urlEqualTo("/metrics")));
        wm.verify(postRequestedFor(urlEqualTo("/api/jobs/placement-abc/stop"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/api/jobs/placement-abc")))).hasSize(2);
        // Once it has ended, the job is deleted from Ray's list, so that reconfigurations do not pile jobs up.
        wm.verify(deleteRequestedFor(urlEqualTo("/api/jobs/placement-abc"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void aStoppedJobIsKeptWhenAskedAndAFailedDeleteDoesNotFailTheStop() {
        wm.stubFor(get(urlEqualTo("/metrics")).willReturn(aResponse().withStatus(200).withBody("")));
        jobStatuses("STOPPED");
        RunningPipeline p = new RunningPipeline("placement-abc", PLACEMENT, URI.create(wm.baseUrl()), time.instant());
        RayJobsLauncher keeping = RayJobsLauncher.builder().dashboard(URI.create(wm.baseUrl()))
                .options(VllmOptions.builder().port(wm.port()).build()).clock(time).sleeper(time)
                .keepStoppedJobs(true).build();

        keeping.stop(p);
        wm.verify(0, deleteRequestedFor(urlMatching("/api/jobs/.*")));

        wm.stubFor(delete(urlMatching("/api/jobs/[^/]+")).willReturn(aResponse().withStatus(400)
                .withBody("Attempted to delete job placement-abc, but it is in a non-terminal state.")));
        launcher().stop(p);
        wm.verify(1, deleteRequestedFor(urlEqualTo("/api/jobs/placement-abc")));
    }

    @Test
    void stopGivesUpDrainingAfterTheBoundAndFailsIfTheJobOutlivesTheGracePeriod() {
        wm.stubFor(get(urlEqualTo("/metrics")).willReturn(aResponse().withStatus(200)
                .withBody("vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 5.0\n")));
        jobStatuses("RUNNING");
        RunningPipeline p = new RunningPipeline("placement-abc", PLACEMENT, URI.create(wm.baseUrl()), time.instant());

        assertThatThrownBy(() -> launcher().stop(p)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("did not stop within 20 s");
        wm.verify(postRequestedFor(urlEqualTo("/api/jobs/placement-abc/stop")));
    }

    @Test
    void stoppingAJobRayNoLongerKnowsSucceeds() {
        wm.stubFor(post(urlEqualTo("/api/jobs/placement-gone/stop")).willReturn(aResponse().withStatus(404)));
        RunningPipeline p = new RunningPipeline("placement-gone", PLACEMENT, URI.create("http://127.0.0.1:1"),
                time.instant());

        launcher().stop(p);

        wm.verify(postRequestedFor(urlEqualTo("/api/jobs/placement-gone/stop")));
    }

    @Test
    void tokenNeverAppearsInTheLauncherOrThePlan() {
        RayJobsLauncher l = launcher();
        assertThat(l.toString()).doesNotContain(TOKEN);
        assertThat(l.plan(PLACEMENT, TestClusters.request(cluster)).toJson()).doesNotContain(TOKEN);
    }

    @Test
    void packageAlreadyOnTheClusterIsNotUploadedAgain() {
        wm.stubFor(get(urlPathMatching("/api/packages/gcs/.*")).willReturn(aResponse().withStatus(200)));
        jobStatuses("RUNNING");
        vllmReadyAfterHealthFailures(0);

        launcher().launch(PLACEMENT, TestClusters.request(cluster));

        wm.verify(0, putRequestedFor(urlPathMatching("/api/packages/.*")));
        wm.verify(postRequestedFor(urlEqualTo("/api/jobs/"))
                .withRequestBody(matchingJsonPath("$.runtime_env.working_dir")));
    }

    @Test
    void tokenEchoedInARejectionBodyIsRedactedFromTheMessage() {
        wm.stubFor(post(urlEqualTo("/api/jobs/")).willReturn(aResponse().withStatus(500)
                .withBody("{\"token\": \"" + TOKEN + "\", \"auth\": \"Bearer " + TOKEN + "\"}")));

        assertThatThrownBy(() -> launcher().launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class).hasMessageContaining("HTTP 500")
                .hasMessageContaining("\"token\": \"***\"").hasMessageNotContaining(TOKEN);
    }

    @Test
    void tokenEchoedInTheJobMessageAndLogsIsRedacted() {
        jobStatuses("PENDING", "FAILED");
        wm.stubFor(get(urlPathMatching("/api/jobs/placement-[^/]+")).atPriority(1).willReturn(okJson(
                jobDetails("FAILED").replace("Job entrypoint command failed with exit code 1",
                        "auth failed for token " + TOKEN))));
        wm.stubFor(get(urlMatching("/api/jobs/[^/]+/logs")).willReturn(okJson(
                "{\"logs\": \"RAY_TOKEN=" + TOKEN + "\\nValueError: boom\\n\"}")));
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> launcher().launch(PLACEMENT, TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class).hasMessageContaining("ended FAILED")
                .hasMessageContaining("auth failed for token ***").hasMessageContaining("RAY_TOKEN=***")
                .hasMessageNotContaining(TOKEN);
    }
    @Test
    void aJobThatEndedOrThatRayNoLongerKnowsIsReportedDeadAndARunningOneAlive() {
        RayJobsLauncher l = launcher();
        RunningPipeline running = new RunningPipeline("placement-run", PLACEMENT, URI.create(wm.baseUrl()),
                time.instant());
        wm.stubFor(get(urlEqualTo("/api/jobs/placement-run")).willReturn(okJson(jobDetails("RUNNING"))));
        assertThat(l.isAlive(running)).isTrue();

        for (String ended : List.of("FAILED", "STOPPED", "SUCCEEDED")) {
            wm.stubFor(get(urlEqualTo("/api/jobs/placement-run")).willReturn(okJson(jobDetails(ended))));
            assertThat(l.isAlive(running)).as(ended).isFalse();
        }
        wm.stubFor(get(urlEqualTo("/api/jobs/placement-run")).willReturn(aResponse().withStatus(404)));
        assertThat(l.isAlive(running)).isFalse();
    }

    @Test
    void aDashboardThatCannotTellThrowsInsteadOfReportingDead() {
        wm.stubFor(get(urlEqualTo("/api/jobs/placement-run")).willReturn(aResponse().withStatus(500)
                .withBody("internal error")));
        RunningPipeline running = new RunningPipeline("placement-run", PLACEMENT, URI.create(wm.baseUrl()),
                time.instant());

        assertThatThrownBy(() -> launcher().isAlive(running)).hasMessageContaining("HTTP 500");
    }
}
