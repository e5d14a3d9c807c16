package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code placement launch --preflight} end to end on loopback: the CLI submits the real preflight job to a fake
 * Ray dashboard that runs it for real ({@link FakeRayDashboard}) against the stand-in Ray and nvidia-smi of
 * placement-vllm's tests. Two fake nodes: node0 on 127.0.0.1 with vLLM installed and its Ray port listening,
 * node1 registered as "localhost" whose environment may lack vLLM and whose Ray port may be closed.
 */
class LaunchPreflightTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private ServerSocket node0Raylet;
    private ServerSocket node1Raylet;
    private FakeRayDashboard dashboard;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void ports() throws IOException {
        assumeTrue(new ProcessBuilder("python3", "--version").start().onExit().join().exitValue() == 0);
        node0Raylet = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        node1Raylet = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        if (dashboard != null) {
            dashboard.close();
        }
        node0Raylet.close();
        node1Raylet.close();
    }

    @Test
    void aNodeWithoutVllmAndAClosedRayPortAreReportedAsBlockingInThePerNodeTable() throws Exception {
        int closed = node1Raylet.getLocalPort();
        node1Raylet.close();
        start(node("ray-a", "127.0.0.1", node0Raylet.getLocalPort(), "0.23.0"), node("ray-b", "localhost", closed,
                null));

        int exit = launch("--preflight");

        String table = out.toString();
        assertThat(exit).as(table + err).isEqualTo(LaunchCommand.PREFLIGHT_BLOCKED);
        List<String> lines = table.lines().toList();
        assertThat(lines.get(0))
                .matches("rank +node +Ray address +Ray +vLLM +GPUs +GPU memory \\(free/total\\) +reaches");
        assertThat(lines.get(1))
                .matches("0 +node0 +127\\.0\\.0\\.1 +2\\.50\\.0 +0\\.23\\.0 +1 +Tesla T4 15101/15360 MiB +not node1");
        assertThat(lines.get(2)).matches("1 +node1 +localhost +2\\.50\\.0 +missing +1 +Tesla T4 15101/15360 MiB +all");
        assertThat(table).contains("\nblocking:\n")
                .contains("  - node1 (localhost): vLLM is not installed in the job's Python environment on this node")
                .contains("  - node0 cannot reach node1's Ray port at localhost:" + closed + ": Connection refused")
                .endsWith("preflight: 2 problems would block the launch\n");
        assertThat(err.toString()).contains("submitted preflight job placement-preflight-");
        // The job ran the shipped preflight with the launch's plan, and is deleted once read.
        assertThat(dashboard.submitted()).hasSize(1);
        FakeRayDashboard.Job job = dashboard.submitted().get(0);
        assertThat(job.submission().path("entrypoint").asText()).startsWith("python preflight.py --plan-b64 ");
        assertThat(job.submission().at("/metadata/purpose").asText()).isEqualTo("preflight");
        assertThat(job.submission().at("/runtime_env/env_vars/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("20,20");
        assertThat(dashboard.deleted()).containsExactly(job.id());
    }

    @Test
    void aReadyClusterPrintsTheTableAndNothingBlocks() throws Exception {
        start(node("ray-a", "127.0.0.1", node0Raylet.getLocalPort(), "0.23.0"), node("ray-b", "localhost",
                node1Raylet.getLocalPort(), "0.23.0"));

        int exit = launch("--preflight", "--quiet");

        assertThat(exit).as(out.toString() + err).isZero();
        assertThat(out.toString()).doesNotContain("blocking:").endsWith("preflight: nothing blocks the launch\n");
        assertThat(out.toString().lines().skip(1).limit(2))
                .allSatisfy(l -> assertThat(l).contains(" 0.23.0 ").endsWith(" all"));
        assertThat(err.toString()).doesNotContain("placement: [");
    }

    @Test
    void preflightNeedsTheRayJobsRuntimeAndIsNoDryRun() throws Exception {
        start(node("ray-a", "127.0.0.1", node0Raylet.getLocalPort(), "0.23.0"));

        assertThat(launch("--preflight", "--dry-run")).isEqualTo(2);
        assertThat(err.toString()).contains("--preflight").contains("and --dry-run exclude each other");
        assertThat(launch("--preflight", "--runtime", "local")).isEqualTo(2);
        assertThat(err.toString()).contains("needs --runtime ray-jobs");
        assertThat(dashboard.submitted()).isEmpty();
    }

    /** A fake Ray node (see placement-vllm's fakepy/ray): vLLM installed when a version is given, a free T4. */
    private static ObjectNode node(String id, String ip, int port, String vllm) {
        ObjectNode n = JSON.createObjectNode().put("id", id).put("ip", ip).put("port", port).put("accelerator", "T4")
                .put("nvidia_smi", "0, Tesla T4, 15360, 15101");
        return vllm == null ? n : n.put("vllm", vllm);
    }

    private void start(ObjectNode... nodes) throws IOException {
        Path resources = Path.of(System.getProperty("placement.vllmTestResources"));
        ObjectNode cluster = JSON.createObjectNode();
        ArrayNode list = cluster.putArray("nodes");
        List.of(nodes).forEach(list::add);
        dashboard = new FakeRayDashboard(dir, Map.of("PYTHONPATH", resources.resolve("fakepy").toString(),
                "FAKE_RAY_CLUSTER", cluster.toString(), "TMPDIR", dir.toString(), "PATH",
                FakeRayDashboard.pythonShim(dir) + ":" + System.getenv("PATH")));
    }

    private int launch(String... extra) throws IOException {
        Path clusterFile = dir.resolve("cluster.yaml");
        Files.writeString(clusterFile, "nodes:\n  - {id: node0, address: 127.0.0.1, gpu: T4}\n"
                + "  - {id: node1, address: localhost, gpu: T4}\n");
        List<String> args = new java.util.ArrayList<>(List.of("launch", "--cluster", clusterFile.toString(),
                "--model", "tiiuae/Falcon3-10B-Base", "--placement", "node0:20,node1:20", "--ray-address",
                dashboard.baseUrl(), "--dtype", "half"));
        args.addAll(List.of(extra));
        return CapturingCli.writingTo(out, err).execute(args.toArray(String[]::new));
    }
}
