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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {
    static final String CLUSTER = """
            gpuMemoryUtilization: 0.9
            nodes:
              - {id: node0, address: 10.0.0.10, gpu: T4}
              - {id: node1, address: 10.0.0.11, gpu: T4}
              - {id: node2, address: 10.0.0.12, gpu: T4}
            """;
    static final String FAST = """
            rttMillis:
              node0: {node1: 0.2, node2: 0.2}
              node1: {node2: 0.2}
            """;
    static final String SLOW_NODE2 = """
            rttMillis:
              node0: {node1: 2.2, node2: 12.2}
              node1: {node2: 10.2}
            """;

    @TempDir
    Path dir;
    Path cluster;
    Path fast;
    Path slow;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws IOException {
        cluster = Files.writeString(dir.resolve("cluster.yaml"), CLUSTER);
        fast = Files.writeString(dir.resolve("fast.yaml"), FAST);
        slow = Files.writeString(dir.resolve("slow.yaml"), SLOW_NODE2);
    }

    int run(String... args) {
        return CapturingCli.writingTo(out, err).execute(args);
    }

    private List<String> plan(Path connectivity, String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", cluster.toString(), "--connectivity",
                connectivity.toString(), "--model", "tiiuae/Falcon3-10B-Base"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void printsOneJsonObjectWithTheDocumentedKeys() throws IOException {
        assertThat(run(plan(slow, "--objective", "itl", "--format", "json").toArray(String[]::new))).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.fieldNames()).toIterable().containsExactly("agent", "objective", "model", "stages",
                "partition", "excludedNodes", "predicted", "rationale", "solveMillis");
        assertThat(json.get("agent").asText()).isEqualTo("solver");
        assertThat(json.get("objective").asText()).isEqualTo("itl");
        assertThat(json.get("model").asText()).isEqualTo("tiiuae/Falcon3-10B-Base");
        assertThat(json.get("stages").get(0).fieldNames()).toIterable().containsExactly("node", "firstLayer", "layers");
        assertThat(json.get("stages")).hasSize(2);
        assertThat(json.get("excludedNodes").get(0).asText()).isEqualTo("node2");
        assertThat(json.get("predicted").fieldNames()).toIterable().containsExactly("ttftMs", "itlMs", "tpotMs",
                "outputTokensPerSecond", "maxConcurrentSequences");
        assertThat(json.get("predicted").get("itlMs").asDouble()).isPositive();
        assertThat(json.get("rationale").asText()).contains("node2 was left out");
        assertThat(json.get("partition").asText()).matches("\\d+,\\d+");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void evenAgentGivesVllmsDefaultSplit() throws IOException {
        assertThat(run(plan(fast, "--agent", "even", "--format", "json").toArray(String[]::new))).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("agent").asText()).isEqualTo("even");
        assertThat(json.get("partition").asText()).isEqualTo("13,14,13");
        assertThat(json.get("excludedNodes")).isEmpty();
    }

    @Test
    void tablePrintsThePartitionAndTheReasons() {
        assertThat(run(plan(slow, "--first-node", "node0").toArray(String[]::new))).isZero();
        assertThat(out.toString()).contains("VLLM_PP_LAYER_PARTITION=").contains("left out").contains("node2")
                .contains("predicted").contains("TTFT");
    }

    @Test
    void badInputIsOneLineOnStderrWithExitCodeTwo() {
        assertThat(run(plan(fast, "--objective", "latency").toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).contains("--objective").contains("latency").contains("itl, ttft");
    }

    @Test
    void unknownModelAndAgentNameTheOption() {
        assertThat(run("plan", "--cluster", cluster.toString(), "--connectivity", fast.toString(), "--model",
                "no/such-model")).isEqualTo(2);
        assertThat(err.toString()).contains("--model").contains("no/such-model");
        assertThat(err.toString().strip().lines()).hasSize(1);
        err.getBuffer().setLength(0);
        assertThat(run(plan(fast, "--agent", "oracle").toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--agent").contains("oracle").contains("solver, even, proportional");
    }

    @Test
    void proportionalAgentAndPinnedFirstNode() throws IOException {
        assertThat(run(plan(fast, "--agent", "proportional", "--first-node", "node2", "--format", "json")
                .toArray(String[]::new))).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("agent").asText()).isEqualTo("proportional");
        assertThat(json.get("stages").get(0).get("node").asText()).isEqualTo("node2");
        err.getBuffer().setLength(0);
        assertThat(run(plan(fast, "--first-node", "node9").toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--first-node").contains("node9").contains("node0, node1, node2");
    }

    @Test
    void llmOptionsWithoutAnLlmAgentAreBadInput() {
        assertThat(run(plan(fast, "--guard", "trust").toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--guard").contains("--agent openai");
    }

    @Test
    void missingClusterFileIsBadInput() {
        assertThat(run("plan", "--cluster", dir.resolve("nope.yaml").toString(), "--connectivity", fast.toString(),
                "--model", "tiiuae/Falcon3-10B-Base")).isEqualTo(2);
        assertThat(err.toString()).contains("nope.yaml");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void noFeasiblePlacementIsExitCodeThreeWithTheReason() throws IOException {
        Path one = Files.writeString(dir.resolve("one.yaml"), """
                nodes:
                  - {id: node0, address: 10.0.0.10, gpu: T4}
                """);
        Path none = Files.writeString(dir.resolve("none.yaml"), "rttMillis: {}\n");
        assertThat(run("plan", "--cluster", one.toString(), "--connectivity", none.toString(), "--model",
                "tiiuae/Falcon3-10B-Base")).isEqualTo(3);
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).contains("needs 20.6 GB of weights").contains("offers");
        assertThat(out.toString()).isEmpty();
    }
}
