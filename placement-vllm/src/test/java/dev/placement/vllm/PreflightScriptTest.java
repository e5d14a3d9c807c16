package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shipped {@code preflight.py} for real against the stand-in {@code ray} (test resources {@code fakepy/})
 * and {@code nvidia-smi} ({@code fakebin/}): each fake node has its own environment (an installed vLLM
 * distribution or none, its own nvidia-smi answer) and its own Ray node-manager port, open (a listening loopback
 * socket) or closed. The script reports facts; what blocks is decided in Java.
 */
class PreflightScriptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ray registered node1 as "localhost": a distinct address that is still loopback. */
    private static final ClusterSnapshot CLUSTER = new ClusterSnapshot(List.of(
            new NodeSpec("node0", "127.0.0.1", TestClusters.T4), new NodeSpec("node1", "localhost", TestClusters.T4)));

    @TempDir
    Path dir;
    private ServerSocket node0Raylet;
    private int closedPort;

    @BeforeEach
    void nodes() throws IOException {
        assumeTrue(LauncherScriptDryRunTest.python3Available(), "python3 is not installed");
        node0Raylet = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterEach
    void close() throws IOException {
        if (node0Raylet != null) {
            node0Raylet.close();
        }
    }

    @Test
    void eachNodeReportsItsVersionsGpusAndWhichPlannedNodesItReaches() throws Exception {
        JsonNode event = run("node0:20,node1:20", List.of(node("ray-a", "127.0.0.1", node0Raylet.getLocalPort(),
                "0.23.0", "0, Tesla T4, 15360, 15101"), node("ray-b", "localhost", closedPort, null,
                "0, Tesla T4, 15360, 9000")));

        JsonNode first = event.get("nodes").get(0);
        assertThat(first.get("node").asText()).isEqualTo("node0");
        assertThat(first.get("ray_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(first.get("ray_gpus").asDouble()).isEqualTo(1.0);
        assertThat(first.get("accelerator").asText()).isEqualTo("T4");
        JsonNode facts = first.get("facts");
        assertThat(facts.get("ray").asText()).isEqualTo("2.50.0");
        assertThat(facts.get("vllm").asText()).isEqualTo("0.23.0");
        assertThat(facts.get("executor").asText()).isEqualTo("RayExecutorV2");
        assertThat(facts.at("/gpus/0/name").asText()).isEqualTo("Tesla T4");
        assertThat(facts.at("/gpus/0/memory_total_mib").asInt()).isEqualTo(15360);
        assertThat(facts.at("/gpus/0/memory_free_mib").asInt()).isEqualTo(15101);
        // node0 cannot open node1's closed port; node1 reaches node0's listening one.
        assertThat(facts.at("/reaches/0/node").asText()).isEqualTo("node1");
        assertThat(facts.at("/reaches/0/port").asInt()).isEqualTo(closedPort);
        assertThat(facts.at("/reaches/0/reachable").asBoolean()).isFalse();
        assertThat(facts.at("/reaches/0/error").asText()).containsIgnoringCase("refused");
        JsonNode second = event.get("nodes").get(1).get("facts");
        assertThat(second.get("vllm").isNull()).as("node1's environment has no vLLM").isTrue();
        assertThat(second.at("/reaches/0/reachable").asBoolean()).isTrue();
        assertThat(second.at("/gpus/0/memory_free_mib").asInt()).isEqualTo(9000);
        assertThat(event.at("/order/keeps_plan").asBoolean()).isTrue();
    }

    @Test
    void anOldVllmThatWouldReorderTheRanksIsReportedWithTheLaunchersRefusal() throws Exception {
        ClusterSnapshot ips = new ClusterSnapshot(List.of(new NodeSpec("node0", "10.0.0.9", TestClusters.T4),
                new NodeSpec("node1", "10.0.0.11", TestClusters.T4), new NodeSpec("node2", "10.0.0.10",
                        TestClusters.T4)));
        JsonNode event = run(ips, "node0:14,node1:13,node2:13", List.of(node("a", "10.0.0.9", 0, "0.11.0", null),
                node("b", "10.0.0.10", 0, "0.11.0", null), node("c", "10.0.0.11", 0, "0.11.0", null)));

        assertThat(event.at("/nodes/0/facts/executor").asText()).isEqualTo("RayDistributedExecutor");
        assertThat(event.at("/order/keeps_plan").asBoolean()).isFalse();
        assertThat(event.at("/order/message").asText()).contains("use vLLM >= 0.20.0");
        assertThat(event.at("/nodes/0/facts/gpu_error").asText()).contains("NVIDIA-SMI has failed");
    }

    @Test
    void aNodeRayDoesNotKnowAndANodeThatNeverAnswersAreReportedNotAwaited() throws Exception {
        ObjectNode hanging = node("ray-a", "127.0.0.1", node0Raylet.getLocalPort(), "0.23.0", null);
        hanging.put("hang", true);
        JsonNode event = run(CLUSTER, "node0:20,node1:20", List.of(hanging), Map.of("PLACEMENT_PREFLIGHT_TIMEOUT_S",
                "5"));

        assertThat(event.at("/nodes/0/known").asBoolean()).isTrue();
        assertThat(event.at("/nodes/0/error").asText()).contains("did not finish within 5 s");
        assertThat(event.at("/nodes/1/known").asBoolean()).isFalse();
        assertThat(event.at("/nodes/1/error").asText()).contains("localhost (node node1) is not an alive node");
        assertThat(event.get("order").isNull()).isTrue();
    }

    /** A fake Ray node: vLLM installed in its environment when a version is given; nvidia-smi's answer, if any. */
    private static ObjectNode node(String id, String ip, int port, String vllm, String nvidiaSmi) {
        ObjectNode n = JSON.createObjectNode().put("id", id).put("ip", ip).put("port", port).put("accelerator", "T4");
        if (vllm != null) {
            n.put("vllm", vllm);
        }
        if (nvidiaSmi != null) {
            n.put("nvidia_smi", nvidiaSmi);
        }
        return n;
    }

    private JsonNode run(String placement, List<ObjectNode> nodes) throws Exception {
        return run(CLUSTER, placement, nodes, Map.of());
    }

    private JsonNode run(ClusterSnapshot cluster, String placement, List<ObjectNode> nodes) throws Exception {
        return run(cluster, placement, nodes, Map.of());
    }

    private JsonNode run(ClusterSnapshot cluster, String placement, List<ObjectNode> nodes, Map<String, String> env)
            throws Exception {
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        LauncherScript.writeTo(scripts);
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse(placement), TestClusters.request(cluster),
                VllmOptions.defaults());
        ObjectNode rayCluster = JSON.createObjectNode();
        rayCluster.putArray("nodes").addAll(nodes);
        ProcessBuilder pb = new ProcessBuilder("python3", scripts.resolve(LauncherScript.PREFLIGHT_FILE).toString(),
                "--plan-b64", plan.encodedLauncherInput());
        pb.environment().putAll(Map.of("PYTHONPATH", fakes("fakepy").toString(), "FAKE_RAY_CLUSTER",
                rayCluster.toString(), "TMPDIR", dir.toString()));
        pb.environment().putAll(env);
        Path out = dir.resolve("out.txt");
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("preflight.py exited").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        List<String> events = output.lines().filter(l -> l.startsWith("placement-event ")).toList();
        assertThat(events).as(output).hasSize(1);
        JsonNode event = JSON.readTree(events.get(0).substring("placement-event ".length()));
        assertThat(event.get("event").asText()).isEqualTo("preflight");
        return event;
    }

    static Path fakes(String name) {
        try {
            return Path.of(PreflightScriptTest.class.getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
