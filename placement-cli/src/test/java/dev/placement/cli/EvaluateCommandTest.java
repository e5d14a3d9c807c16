package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

/** {@code placement evaluate} on the built-in set and on scenario directories, in its three formats. */
class EvaluateCommandTest {
    static final String TESTBED = """
            model: tiiuae/Falcon3-10B-Base
            cluster:
              nodes:
                - {id: node0, address: 10.0.0.10, gpu: T4}
                - {id: node1, address: 10.0.0.11, gpu: T4}
            connectivity:
              rttMillis: {node0: {node1: 0.5}}
            """;

    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        return CapturingCli.writingTo(out, err).execute(args);
    }

    JsonNode json(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("evaluate", "--format", "json"));
        all.addAll(List.of(args));
        assertThat(run(all.toArray(String[]::new))).as(err.toString()).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    static JsonNode scenario(JsonNode result, String name) {
        for (JsonNode s : result.get("scenarios")) {
            if (s.get("scenario").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no scenario " + name + " in " + result);
    }

    @Test
    void evenPrintsARegretPerBuiltInScenarioAndLosesWhenNode2IsTenMillisecondsAway() throws IOException {
        assertThat(run("evaluate", "--agent", "even")).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        for (String name : EvaluationScenario.BUILT_IN) {
            assertThat(lines).filteredOn(l -> l.startsWith(name + " ")).singleElement().asString()
                    .containsPattern("\\d+\\.\\d%$");
        }
        assertThat(lines).last().asString().startsWith("summary: mean regret ").contains("over 8 scenarios");
        assertThat(err.toString()).contains("evaluate: [8/8] research-02-10");

        out.getBuffer().setLength(0);
        JsonNode far = scenario(json("--agent", "even"), "research-02-10");
        assertThat(far.get("agentPlacement").asText()).isEqualTo("node0:13,node1:14,node2:13");
        assertThat(far.get("regretPct").asDouble()).isPositive();
        assertThat(far.get("bestPlacement").asText()).isNotEqualTo("node0:13,node1:14,node2:13");
    }

    @Test
    void theSolverHasNoRegretAnywhere() throws IOException {
        JsonNode result = json("--agent", "solver");
        assertThat(result.get("scenarios")).hasSize(EvaluationScenario.BUILT_IN.size());
        for (JsonNode s : result.get("scenarios")) {
            assertThat(s.get("status").asText()).isEqualTo("ok");
            assertThat(s.get("agentPlacement").asText()).isEqualTo(s.get("bestPlacement").asText());
            assertThat(s.get("regretPct").asDouble()).as(s.get("scenario").asText()).isZero();
        }
        assertThat(result.get("summary").get("worstRegretPct").asDouble()).isZero();
        assertThat(result.get("summary").get("errors").asInt()).isZero();
    }

    @Test
    void jsonAndCsvParseWithOneRecordPerScenario() throws IOException {
        JsonNode result = json("--agent", "proportional", "--objective", "throughput");
        assertThat(result.get("objective").asText()).isEqualTo("throughput");
        assertThat(result.get("scenarios").get(0).fieldNames()).toIterable().containsExactly("scenario", "model",
                "status", "agentPlacement", "agentPredicted", "bestPlacement", "bestPredicted", "regretPct", "reason");
        assertThat(result.get("summary").get("scenarios").asInt()).isEqualTo(8);

        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertThat(run("evaluate", "--agent", "proportional", "--objective", "throughput", "--format", "csv"))
                .isZero();
        List<List<String>> csv = Csv.parse(out.toString());
        assertThat(csv).hasSize(1 + EvaluationScenario.BUILT_IN.size());
        List<String> header = csv.get(0);
        assertThat(header).startsWith("scenario", "model", "status", "agent_placement").contains("regret_pct");
        csv.forEach(row -> assertThat(row).hasSameSizeAs(header));
        int regret = header.indexOf("regret_pct");
        for (int i = 1; i < csv.size(); i++) {
            JsonNode same = result.get("scenarios").get(i - 1);
            assertThat(csv.get(i).get(0)).isEqualTo(same.get("scenario").asText());
            assertThat(Double.parseDouble(csv.get(i).get(regret))).isCloseTo(same.get("regretPct").asDouble(),
                    within(1e-3));
        }
        assertThat(err.toString()).contains("summary: mean regret");
    }

    @Test
    void readsAScenarioDirectoryInNameOrderYamlAndJson() throws IOException {
        Files.writeString(dir.resolve("b-near.yaml"), TESTBED + "workload: {inputLen: 256, outputLen: 64}\n");
        Files.writeString(dir.resolve("a-far.json"), """
                {"model": "tiiuae/Falcon3-10B-Base", "maxModelLen": 2048,
                 "cluster": {"nodes": [{"id": "node0", "address": "a", "gpu": "T4"},
                                       {"id": "node1", "address": "b", "gpu": "T4"}]},
                 "connectivity": {"rttMillis": {"node0": {"node1": 20}}}}
                """);
        Files.writeString(dir.resolve("README.md"), "not a scenario");
        JsonNode result = json("--agent", "even", "--scenarios", dir.toString());
        assertThat(result.get("scenarios")).extracting(s -> s.get("scenario").asText())
                .containsExactly("a-far", "b-near");
        assertThat(err.toString()).contains("[1/2] a-far", "[2/2] b-near");
    }

    @Test
    void aBadScenarioFileIsOneLineNamingTheFileAndTheField() throws IOException {
        Files.writeString(dir.resolve("good.yaml"), TESTBED);
        Files.writeString(dir.resolve("typo.yaml"), TESTBED.replace("gpu: T4}\n    ", "gpu: T5}\n    "));
        assertThat(run("evaluate", "--agent", "even", "--scenarios", dir.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("placement: typo.yaml: cluster.nodes[0].gpu: unknown GPU 'T5'");
        assertThat(out.toString()).isEmpty();

        err.getBuffer().setLength(0);
        Files.writeString(dir.resolve("typo.yaml"), TESTBED.replace("model:", "modell:"));
        assertThat(run("evaluate", "--agent", "even", "--scenarios", dir.toString())).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString()
                .isEqualTo("placement: typo.yaml: modell: unknown field; valid fields here: cluster, connectivity, "
                        + "maxModelLen, model, workload");
    }

    @Test
    void anEmptyOrMissingDirectoryIsOneLine() {
        assertThat(run("evaluate", "--agent", "even", "--scenarios", dir.toString())).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString().contains(dir.toString(), "holds no scenario");
        err.getBuffer().setLength(0);
        assertThat(run("evaluate", "--agent", "even", "--scenarios", dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(err.toString().lines()).singleElement().asString().contains("--scenarios", "is not a directory");
    }

    @Test
    void aScenarioWithoutAFeasiblePlacementIsAnErrorRowAndTheRestContinue() throws IOException {
        Files.writeString(dir.resolve("fits.yaml"), TESTBED);
        Files.writeString(dir.resolve("tiny.yaml"), """
                model: tiiuae/Falcon3-10B-Base
                cluster: {nodes: [{id: node0, address: a, gpu: T4}]}
                connectivity: {rttMillis: {}}
                """);
        assertThat(run("evaluate", "--agent", "even", "--scenarios", dir.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("(?m)^tiny .* error$").contains("tiny: no placement fits: ")
                .contains("1 errors");

        out.getBuffer().setLength(0);
        Files.delete(dir.resolve("fits.yaml"));
        assertThat(run("evaluate", "--agent", "even", "--scenarios", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no scenario could be evaluated");
    }

    @Test
    void anAgentWhosePlacementDoesNotFitIsIneligibleWithTheReason() throws IOException {
        Files.writeString(dir.resolve("lopsided.yaml"), """
                model: tiiuae/Falcon3-10B-Base
                cluster:
                  nodes:
                    - {id: big, address: a, gpu: A100-40GB}
                    - {id: small, address: b, gpu: {name: Tiny-4, memoryGiB: 4, bandwidthGBps: 100, fp16Tflops: 10}}
                connectivity: {rttMillis: {big: {small: 0.5}}}
                """);
        JsonNode row = scenario(json("--agent", "even", "--scenarios", dir.toString()), "lopsided");
        assertThat(row.get("status").asText()).isEqualTo("ineligible");
        assertThat(row.get("regretPct").isNull()).isTrue();
        assertThat(row.get("reason").asText()).contains("big:20,small:20 does not fit");
        assertThat(row.get("bestPlacement").asText()).isEqualTo("big:40");
    }
}
