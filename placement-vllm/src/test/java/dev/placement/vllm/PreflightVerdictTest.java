package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.NodeSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What blocks a launch, from the facts {@code preflight.py} reports (the event's shape as PreflightScriptTest
 * shows the script prints it): each rule on its own, against a report where everything else is ready.
 */
class PreflightVerdictTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClusterSnapshot CLUSTER = new ClusterSnapshot(List.of(
            new NodeSpec("node0", "10.0.0.9", TestClusters.T4), new NodeSpec("node1", "10.0.0.10", TestClusters.T4)));

    /** Two ready nodes: same versions, a free T4 each, each reaching the other. */
    private static ObjectNode ready() {
        ObjectNode event = JSON.createObjectNode().put("event", "preflight");
        for (int i = 0; i < 2; i++) {
            ObjectNode n = event.withArray("nodes").addObject().put("rank", i).put("node", "node" + i)
                    .put("address", "10.0.0." + (9 + i)).put("known", true).put("ray_ip", "10.0.0." + (9 + i))
                    .put("ray_port", 40000 + i).put("ray_gpus", 1.0);
            ObjectNode facts = n.putObject("facts").put("ray", "2.50.0").put("vllm", "0.23.0")
                    .put("executor", "RayExecutorV2");
            facts.putArray("gpus").addObject().put("index", "0").put("name", "Tesla T4").put("memory_total_mib", 15360)
                    .put("memory_free_mib", 15101);
            facts.putNull("gpu_error");
            facts.putArray("reaches").addObject().put("node", "node" + (1 - i)).put("address", "10.0.0." + (10 - i))
                    .put("port", 40001 - i).put("reachable", true);
        }
        event.putObject("order").put("keeps_plan", true).put("message", "rank i runs on bundle i");
        return event;
    }

    private static ObjectNode node(ObjectNode event, int i) {
        return (ObjectNode) event.get("nodes").get(i);
    }

    private static ObjectNode facts(ObjectNode event, int i) {
        return (ObjectNode) node(event, i).get("facts");
    }

    private static PreflightReport read(ObjectNode event) {
        return PreflightVerdict.read(event, CLUSTER, 1);
    }

    @Test
    void aReadyClusterHasNoBlockersAndEveryFactIsKept() {
        PreflightReport report = read(ready());

        assertThat(report.blocked()).isFalse();
        assertThat(report.warnings()).isEmpty();
        PreflightReport.NodeReport first = report.nodes().get(0);
        assertThat(first).isEqualTo(new PreflightReport.NodeReport(0, "node0", "10.0.0.9", "10.0.0.9", "2.50.0",
                "0.23.0", "RayExecutorV2", 1.0, List.of(new PreflightReport.Gpu("0", "Tesla T4", 15360, 15101)),
                List.of(new PreflightReport.Reach("node1", "10.0.0.10", 40001, true, null))));
    }

    @Test
    void aMissingVllmOnOneNodeBlocks() {
        ObjectNode event = ready();
        facts(event, 1).putNull("vllm");

        assertThat(read(event).blockers()).containsExactly(
                "node1 (10.0.0.10): vLLM is not installed in the job's Python environment on this node");
    }

    @Test
    void differentVllmOrRayVersionsBlock() {
        ObjectNode event = ready();
        facts(event, 1).put("vllm", "0.22.1").put("ray", "2.49.0");

        assertThat(read(event).blockers()).containsExactly(
                "vLLM differs between the nodes (node0 0.23.0, node1 0.22.1); every node must run the same vLLM",
                "Ray differs between the nodes (node0 2.50.0, node1 2.49.0); every node must run the same Ray");
    }

    @Test
    void aGpuWithLessThanTheUtilisationFreeBlocksAsVllmWouldRefuseToStart() {
        ObjectNode event = ready();
        ((ObjectNode) facts(event, 0).get("gpus").get(0)).put("memory_free_mib", 13823);

        assertThat(read(event).blockers()).containsExactly("node0 (10.0.0.9): GPU 0 (Tesla T4) has 13823 of 15360 "
                + "MiB free; vLLM needs 0.90 x 15360 = 13824 MiB free to start (free the GPU or lower "
                + "--gpu-memory-utilization)");
        ((ObjectNode) facts(event, 0).get("gpus").get(0)).put("memory_free_mib", 13824);
        assertThat(read(event).blocked()).isFalse();
    }

    @Test
    void withTensorParallelismEveryNodeNeedsThatManyGpusAndEachOfThemTheUtilisationFree() {
        ObjectNode event = ready();
        node(event, 0).put("ray_gpus", 2.0);
        ((ArrayNode) facts(event, 0).get("gpus")).addObject().put("index", "1")
                .put("name", "Tesla T4").put("memory_total_mib", 15360).put("memory_free_mib", 9000);

        assertThat(PreflightVerdict.read(event, CLUSTER, 2).blockers()).containsExactly(
                "node0 (10.0.0.9): GPU 1 (Tesla T4) has 9000 of 15360 MiB free; vLLM needs 0.90 x 15360 = 13824 MiB "
                        + "free to start (free the GPU or lower --gpu-memory-utilization)",
                "node1 (10.0.0.10): Ray counts 1 GPU on this node, but its stage runs on 2 (tensor parallelism)",
                "node1 (10.0.0.10): nvidia-smi lists 1 GPU on this node, but its stage runs on 2 (tensor "
                        + "parallelism)");
        assertThat(PreflightVerdict.read(event, CLUSTER, 1).blocked()).isFalse();
    }

    @Test
    void anUnreachableRayPortBlocksNamingBothNodesAndTheAddress() {
        ObjectNode event = ready();
        ((ObjectNode) facts(event, 0).get("reaches").get(0)).put("reachable", false).put("error", "timed out");

        assertThat(read(event).blockers()).containsExactly("node0 cannot reach node1's Ray port at 10.0.0.10:40001: "
                + "timed out (vLLM's ranks connect to each other; open the ports between the nodes)");
    }

    @Test
    void aNodeRayDoesNotKnowOrWithoutGpuOrWhoseCheckDidNotRunBlocks() {
        ObjectNode event = ready();
        node(event, 0).put("ray_gpus", 0.0);
        ObjectNode unknown = node(event, 1);
        unknown.removeAll();
        unknown.put("rank", 1).put("node", "node1").put("address", "10.0.0.10").put("known", false)
                .put("error", "stages[1].node_ip: 10.0.0.10 (node node1) is not an alive node of this Ray cluster");

        assertThat(read(event).blockers()).containsExactly(
                "node0 (10.0.0.9): Ray counts no GPU on this node (its GPU resource is 0)",
                "node1 (10.0.0.10): stages[1].node_ip: 10.0.0.10 (node node1) is not an alive node of this Ray "
                        + "cluster");
        ObjectNode silent = ready();
        node(silent, 1).remove("facts");
        node(silent, 1).put("error", "the check on this node did not finish within 60 s");
        assertThat(read(silent).blockers()).containsExactly(
                "node1 (10.0.0.10): the check on this node did not finish within 60 s");
    }

    @Test
    void twoPlannedNodesRayKnowsByOneAddressBlock() {
        ObjectNode event = ready();
        node(event, 1).put("ray_ip", "10.0.0.9");

        assertThat(read(event).blockers()).singleElement().asString()
                .startsWith("node1 (10.0.0.10): Ray registered it at 10.0.0.9, as node0;");
    }

    @Test
    void anOrderTheOldExecutorWouldScrambleBlocksWithTheLaunchersMessage() {
        ObjectNode event = ready();
        event.putObject("order").put("keeps_plan", false).put("message", "vLLM 0.11.0 has no RayExecutorV2 ... "
                + "use vLLM >= 0.20.0");

        assertThat(read(event).blockers()).containsExactly("rank order: vLLM 0.11.0 has no RayExecutorV2 ... use "
                + "vLLM >= 0.20.0");
    }

    @Test
    void unlistedGpusAndAGpuUnlikeTheClusterFilesAreWarningsNotBlockers() {
        ObjectNode event = ready();
        facts(event, 0).putNull("gpus").put("gpu_error", "nvidia-smi is not installed");
        ((ObjectNode) facts(event, 1).get("gpus").get(0)).put("name", "NVIDIA A10G").put("memory_total_mib", 23028)
                .put("memory_free_mib", 22000);

        PreflightReport report = read(event);

        assertThat(report.blocked()).isFalse();
        assertThat(report.warnings()).containsExactly(
                "node0 (10.0.0.9): GPU memory not checked (nvidia-smi is not installed)",
                "node1 (10.0.0.10): the cluster file plans a T4 with 16384 MiB, nvidia-smi reports NVIDIA A10G with "
                        + "23028 MiB: the plan's memory fit may not hold");
    }
}
