package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code placement evaluate --agent openai} against an OpenAI-compatible server on loopback that always answers
 * vLLM's even split: the raw answer is kept, and the regret is the LLM's placement's, applied by the guard or not.
 */
class EvaluateWithLlmAgentTest {
    private static final String PATH = "/v1/chat/completions";
    private static final String ANSWER = "Placement: node0:13,node1:14,node2:13\nRationale: all three T4s, as vLLM "
            + "splits them by default.";

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        server.start();
        server.stubFor(post(urlEqualTo(PATH)).willReturn(okJson(LlmAgentOptionsTest.completion(ANSWER))));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private int evaluate(String... args) {
        List<String> all = new ArrayList<>(List.of("evaluate", "--agent", "openai", "--llm-model", "local-planner",
                "--llm-base-url", "http://127.0.0.1:" + server.port() + "/v1", "--llm-repair-rounds", "0"));
        all.addAll(List.of(args));
        CommandLine cl = CapturingCli.writingTo(out, err);
        // No key from this machine's environment: the local server needs none.
        ((EvaluateCommand) cl.getSubcommands().get("evaluate").getCommand()).llm.environment = Map.of();
        return cl.execute(all.toArray(String[]::new));
    }

    private JsonNode evenAgent() throws IOException {
        StringWriter evenOut = new StringWriter();
        assertThat(CapturingCli.writingTo(evenOut, new StringWriter())
                .execute("evaluate", "--agent", "even", "--format", "json")).isZero();
        return new ObjectMapper().readTree(evenOut.toString());
    }

    @Test
    void keepsTheRawAnswerAndJudgesTheLlmsPlacementWhetherOrNotTheGuardAppliedIt() throws IOException {
        assertThat(evaluate("--format", "json")).as(err.toString()).isZero();
        JsonNode result = new ObjectMapper().readTree(out.toString());
        JsonNode even = evenAgent();
        server.verify(EvaluationScenario.BUILT_IN.size(), postRequestedFor(urlEqualTo(PATH)));

        for (String name : List.of("research-00-00", "research-02-04", "research-02-10")) {
            JsonNode row = EvaluateCommandTest.scenario(result, name);
            JsonNode llm = row.get("llm");
            assertThat(llm.get("answers")).singleElement().extracting(JsonNode::asText).isEqualTo(ANSWER);
            assertThat(llm.get("model").asText()).isEqualTo("local-planner");
            assertThat(row.get("agentPlacement").asText()).isEqualTo("node0:13,node1:14,node2:13");
            double regret = row.get("regretPct").asDouble();
            assertThat(regret).as(name).isEqualTo(EvaluateCommandTest.scenario(even, name).get("regretPct")
                    .asDouble());
            // The guard's verify mode applies an answer within 5% of the best; the regret is computed either way.
            assertThat(llm.get("guard").asText()).as(name).isEqualTo(regret <= 5 ? "applied" : "rejected");
            assertThat(llm.get("accepted").asBoolean()).isEqualTo(regret <= 5);
        }
        assertThat(EvaluateCommandTest.scenario(result, "research-02-10").get("regretPct").asDouble()).isPositive();

        // Another cluster's node names: the answer is invalid there, the guard falls back, the LLM is ineligible.
        JsonNode hetero = EvaluateCommandTest.scenario(result, "hetero-5-nodes");
        assertThat(hetero.get("status").asText()).isEqualTo("ineligible");
        assertThat(hetero.get("agentPlacement").isNull()).isTrue();
        assertThat(hetero.get("llm").get("guard").asText()).isEqualTo("fell back");
        assertThat(hetero.get("llm").get("answers").get(0).asText()).isEqualTo(ANSWER);
        assertThat(hetero.get("reason").asText()).startsWith("no valid placement was proposed: ")
                .contains("sum to 40 but the model has 32 layers");
        assertThat(result.get("summary").get("ineligible").asInt()).isPositive();
    }

    @Test
    void theTableShowsWhatTheGuardDidAndTheAnswerClipped() {
        assertThat(evaluate()).as(err.toString()).isZero();
        String far = out.toString().lines().filter(l -> l.startsWith("research-02-10 ")).findFirst().orElseThrow();
        assertThat(far).contains("node0:13,node1:14,node2:13", "rejected",
                "Placement: node0:13,node1:14,node2:13 Ra...").doesNotContain("by default");
        assertThat(out.toString()).contains("  hetero-5-nodes: no valid placement was proposed: ");
    }
}
