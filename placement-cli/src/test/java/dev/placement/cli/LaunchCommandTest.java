package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    @TempDir
    Path dir;

    private int run(String... args) {
        return CapturingCli.writingTo(out, err).execute(args);
    }

    private Path cluster(String firstAddress) throws Exception {
        Path f = dir.resolve("cluster.yaml");
        Files.writeString(f, "nodes:\n  - {id: node0, address: '" + firstAddress + "', gpu: T4}\n"
                + "  - {id: node1, address: 10.0.0.11, gpu: T4}\n  - {id: node2, address: 10.0.0.12, gpu: T4}\n");
        return f;
    }

    @Test
    void dryRunForTwoStagesShowsPartitionPipelineSizeAndBundlesPinnedToNode0ThenNode1() throws Exception {
        int code = run("launch", "--cluster", cluster("10.0.0.10").toString(), "--model", "tiiuae/Falcon3-10B-Base",
                "--placement", "node0:20,node1:20", "--runtime", "ray-jobs", "--dry-run", "--dtype", "half");

        assertThat(code).as(err.toString()).isZero();
        JsonNode plan = new ObjectMapper().readTree(out.toString());
        assertThat(plan.at("/environment/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("20,20");
        assertThat(plan.get("pipelineParallelSize").asInt()).isEqualTo(2);
        assertThat(plan.at("/bundles/0/node:10.0.0.10").asDouble()).isEqualTo(0.001);
        assertThat(plan.at("/bundles/1/node:10.0.0.11").asDouble()).isEqualTo(0.001);
        assertThat(plan.at("/rayJobSubmission/runtime_env/env_vars/VLLM_PP_LAYER_PARTITION").asText())
                .isEqualTo("20,20");
        assertThat(plan.get("serverCommand").toString()).contains("\"--pipeline-parallel-size\",\"2\"")
                .contains("\"--dtype\",\"half\"");
        assertThat(plan.get("runtime").asText()).isEqualTo("ray-jobs");
    }

    @Test
    void placementThatDoesNotCoverTheModelIsBadInput() throws Exception {
        int code = run("launch", "--cluster", cluster("10.0.0.10").toString(), "--model", "tiiuae/Falcon3-10B-Base",
                "--placement", "node0:20,node1:10", "--dry-run");

        assertThat(code).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--placement").contains("30").contains("40");
    }

    @Test
    void injectionThroughANodeAddressIsRejected() throws Exception {
        int code = run("launch", "--cluster", cluster("10.0.0.10$(reboot)").toString(), "--model",
                "tiiuae/Falcon3-10B-Base", "--placement", "node0:20,node1:20", "--dry-run");

        assertThat(code).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("10.0.0.10$(reboot)").contains("not a host name or IP address");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void rayJobsWithoutAnAddressIsBadInput() throws Exception {
        int code = run("launch", "--cluster", cluster("10.0.0.10").toString(), "--model", "tiiuae/Falcon3-10B-Base",
                "--placement", "node0:20,node1:20", "--ray-address", "10.0.0.10:8265");

        assertThat(code).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--ray-address");
    }
}
