package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.NodeSpec;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replicas from one {@link RayJobsLauncher} against a stand-in dashboard that runs each job's server on 127.0.0.1
 * at the job's port: every replica is its own Ray job, and a stop addresses that job only.
 */
class RayJobsLauncherReplicasTest extends ReplicaLauncherContract {

    private final ObjectMapper json = new ObjectMapper();
    private RayDashboardStandIn ray;
    private RayJobsLauncher launcher;

    @BeforeEach
    void startDashboard() throws Exception {
        ray = new RayDashboardStandIn();
    }

    @Override
    void afterStops() {
        ray.close();
    }

    @Override
    PipelineLauncher launcher(int firstPort, int lastPort, LaunchProgress progress) {
        launcher = quick(RayJobsLauncher.builder()).dashboard(ray.base()).portRange(firstPort, lastPort)
                .progress(progress).build();
        return launcher;
    }

    @Override
    Placement placement() {
        return Placement.parse("node0:20,node1:20");
    }

    @Override
    PlacementRequest request() {
        // Rank 0 serves on 127.0.0.1; node1's address is only planned, never contacted.
        return TestClusters.request(new ClusterSnapshot(List.of(new NodeSpec("node0", "127.0.0.1", TestClusters.T4),
                new NodeSpec("node1", "10.0.0.11", TestClusters.T4))));
    }

    private JsonNode plan(JsonNode submission) {
        String entrypoint = submission.path("entrypoint").asText();
        String encoded = entrypoint.substring(entrypoint.indexOf("--plan-b64 ") + "--plan-b64 ".length());
        try {
            return json.readTree(Base64.getUrlDecoder().decode(encoded));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return what the plan's argument list (as JSON) contains if it serves on that port */
    private static String portArgs(int port) {
        return "\"--port\",\"" + port + "\"";
    }

    @Test
    void eachReplicaIsItsOwnJobWithItsPortInTheMetadataAndAStopAddressesOnlyItsJob() throws Exception {
        int port = freePortRun(2);
        launcher(port, port + 1, LaunchProgress.NONE);
        RunningPipeline a = launcher.launch(placement(), request());
        RunningPipeline b = launcher.launch(placement(), request());
        try {
            assertThat(ray.submitted).extracting(s -> s.path("submission_id").asText())
                    .containsExactly(a.id(), b.id());
            assertThat(ray.submitted).extracting(s -> s.at("/metadata/port").asText())
                    .containsExactly(Integer.toString(port), Integer.toString(port + 1));
            // The plan each job's launcher reads carries its own submission id, after which it names its
            // placement group (LauncherRankCheckTest), and its own port.
            assertThat(ray.submitted).extracting(s -> plan(s).path("submission_id").asText())
                    .containsExactly(a.id(), b.id());
            assertThat(ray.submitted).extracting(s -> plan(s).path("args").toString())
                    .satisfiesExactly(args -> assertThat(args).contains(portArgs(port)),
                            args -> assertThat(args).contains(portArgs(port + 1)));

            launcher.stop(a);

            assertThat(ray.stopped).containsExactly(a.id());
            assertThat(launcher.isAlive(b)).isTrue();
        } finally {
            launcher.stop(b);
        }
    }
}
