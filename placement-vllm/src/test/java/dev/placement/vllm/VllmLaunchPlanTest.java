package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.Experts;
import dev.placement.api.GpuSpec;
import dev.placement.api.LatentAttention;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.WeightQuantization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VllmLaunchPlanTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void twoStagePlanPinsRankZeroToFirstNodeAndSetsThePartition() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(3)), VllmOptions.defaults());

        assertThat(plan.environment()).containsEntry("VLLM_PP_LAYER_PARTITION", "20,20")
                .containsEntry("VLLM_USE_RAY_V2_EXECUTOR_BACKEND", "1")
                .containsEntry("VLLM_RAY_BUNDLE_INDICES", "0,1");
        assertThat(plan.bundles()).containsExactly(
                Map.of("GPU", 1.0, "node:10.0.0.10", 0.001), Map.of("GPU", 1.0, "node:10.0.0.11", 0.001));
        assertThat(plan.serverCommand()).containsSubsequence("--pipeline-parallel-size", "2")
                .containsSubsequence("--tensor-parallel-size", "1")
                .containsSubsequence("--distributed-executor-backend", "ray");
        assertThat(plan.endpoint().toString()).isEqualTo("http://10.0.0.10:8000");

        JsonNode job = json.valueToTree(plan.rayJobSubmission());
        assertThat(job.at("/runtime_env/env_vars/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("20,20");
        assertThat(job.at("/submission_id").asText()).isEqualTo(plan.submissionId());
        assertThat(job.at("/metadata/placement").asText()).isEqualTo("node0:20,node1:20");
        assertThat(job.at("/entrypoint").asText()).matches("python launch_vllm\\.py --plan-b64 [A-Za-z0-9_-]+");
    }

    @Test
    void withTensorParallelismEachStageGetsThatManyOneGpuBundlesOnItsNodeAndRaysNodesOfferThem() throws Exception {
        ClusterSnapshot twoGpus = new ClusterSnapshot(TestClusters.nodes(3).nodes().stream()
                .map(n -> new NodeSpec(n.id(), n.address(), n.gpu(), 2, n.labels())).toList());
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node1:20,node0:20@tp2"),
                TestClusters.request(twoGpus), VllmOptions.defaults());

        assertThat(plan.tensorParallelSize()).isEqualTo(2);
        assertThat(plan.pipelineParallelSize()).isEqualTo(2);
        assertThat(plan.environment()).containsEntry("VLLM_RAY_BUNDLE_INDICES", "0,1,2,3");
        Map<String, Double> node1 = Map.of("GPU", 1.0, "node:10.0.0.11", 0.001);
        Map<String, Double> node0 = Map.of("GPU", 1.0, "node:10.0.0.10", 0.001);
        assertThat(plan.bundles()).containsExactly(node1, node1, node0, node0);
        assertThat(plan.serverCommand()).containsSubsequence("--pipeline-parallel-size", "2")
                .containsSubsequence("--tensor-parallel-size", "2");
        JsonNode input = json.valueToTree(plan.launcherInput());
        assertThat(input.get("tensor_parallel_size").asInt()).isEqualTo(2);
        JsonNode whole = json.readTree(plan.toJson());
        assertThat(whole.get("tensorParallelSize").asInt()).isEqualTo(2);
        assertThat(whole.at("/sshCommands/0/command").toString()).contains("\"--num-gpus=2\"");
    }

    @Test
    void aNodeWithFewerGpusThanTheTensorParallelSizeCannotBePlanned() {
        assertThatThrownBy(() -> VllmLaunchPlan.create(Placement.parse("node0:40@tp2"),
                TestClusters.request(TestClusters.nodes(1)), VllmOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node 'node0' has 1 GPU but the placement runs each stage on 2");
    }

    @Test
    void theCommandCarriesTheDtypeKvCacheAndQuantizationVllmNeedsOnTheseGpus() {
        GpuSpec t4 = GpuSpec.of("T4", 16, 320, 65, 7.5);
        GpuSpec ada = GpuSpec.of("RTX-4090", 24, 1008, 165, 8.9);
        ModelSpec awq = new ModelSpec("org/m-AWQ", "qwen2", 40, 3072, 8192, 24, 8, 128, 32000, 4096, 2, false, true,
                Experts.NONE, LatentAttention.NONE, new WeightQuantization("awq", 4.15625), 2, 3072);
        Placement p = Placement.parse("a:20,b:20");
        PlacementRequest mixed = PlacementRequest.builder(awq, new ClusterSnapshot(List.of(new NodeSpec("a",
                "10.0.0.10", ada), new NodeSpec("b", "10.0.0.11", t4))), ConnectivityMap.builder().build()).build();
        PlacementRequest adaOnly = mixed.toBuilder().cluster(new ClusterSnapshot(List.of(new NodeSpec("a",
                "10.0.0.10", ada), new NodeSpec("b", "10.0.0.11", ada)))).build();

        // rank 0's GPU has bf16 but b's T4 has not: auto would choose bf16 on rank 0's node, so half is passed
        assertThat(VllmLaunchPlan.create(p, mixed, VllmOptions.builder().kvCacheDtype("fp8").build())
                .serverCommand()).containsSubsequence("--dtype", "half").containsSubsequence("--kv-cache-dtype", "fp8")
                .containsSubsequence("--quantization", "awq");
        assertThat(VllmLaunchPlan.create(p, adaOnly, VllmOptions.defaults()).serverCommand())
                .doesNotContain("--dtype", "--kv-cache-dtype").containsSubsequence("--quantization", "awq_marlin");
        assertThatThrownBy(() -> VllmLaunchPlan.create(p, mixed, VllmOptions.builder().dtype("bfloat16").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the T4 has no bfloat16");
    }

    @Test
    void rankOrderFollowsThePlacementNotTheClusterOrder() {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node2:10,node0:30"),
                TestClusters.request(TestClusters.nodes(3)), VllmOptions.defaults());

        assertThat(plan.ranks()).extracting(VllmLaunchPlan.Rank::nodeId).containsExactly("node2", "node0");
        assertThat(plan.bundles().get(0)).containsKey("node:10.0.0.12");
        assertThat(plan.environment()).containsEntry("VLLM_PP_LAYER_PARTITION", "10,30");
    }

    @Test
    void encodedLauncherInputDecodesToThePlanAndUsesOnlyShellSafeCharacters() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:13,node1:14,node2:13"),
                TestClusters.request(TestClusters.nodes(3)), VllmOptions.builder().servedModelName("falcon")
                        .dtype("half").enforceEager(true).build());

        String encoded = plan.encodedLauncherInput();
        assertThat(encoded).matches("[A-Za-z0-9_-]+");
        JsonNode in = json.readTree(new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8));
        assertThat(in.get("model").asText()).isEqualTo("tiiuae/Falcon3-10B-Base");
        assertThat(in.get("served_model_name").asText()).isEqualTo("falcon");
        assertThat(in.at("/stages/2/node_ip").asText()).isEqualTo("10.0.0.12");
        assertThat(strings(in.get("args"))).contains("--dtype", "half", "--enforce-eager",
                "--max-model-len", "4096");
    }

    @Test
    void sameContentGivesSameSubmissionIdAndWithSubmissionIdReplacesIt() {
        Placement p = Placement.parse("node0:20,node1:20");
        VllmLaunchPlan a = VllmLaunchPlan.create(p, TestClusters.request(TestClusters.nodes(2)),
                VllmOptions.defaults());
        VllmLaunchPlan b = VllmLaunchPlan.create(p, TestClusters.request(TestClusters.nodes(2)),
                VllmOptions.defaults());
        VllmLaunchPlan c = VllmLaunchPlan.create(Placement.parse("node0:25,node1:15"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults());

        assertThat(a.submissionId()).isEqualTo(b.submissionId()).isNotEqualTo(c.submissionId());
        assertThat(a.withSubmissionId("run-7").submissionId()).isEqualTo("run-7");
        assertThatThrownBy(() -> a.withSubmissionId("run 7; rm -rf /")).hasMessageContaining("submissionId");
    }

    @Test
    void sshCommandsStartTheHeadOnRankZeroThenJoinWorkersThenServe() {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node1:20,node0:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults());

        List<VllmLaunchPlan.NodeCommand> cmds = plan.nodeCommands("python3", "/opt/placement/launch_vllm.py");

        assertThat(cmds).extracting(VllmLaunchPlan.NodeCommand::role)
                .containsExactly("ray-head", "ray-worker", "vllm-server");
        assertThat(cmds.get(0).nodeId()).isEqualTo("node1");
        assertThat(cmds.get(1).command()).contains("--address=10.0.0.11:6379");
        assertThat(cmds.get(2).command()).startsWith("python3", "/opt/placement/launch_vllm.py", "--plan-b64");
        assertThat(cmds.get(2).environment()).containsEntry("VLLM_PP_LAYER_PARTITION", "20,20");
    }

    @Test
    void planThatDoesNotCoverTheModelIsRejected() {
        assertThatThrownBy(() -> VllmLaunchPlan.create(Placement.parse("node0:20,node1:19"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("39").hasMessageContaining("40");
    }

    @Test
    void unknownNodeIsRejectedNamingTheKnownNodes() {
        assertThatThrownBy(() -> VllmLaunchPlan.create(Placement.parse("node0:20,node9:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults()))
                .hasMessageContaining("node9").hasMessageContaining("node0");
    }

    @Test
    void injectionThroughNodeAddressModelSourceOrServedNameIsRejected() {
        ClusterSnapshot evil = new ClusterSnapshot(List.of(
                new NodeSpec("node0", "10.0.0.1;reboot", GpuSpec.of("T4", 16, 320, 65)),
                new NodeSpec("node1", "10.0.0.2", GpuSpec.of("T4", 16, 320, 65))));
        assertThatThrownBy(() -> VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(evil), VllmOptions.defaults())).hasMessageContaining("10.0.0.1;reboot");
        assertThatThrownBy(() -> VllmOptions.builder().modelSource("x/y$(curl evil)")).hasMessageContaining("modelSource");
        assertThatThrownBy(() -> VllmOptions.builder().modelSource("/models/../etc")).hasMessageContaining("..");
        assertThatThrownBy(() -> VllmOptions.builder().servedModelName("a b")).hasMessageContaining("servedModelName");
        assertThatThrownBy(() -> Placement.parse("node0;id:20,node1:20")).hasMessageContaining("node id");
    }

    @Test
    void extraArgumentsMayNotOverrideWhatThePlacementDictates() {
        assertThatThrownBy(() -> VllmOptions.builder().extraArgs(List.of("--pipeline-parallel-size=4")))
                .hasMessageContaining("--pipeline-parallel-size");
        assertThatThrownBy(() -> VllmOptions.builder().extraEnv("VLLM_PP_LAYER_PARTITION", "1,39"))
                .hasMessageContaining("VLLM_PP_LAYER_PARTITION");
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.builder().extraArgs(List.of("--max-num-seqs",
                        "64"))
                        .extraEnv("NCCL_SOCKET_IFNAME", "eth0").build());
        assertThat(plan.serverCommand()).endsWith("--max-num-seqs", "64");
        assertThat(plan.environment()).containsEntry("NCCL_SOCKET_IFNAME", "eth0");
    }

    @Test
    void runsWithTheMemoryFractionAndMaxModelLenThePlacementWasChosenUnder() {
        ClusterSnapshot c = new ClusterSnapshot(TestClusters.nodes(2).nodes(), 0.8);
        PlacementRequest request = TestClusters.request(c).toBuilder().maxModelLen(2048).build();
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"), request,
                VllmOptions.defaults());
        assertThat(plan.serverCommand()).containsSubsequence("--gpu-memory-utilization", "0.8")
                .containsSubsequence("--max-model-len", "2048");
    }

    @Test
    void toJsonHoldsTheWholePlan() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.builder().vllmVersion("0.11.0").build());
        JsonNode tree = json.readTree(plan.toJson());
        assertThat(tree.get("pipelineParallelSize").asInt()).isEqualTo(2);
        assertThat(tree.at("/environment/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("20,20");
        assertThat(tree.at("/ranks/1/nodeId").asText()).isEqualTo("node1");
        assertThat(tree.at("/bundles/1/node:10.0.0.11").asDouble()).isEqualTo(0.001);
        assertThat(tree.at("/rayJobSubmission/metadata/vllm_version").asText()).isEqualTo("0.11.0");
        assertThat(tree.at("/sshCommands/2/role").asText()).isEqualTo("vllm-server");
    }

    private List<String> strings(JsonNode node) {
        return json.convertValue(node, new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
    }
}
