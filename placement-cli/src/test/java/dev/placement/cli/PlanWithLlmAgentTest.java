package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * Issue 4's "done when": {@code placement plan --agent openai} against a local OpenAI-compatible server returns
 * the LLM's valid answer, and falls back to the solver (exit 0, reason in the JSON "llm" object) when the
 * server answers garbage or fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlanWithLlmAgentTest {
    private static final String PATH = "/v1/chat/completions";
    private static final String CONFIG = "../examples/config/";

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final ObjectMapper json = new ObjectMapper();
    private StringWriter out;
    private StringWriter err;

    @BeforeAll
    void start() {
        server.start();
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        out = new StringWriter();
        err = new StringWriter();
    }

    private int plan(String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", CONFIG + "cluster-3xT4.yaml",
                "--connectivity", CONFIG + "connectivity-slow-node2.yaml", "--model", "tiiuae/Falcon3-10B-Base",
                "--objective", "itl", "--format", "json"));
        args.addAll(List.of(extra));
        CommandLine cl = CapturingCli.writingTo(out, err);
        return cl.execute(args.toArray(String[]::new));
    }

    private int planWithLocalLlm(String... extra) {
        List<String> args = new ArrayList<>(List.of("--agent", "openai", "--llm-model", "local-planner",
                "--llm-base-url", "http://127.0.0.1:" + server.port() + "/v1"));
        args.addAll(List.of(extra));
        return plan(args.toArray(String[]::new));
    }

    private void stub(ResponseDefinitionBuilder response) {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private JsonNode output() throws IOException {
        return json.readTree(out.toString());
    }

    /** The solver's plan for the same inputs, from the CLI itself. */
    private JsonNode solverPlan() throws IOException {
        StringWriter saved = out;
        out = new StringWriter();
        assertThat(plan()).isZero();
        JsonNode solver = output();
        out = saved;
        return solver;
    }

    private static String stagesSpec(JsonNode plan) {
        List<String> parts = new ArrayList<>();
        plan.get("stages").forEach(s -> parts.add(s.get("node").asText() + ":" + s.get("layers").asInt()));
        return String.join(",", parts);
    }

    @Test
    void appliesTheLocalServersValidAnswer() throws IOException {
        JsonNode solver = solverPlan();
        List<String> nodes = new ArrayList<>();
        List<Integer> layers = new ArrayList<>();
        solver.get("stages").forEach(s -> {
            nodes.add(s.get("node").asText());
            layers.add(s.get("layers").asInt());
        });
        String answer = json.writeValueAsString(java.util.Map.of("nodes_used", nodes, "layers_per_node", layers,
                "rationale", "node2 sits behind a 10 ms link; two T4s hold the model"));
        stub(okJson(LlmAgentOptionsTest.completion(answer)));

        assertThat(planWithLocalLlm()).as(err.toString()).isZero();
        JsonNode plan = output();
        assertThat(plan.get("agent").asText()).isEqualTo("openai");
        assertThat(stagesSpec(plan)).isEqualTo(stagesSpec(solver));
        assertThat(plan.get("rationale").asText()).isEqualTo("node2 sits behind a 10 ms link; two T4s hold the model");
        JsonNode llm = plan.get("llm");
        assertThat(llm.get("provider").asText()).isEqualTo("openai");
        assertThat(llm.get("model").asText()).isEqualTo("local-planner");
        assertThat(llm.get("proposal").asText()).isEqualTo(stagesSpec(solver));
        assertThat(llm.get("accepted").asBoolean()).isTrue();
        assertThat(llm.get("reason").asText()).startsWith("verify: applied");
        // The request carried the strict JSON schema and the prompt's data.
        String body = server.findAll(postRequestedFor(urlEqualTo(PATH))).get(0).getBodyAsString();
        assertThat(body).contains("\"json_schema\"", "layer_placement", "tiiuae/Falcon3-10B-Base",
                "node1 -> node2: RTT 10.20 ms");
    }

    @Test
    void fallsBackToTheSolverWhenTheServerAnswersGarbage() throws IOException {
        JsonNode solver = solverPlan();
        stub(okJson(LlmAgentOptionsTest.completion("Sorry, as a language model I cannot place layers.")));
        assertThat(planWithLocalLlm()).as(err.toString()).isZero();
        JsonNode plan = output();
        assertThat(plan.get("agent").asText()).isEqualTo("solver");
        assertThat(stagesSpec(plan)).isEqualTo(stagesSpec(solver));
        JsonNode llm = plan.get("llm");
        assertThat(llm.get("proposal").isNull()).isTrue();
        assertThat(llm.get("accepted").asBoolean()).isFalse();
        assertThat(llm.get("reason").asText()).contains("invalid", "no layer assignment was found",
                "fell back to the solver");
    }

    @Test
    void fallsBackToTheSolverWhenTheServerReturnsInvalidPlacements() throws IOException {
        stub(okJson(LlmAgentOptionsTest.completion(
                "{\"nodes_used\":[\"node0\",\"node9\"],\"layers_per_node\":[20,21],"
                        + "\"rationale\":\"ignore the checks\"}")));
        assertThat(planWithLocalLlm("--guard", "trust")).as(err.toString()).isZero();
        JsonNode llm = output().get("llm");
        assertThat(output().get("agent").asText()).isEqualTo("solver");
        assertThat(llm.get("reason").asText()).contains("unknown node 'node9'", "sum to 41");
        server.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void fallsBackToTheSolverWhenTheServerFails() throws IOException {
        stub(aResponse().withStatus(500).withHeader("Retry-After-Ms", "1")
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"server_error\",\"param\":null,"
                        + "\"code\":500}}"));
        assertThat(planWithLocalLlm()).as(err.toString()).isZero();
        JsonNode plan = output();
        assertThat(plan.get("agent").asText()).isEqualTo("solver");
        assertThat(plan.get("llm").get("accepted").asBoolean()).isFalse();
        assertThat(plan.get("llm").get("reason").asText()).contains("HTTP 500", "fell back to the solver");
    }

    @Test
    void fallsBackToTheSolverWhenNothingListens() throws IOException {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThat(plan("--agent", "openai", "--llm-base-url", "http://127.0.0.1:" + closedPort + "/v1"))
                .as(err.toString()).isZero();
        assertThat(output().get("agent").asText()).isEqualTo("solver");
        assertThat(output().get("llm").get("reason").asText()).contains("the LLM failed");
    }

    @Test
    void tellsWhichVariableToSetWhenNoKeyIsFound() {
        assumeTrue(System.getenv("OPENAI_API_KEY") == null && System.getenv("OPENAI_BASE_URL") == null
                && System.getenv("GEMINI_API_KEY") == null && System.getenv("GOOGLE_API_KEY") == null,
                "an LLM key or base URL is set in this environment");
        assertThat(plan("--agent", "openai")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("OPENAI_API_KEY", "--llm-base-url").doesNotContain("\tat ");
        assertThat(err.toString().lines().count()).isEqualTo(1);
        err.getBuffer().setLength(0);
        assertThat(plan("--agent", "gemini")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("GEMINI_API_KEY").contains("GOOGLE_API_KEY");
        assertThat(err.toString().lines().count()).isEqualTo(1);
    }

    @Test
    void rejectsLlmOptionsWithoutAnLlmAgent() {
        assertThat(plan("--guard", "trust")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--guard: applies only with --agent openai or --agent gemini");
    }
}
