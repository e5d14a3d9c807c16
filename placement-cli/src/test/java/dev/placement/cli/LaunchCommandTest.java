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

    private int dryRun(String... extra) throws Exception {
        String[] base = {"launch", "--cluster", cluster("10.0.0.10").toString(), "--model", "tiiuae/Falcon3-10B-Base",
            "--placement", "node0:20,node1:20", "--dry-run"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    @Test
    void unknownRuntimeIsBadInputEvenInADryRun() throws Exception {
        int code = dryRun("--runtime", "bogus");

        assertThat(code).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--runtime").contains("bogus").contains("ray-jobs").contains("ssh")
                .contains("local");
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void readyTimeoutBelowOneSecondIsBadInput() throws Exception {
        for (String seconds : new String[] {"-5", "0", "9223372036854775807"}) {
            err.getBuffer().setLength(0);
            int code = dryRun("--ready-timeout", seconds);

            assertThat(code).as(seconds).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
            assertThat(err.toString()).contains("--ready-timeout").contains(seconds);
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void maxModelLenAboveTheModelsContextIsBadInputAsInPlan() throws Exception {
        int code = dryRun("--max-model-len", "1000000");

        assertThat(code).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--max-model-len").contains("context length").contains("1000000");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void vllmArgumentSpellingAManagedFlagTheWayVllmAcceptsIsBadInput() throws Exception {
        for (String arg : new String[] {"--tensor_parallel_size=2", "-tp2", "--config=serve.yaml"}) {
            err.getBuffer().setLength(0);
            int code = dryRun("--vllm-arg=" + arg);

            assertThat(code).as(arg).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
            assertThat(err.toString()).contains(arg);
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aPlacementOnANodeTheClusterLacksNamesThePlacementNotTheClusterFile() throws Exception {
        Path clusterFile = cluster("10.0.0.10");
        int code = run("launch", "--cluster", clusterFile.toString(), "--model", "tiiuae/Falcon3-10B-Base",
                "--placement", "node9:20,node1:20", "--dry-run");

        assertThat(code).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo("placement: --placement: unknown node 'node9'; nodes in " + clusterFile
                + ": node0, node1, node2" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadVllmOptionNamesItsOwnOption() throws Exception {
        String[][] cases = {{"--served-model-name=-x", "--served-model-name"}, {"--vllm-model=a b", "--vllm-model"},
            {"--dtype=fp4", "--dtype"}, {"--dtype=bfloat16", "--dtype"}, {"--kv-cache-dtype=int4", "--kv-cache-dtype"},
            {"--vllm-env=1e3", "--vllm-env"}, {"--vllm-version=1 2", "--vllm-version"},
            {"--vllm-arg=--pipeline-parallel-size=3", "--vllm-arg"}, {"--port=0", "--port"}};
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            assertThat(dryRun(c[0])).as(c[0]).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
            assertThat(err.toString()).as(c[0]).startsWith("placement: " + c[1] + ": ").hasLineCount(1);
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theKvCacheDtypeReachesTheServerCommand() throws Exception {
        int code = run("launch", "--cluster", cluster("10.0.0.10").toString(), "--model", "tiiuae/Falcon3-10B-Base",
                "--placement", "node0:20,node1:20", "--dry-run", "--kv-cache-dtype", "fp8");

        assertThat(code).as(err.toString()).isZero();
        JsonNode plan = new ObjectMapper().readTree(out.toString());
        // The T4 has no bfloat16: auto is served as half, the cache in fp8.
        assertThat(plan.get("serverCommand").toString()).contains("\"--kv-cache-dtype\",\"fp8\"")
                .contains("\"--dtype\",\"half\"");
    }
}
