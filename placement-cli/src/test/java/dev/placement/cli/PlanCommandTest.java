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
        assertThat(json.fieldNames()).toIterable().containsExactly("agent", "objective", "model", "placement",
                "stages", "partition", "tensorParallelSize", "excludedNodes", "predicted", "rationale", "solveMillis",
                "proven");
        assertThat(json.get("tensorParallelSize").asInt()).isEqualTo(1);
        assertThat(json.get("proven").asBoolean()).isTrue();
        assertThat(json.get("agent").asText()).isEqualTo("solver");
        assertThat(json.get("objective").asText()).isEqualTo("itl");
        assertThat(json.get("model").asText()).isEqualTo("tiiuae/Falcon3-10B-Base");
        assertThat(json.get("stages").get(0).fieldNames()).toIterable().containsExactly("node", "firstLayer", "layers");
        assertThat(json.get("stages")).hasSize(2);
        assertThat(json.get("excludedNodes").get(0).asText()).isEqualTo("node2");
        assertThat(json.get("predicted").fieldNames()).toIterable().containsExactly("ttftMs", "itlMs", "tpotMs",
                "outputTokensPerSecond", "maxConcurrentSequences", "concurrentRequests");
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

    /** The research's [a, b] step: a on node0-node1, b on node1-node2, node2 behind both. */
    private Path ladder(double a, double b) throws IOException {
        return Files.writeString(dir.resolve("ladder-" + a + "-" + b + ".yaml"), String.format(java.util.Locale.ROOT,
                "rttMillis:%n  node0: {node1: %s, node2: %s}%n  node1: {node2: %s}%n", 0.2 + a, 0.2 + a + b, 0.2 + b));
    }

    private JsonNode planJson(Path connectivity, String... extra) throws IOException {
        List<String> args = plan(connectivity, extra);
        args.addAll(List.of("--format", "json"));
        out.getBuffer().setLength(0);
        assertThat(run(args.toArray(String[]::new))).as("%s: %s", args, err).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    @Test
    void itlAtSixteenLongPromptsServesTheLoadWithTwentyTwentyOnTheFastPair() throws IOException {
        for (double b : new double[] {6, 8, 10}) {
            JsonNode json = planJson(ladder(2, b), "--objective", "itl", "--concurrency", "16", "--input-len", "1024",
                    "--output-len", "128");
            assertThat(json.get("partition").asText()).as("[2,%s]", b).isEqualTo("20,20");
            assertThat(json.get("stages").get(0).get("node").asText()).isEqualTo("node0");
            assertThat(json.get("stages").get(1).get("node").asText()).isEqualTo("node1");
            assertThat(json.get("predicted").get("concurrentRequests").asInt()).isEqualTo(16);
            // The placement that would have won by running 4 requests at once is named, and why it lost.
            assertThat(json.get("rationale").asText()).contains("does not serve the offered load");
        }
    }

    @Test
    void onAFastNetworkEveryNodeIsUsed() throws IOException {
        JsonNode json = planJson(ladder(0, 0), "--objective", "itl", "--concurrency", "16", "--input-len", "1024",
                "--output-len", "128");
        assertThat(json.get("stages")).hasSize(3);
    }

    @Test
    void theFrontierHoldsTheBestTtftThreeNodeSplitAndTheBestItlTwoNodeSplit() throws IOException {
        Path links = ladder(2, 10);
        String[] load = {"--concurrency", "16", "--input-len", "1024", "--output-len", "128"};
        String bestTtft = planJson(links, concat(load, "--objective", "ttft")).get("partition").asText();
        String bestItl = planJson(links, concat(load, "--objective", "itl")).get("partition").asText();
        JsonNode frontier = planJson(links, concat(load, "--objective", "itl", "--frontier"));
        assertThat(frontier.isArray()).isTrue();
        assertThat(frontier.size()).isBetween(2, PlanCommand.FRONTIER_POINTS);
        List<String> partitions = new ArrayList<>();
        int chosen = 0;
        for (JsonNode point : frontier) {
            partitions.add(point.get("partition").asText());
            chosen += point.get("chosen").asBoolean() ? 1 : 0;
            assertThat(point.get("trade").asText()).isNotBlank();
        }
        assertThat(bestTtft.split(",")).hasSize(3);
        assertThat(bestItl.split(",")).hasSize(2);
        assertThat(partitions).contains(bestTtft, bestItl);
        assertThat(chosen).isEqualTo(1);
        // No point is beaten by another on all three metrics.
        for (JsonNode a : frontier) {
            for (JsonNode b : frontier) {
                JsonNode pa = a.get("predicted");
                JsonNode pb = b.get("predicted");
                boolean dominates = pa.get("ttftMs").asDouble() < pb.get("ttftMs").asDouble()
                        && pa.get("itlMs").asDouble() < pb.get("itlMs").asDouble()
                        && pa.get("outputTokensPerSecond").asDouble() > pb.get("outputTokensPerSecond").asDouble();
                assertThat(dominates).as("%s dominates %s", a, b).isFalse();
            }
        }
    }

    @Test
    void goodputNeedsAnSloAndReportsThePredictedGoodput() throws IOException {
        assertThat(run(plan(fast, "--objective", "goodput").toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--objective").contains("goodput needs --slo");
        err.getBuffer().setLength(0);
        assertThat(run(plan(fast, "--slo", "ttft=100,speed=3").toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--slo").contains("unknown SLO key 'speed'");
        JsonNode json = planJson(slow, "--objective", "goodput", "--slo", "ttft=4000,tpot=160", "--concurrency", "16",
                "--input-len", "1024");
        JsonNode predicted = json.get("predicted");
        assertThat(predicted.get("slo").asText()).isEqualTo("ttft=4000,tpot=160");
        assertThat(predicted.get("withinSloShare").asDouble()).isBetween(0.0, 1.0);
        assertThat(predicted.get("goodputRequestsPerSecond").asDouble()).isPositive()
                .isLessThanOrEqualTo(predicted.get("outputTokensPerSecond").asDouble() / 128);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
