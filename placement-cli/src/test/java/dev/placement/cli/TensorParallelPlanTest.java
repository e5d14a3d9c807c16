package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes with several GPUs: the plan runs each stage on two of them when that is faster, says so, and the launch
 * plan asks vLLM for it with one bundle per GPU on each stage's node.
 */
class TensorParallelPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Path cluster(String extra) throws IOException {
        return Files.writeString(dir.resolve("cluster.yaml"), "nodes:\n"
                + "  - {id: node0, address: 10.0.0.10, gpu: RTX-4090, gpuCount: 2" + extra + "}\n"
                + "  - {id: node1, address: 10.0.0.11, gpu: RTX-4090, gpuCount: 2" + extra + "}\n");
    }

    private JsonNode run(String... args) throws IOException {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertThat(CapturingCli.writingTo(out, err).execute(args)).as(err.toString()).isZero();
        return JSON.readTree(out.toString());
    }

    private JsonNode plan(Path cluster, Path links) throws IOException {
        return run("plan", "--cluster", cluster.toString(), "--connectivity", links.toString(), "--model",
                "Falcon3-10B-Base", "--objective", "itl", "--format", "json");
    }

    @Test
    void twoGpuNodesRunEachStageOnBothAndTheLaunchPlanAsksVllmForIt() throws IOException {
        Path links = Files.writeString(dir.resolve("links.yaml"), "rttMillis:\n  node0: {node1: 0.3}\n");
        JsonNode plan = plan(cluster(""), links);

        assertThat(plan.get("tensorParallelSize").asInt()).isEqualTo(2);
        String placement = plan.get("placement").asText();
        assertThat(placement).endsWith("@tp2");
        assertThat(plan.get("rationale").asText()).contains("Each stage runs on 2 GPUs of its node");

        JsonNode launch = run("launch", "--cluster", cluster("").toString(), "--model", "Falcon3-10B-Base",
                "--placement", placement, "--dry-run");
        List<String> command = new ArrayList<>();
        launch.get("serverCommand").forEach(a -> command.add(a.asText()));
        assertThat(command).containsSubsequence("--tensor-parallel-size", "2");
        int stages = plan.get("stages").size();
        assertThat(launch.get("bundles")).hasSize(2 * stages);
        for (int s = 0; s < stages; s++) {
            String node = "node:10.0.0.1" + plan.get("stages").get(s).get("node").asText().charAt(4);
            assertThat(launch.at("/bundles/" + 2 * s).has(node)).as("bundle %d", 2 * s).isTrue();
            assertThat(launch.at("/bundles/" + (2 * s + 1)).has(node)).as("bundle %d", 2 * s + 1).isTrue();
        }
        assertThat(launch.at("/environment/VLLM_RAY_BUNDLE_INDICES").asText()).hasSize(4 * stages - 1);
    }

    @Test
    void aSlowLinkBetweenTheGpusOfANodeKeepsOneGpuPerStage() throws IOException {
        Path links = Files.writeString(dir.resolve("links.yaml"), "rttMillis:\n  node0: {node1: 0.3}\n");
        JsonNode plan = plan(cluster(", intraNodeLink: {kind: pcie, bandwidthGBps: 2, allReduceMicros: 3000}"),
                links);

        assertThat(plan.get("tensorParallelSize").asInt()).isEqualTo(1);
        assertThat(plan.get("rationale").asText()).contains("With tensor parallelism 2 the best would be");
    }
}
