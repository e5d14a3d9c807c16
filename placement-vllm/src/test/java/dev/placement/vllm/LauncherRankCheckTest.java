package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shipped launcher for real against stand-in {@code ray} and {@code vllm} packages (test resources
 * {@code fakepy/}) that mirror the signatures it relies on (docs/RUNTIME.md): the placement group, the OpenAI
 * server run in an actor, vLLM's engine core in a spawned child process that loads the general plugins, and
 * both Ray executors — the older one re-sorting workers by driver node then IP string, the newer one keeping the
 * bundle order. FAKE_VLLM_VERSION picks the vLLM; FAKE_RAY_CLUSTER the nodes as Ray registered them.
 */
class LauncherRankCheckTest {

    @TempDir
    static Path dir;
    static Path script;
    private final ObjectMapper json = new ObjectMapper();

    /** Ray registered node2 under the name edge-c; the plan gives node2's address as that host name. */
    private static final ClusterSnapshot CLUSTER = new ClusterSnapshot(List.of(
            new NodeSpec("node0", "10.0.0.9", TestClusters.T4), new NodeSpec("node1", "10.0.0.10", TestClusters.T4),
            new NodeSpec("node2", "edge-c", TestClusters.T4)));
    private static final String RAY_NODES = "{\"nodes\": [{\"id\": \"ray-a\", \"ip\": \"10.0.0.9\"}, "
            + "{\"id\": \"ray-b\", \"ip\": \"10.0.0.10\"%s}, {\"id\": \"ray-c\", \"ip\": \"10.0.0.11\", "
            + "\"name\": \"edge-c\"}]}";
    /** As Ray registered them. */
    private static final String ONE_ADDRESS_EACH = String.format(RAY_NODES, "");
    /** node1's own routing answers another interface than the one Ray registered (what vLLM's get_ip() sees). */
    private static final String NODE1_HAS_A_SECOND_NIC = String.format(RAY_NODES, ", \"host_ip\": \"10.0.1.20\"");

    @BeforeAll
    static void writeScript() {
        assumeTrue(LauncherScriptDryRunTest.python3Available(), "python3 is not installed");
        script = LauncherScript.writeTo(dir);
    }

    @Test
    void onTheNewExecutorEveryRankIsVerifiedOnItsPlannedNodeWhateverTheIpOrder() throws Exception {
        Run run = run("node2:13,node0:14,node1:13", "0.25.1", ONE_ADDRESS_EACH, Map.of());

        assertThat(run.exit).as(run.output()).isZero();
        assertThat(run.event("runtime").get("executor").asText()).isEqualTo("RayExecutorV2");
        assertThat(run.event("runtime").get("vllm").asText()).isEqualTo("0.25.1");
        assertThat(run.event("runtime").get("ray").asText()).isEqualTo("2.50.0");
        JsonNode ranks = run.event("ranks_verified").get("ranks");
        assertThat(ranks.findValuesAsText("node")).containsExactly("node2", "node0", "node1");
        assertThat(ranks.findValuesAsText("ip")).containsExactly("10.0.0.11", "10.0.0.9", "10.0.0.10");
        // The host name was found in Ray's node list: bundle 0 is pinned to the IP Ray registered for edge-c.
        JsonNode group = run.fake("FAKE_RAY", "placement_group");
        assertThat(group.get("strategy").asText()).isEqualTo("STRICT_SPREAD");
        assertThat(group.at("/bundles/0/node:10.0.0.11").asDouble()).isEqualTo(0.001);
        JsonNode server = run.fakes("FAKE_RAY", "actor").get(0);
        assertThat(server.get("cls").asText()).isEqualTo("OpenAiServer");
        assertThat(server.get("bundle_index").asInt()).isZero();
        assertThat(server.get("capture_child_tasks").asBoolean()).isTrue();
        assertThat(server.at("/resources/num_gpus").asInt()).isZero();
        assertThat(run.fake("FAKE_RAY", "init").get("runtime_env").isNull()).isTrue();
        JsonNode vllm = run.line("FAKE_VLLM ");
        assertThat(vllm.get("partition").asText()).isEqualTo("13,14,13");
        assertThat(vllm.get("bundle_indices").asText()).isEqualTo("0,1,2");
        assertThat(vllm.get("v2").asText()).isEqualTo("1");
        assertThat(vllm.at("/config_placement_group/0/node:10.0.0.11").asDouble()).isEqualTo(0.001);
        assertThat(strings(run.line("FAKE_VLLM_EXECUTOR ").get("rank_nodes"))).containsExactly("ray-c", "ray-a",
                "ray-b");
    }

    @Test
    void onTheOldExecutorAPlanInItsSortOrderStartsAndIsVerified() throws Exception {
        Run run = run("node0:13,node1:14,node2:13", "0.19.1", ONE_ADDRESS_EACH, Map.of());

        assertThat(run.exit).as(run.output()).isZero();
        assertThat(run.event("runtime").get("executor").asText()).isEqualTo("RayDistributedExecutor");
        assertThat(run.event("ranks_verified").get("ranks").findValuesAsText("node"))
                .containsExactly("node0", "node1", "node2");
    }

    @Test
    void onTheOldExecutorARankItSortedOntoAnotherNodeIsCaughtBeforeTheWorkersLoadTheModel() throws Exception {
        // By Ray's addresses the plan is in the old executor's order; by the addresses vLLM itself sorts on
        // (node1 answers 10.0.1.20), node2 comes before node1.
        Run run = run("node0:13,node1:14,node2:13", "0.19.1", NODE1_HAS_A_SECOND_NIC, Map.of());

        assertThat(run.exit).as(run.output()).isNotZero();
        assertThat(strings(run.line("FAKE_VLLM_EXECUTOR ").get("rank_nodes"))).containsExactly("ray-a", "ray-c",
                "ray-b");
        assertThat(run.event("rank_mismatch").get("message").asText()).isEqualTo("rank 1 runs on node2 "
                + "(10.0.0.11), but the plan puts it on node1 (10.0.0.10): vLLM did not keep the planned rank order");
        assertThat(run.events("ranks_verified")).isEmpty();
        assertThat(run.stdout).doesNotContain("init_device");
        assertThat(run.stderr).contains("launch_vllm: vLLM's server failed: Engine core initialization failed");
        LauncherEvents read = LauncherEvents.in(run.stdout);
        assertThat(read.failure()).contains(run.event("rank_mismatch").get("message").asText());
    }

    @Test
    void onTheOldExecutorAPlanItsSortCannotKeepIsRefusedNamingTheMinimumVersion() throws Exception {
        Run run = run("node0:13,node2:14,node1:13", "0.19.1", ONE_ADDRESS_EACH, Map.of());

        assertThat(run.exit).as(run.output()).isEqualTo(3);
        String message = run.event("refused").get("message").asText();
        assertThat(message).startsWith("vLLM 0.19.1 has no RayExecutorV2").contains("use vLLM >= 0.20.0")
                .contains("would order the ranks 10.0.0.9, 10.0.0.10, 10.0.0.11")
                .contains("not as planned (10.0.0.9, 10.0.0.11, 10.0.0.10)");
        assertThat(run.stdout).doesNotContain("FAKE_VLLM ");
        assertThat(run.stderr).contains("launch_vllm: " + message);
    }

    @Test
    void theRankCheckLoadsAlsoWhenTheUserNamesTheVllmPluginsToLoad() throws Exception {
        Run run = run("node2:13,node0:14,node1:13", "0.25.1", ONE_ADDRESS_EACH, Map.of("VLLM_PLUGINS", "lora_x"));

        assertThat(run.exit).as(run.output()).isZero();
        assertThat(run.events("ranks_verified")).hasSize(1);
    }

    @Test
    void aPlannedNodeRayDoesNotKnowIsRefusedListingRaysNodes() throws Exception {
        Run run = run("node2:20,node0:20", "0.25.1", "{\"nodes\": [{\"id\": \"ray-a\", \"ip\": \"10.0.0.9\"}]}",
                Map.of());

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.stderr).contains("stages[0].node_ip: edge-c (node node2) is not an alive node of this Ray "
                + "cluster; Ray knows 10.0.0.9 (10.0.0.9)");
        assertThat(run.stdout).doesNotContain("placement_group");
    }

    @Test
    void withTensorParallelismEachStagesGpusGetBundlesInVllmsRankOrderAndEveryRankIsVerified() throws Exception {
        ClusterSnapshot twoGpusEach = new ClusterSnapshot(CLUSTER.nodes().stream()
                .map(n -> new NodeSpec(n.id(), n.address(), n.gpu(), 2, n.labels())).toList());
        Run run = run("node2:20,node0:20@tp2", "0.25.1", ONE_ADDRESS_EACH, Map.of(), twoGpusEach);

        assertThat(run.exit).as(run.output()).isZero();
        JsonNode group = run.fake("FAKE_RAY", "placement_group");
        // a node holds its stage's two bundles, which STRICT_SPREAD would never schedule
        assertThat(group.get("strategy").asText()).isEqualTo("PACK");
        assertThat(group.get("bundles")).hasSize(4);
        assertThat(group.at("/bundles/1/node:10.0.0.11").asDouble()).isEqualTo(0.001);
        assertThat(group.at("/bundles/2/node:10.0.0.9").asDouble()).isEqualTo(0.001);
        JsonNode vllm = run.line("FAKE_VLLM ");
        assertThat(vllm.get("bundle_indices").asText()).isEqualTo("0,1,2,3");
        assertThat(strings(vllm.get("argv"))).containsSubsequence("--tensor-parallel-size", "2");
        assertThat(strings(run.line("FAKE_VLLM_EXECUTOR ").get("rank_nodes"))).containsExactly("ray-c", "ray-c",
                "ray-a", "ray-a");
        assertThat(run.event("ranks_verified").get("ranks").findValuesAsText("node"))
                .containsExactly("node2", "node2", "node0", "node0");
    }

    @Test
    void replicasOnDisjointNodesEachGetAPlacementGroupOfTheirOwnNamedAfterTheirJob() throws Exception {
        // Two replicas of one model, as two jobs of one launcher: distinct submission ids, disjoint nodes.
        VllmLaunchPlan first = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(CLUSTER), VllmOptions.defaults()).withSubmissionId("placement-aaa-1");
        VllmLaunchPlan second = VllmLaunchPlan.create(Placement.parse("node2:40"), TestClusters.request(CLUSTER),
                VllmOptions.defaults(), 8001).withSubmissionId("placement-bbb-2");

        JsonNode a = run(first, "0.25.1", ONE_ADDRESS_EACH, Map.of()).fake("FAKE_RAY", "placement_group");
        Run secondRun = run(second, "0.25.1", ONE_ADDRESS_EACH, Map.of());
        JsonNode b = secondRun.fake("FAKE_RAY", "placement_group");

        assertThat(a.get("name").asText()).isEqualTo("placement-placement-aaa-1");
        assertThat(b.get("name").asText()).isEqualTo("placement-placement-bbb-2");
        assertThat(a.get("bundles").findValuesAsText("node:10.0.0.11")).isEmpty();
        assertThat(a.at("/bundles/0/node:10.0.0.9").asDouble()).isEqualTo(0.001);
        assertThat(a.at("/bundles/1/node:10.0.0.10").asDouble()).isEqualTo(0.001);
        assertThat(b.get("bundles")).hasSize(1);
        assertThat(b.at("/bundles/0/node:10.0.0.11").asDouble()).isEqualTo(0.001);
        assertThat(strings(secondRun.line("FAKE_VLLM ").get("argv"))).containsSubsequence("--port", "8001");
    }

    private Run run(String placement, String vllmVersion, String rayNodes, Map<String, String> extraEnv)
            throws Exception {
        return run(placement, vllmVersion, rayNodes, extraEnv, CLUSTER);
    }

    private Run run(String placement, String vllmVersion, String rayNodes, Map<String, String> extraEnv,
            ClusterSnapshot cluster) throws Exception {
        return run(VllmLaunchPlan.create(Placement.parse(placement), TestClusters.request(cluster),
                VllmOptions.defaults()), vllmVersion, rayNodes, extraEnv);
    }

    private Run run(VllmLaunchPlan plan, String vllmVersion, String rayNodes, Map<String, String> extraEnv)
            throws Exception {
        Path fakes = Path.of(LauncherRankCheckTest.class.getResource("fakepy").toURI());
        ProcessBuilder pb = new ProcessBuilder(List.of("python3", script.toString(), "--plan-b64",
                plan.encodedLauncherInput()));
        Map<String, String> env = new HashMap<>(Map.of("PYTHONPATH", fakes.toString(), "PLACEMENT_IN_RAY_JOB", "1",
                "FAKE_VLLM_VERSION", vllmVersion, "FAKE_RAY_CLUSTER", rayNodes, "TMPDIR", dir.toString()));
        env.putAll(extraEnv);
        pb.environment().remove("PLACEMENT_VLLM_PLAN_B64");
        pb.environment().remove("VLLM_PLUGINS");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher exited").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private final class Run {
        final int exit;
        final String stdout;
        final String stderr;

        Run(int exit, String stdout, String stderr) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        String output() {
            return stdout + stderr;
        }

        List<JsonNode> lines(String prefix) {
            List<JsonNode> found = new ArrayList<>();
            for (String line : stdout.split("\n")) {
                if (line.startsWith(prefix)) {
                    try {
                        found.add(json.readTree(line.substring(prefix.length())));
                    } catch (IOException e) {
                        throw new AssertionError("not JSON: " + line, e);
                    }
                }
            }
            return found;
        }

        JsonNode line(String prefix) {
            List<JsonNode> found = lines(prefix);
            assertThat(found).as(prefix + " in\n" + output()).hasSize(1);
            return found.get(0);
        }

        List<JsonNode> fakes(String prefix, String event) {
            return lines(prefix + " ").stream().filter(e -> event.equals(e.path("event").asText())).toList();
        }

        JsonNode fake(String prefix, String event) {
            List<JsonNode> found = fakes(prefix, event);
            assertThat(found).as(event + " in\n" + output()).hasSize(1);
            return found.get(0);
        }

        List<JsonNode> events(String event) {
            return fakes("placement-event", event);
        }

        JsonNode event(String event) {
            return fake("placement-event", event);
        }
    }

    private List<String> strings(JsonNode node) {
        return json.convertValue(node, new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
    }
}
