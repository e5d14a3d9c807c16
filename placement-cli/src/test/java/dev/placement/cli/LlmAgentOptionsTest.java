package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.placement.api.AgentProposal;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The guarded LLM agent as the CLI builds it, against an OpenAI-compatible server on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlmAgentOptionsTest {
    private static final String PATH = "/v1/chat/completions";
    private static final PerformanceModel MODEL = PerformanceModel.defaults();

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private PlacementRequest request;

    @BeforeAll
    void start() {
        server.start();
        Path config = Path.of("..", "examples", "config");
        ClusterSnapshot cluster = ClusterFiles.readCluster(config.resolve("cluster-3xT4.yaml"));
        ConnectivityMap links = ClusterFiles.readConnectivity(config.resolve("connectivity-slow-node2.yaml"), cluster);
        request = PlacementRequest.builder(ModelCatalog.builtIn().get("tiiuae/Falcon3-10B-Base", "test", "model"),
                cluster, links).build();
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
    }

    static String completion(String content) {
        try {
            return """
                    {"id":"chatcmpl-1","object":"chat.completion","created":1741570283,"model":"local-planner",
                     "choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],
                     "usage":{"prompt_tokens":900,"completion_tokens":40,"total_tokens":940}}"""
                    .formatted(new ObjectMapper().writeValueAsString(content));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stub(ResponseDefinitionBuilder response) {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private LlmAgentOptions llmOptions(String guard) {
        LlmAgentOptions o = new LlmAgentOptions();
        o.environment = Map.of();
        o.baseUrl = "http://127.0.0.1:" + server.port() + "/v1";
        o.model = "local-planner";
        o.guard = guard;
        return o;
    }

    private Placement solverBest() {
        return new dev.placement.core.PlacementSolver(MODEL).solve(request).best().placement();
    }

    @Test
    void appliesTheLocalServersValidAnswer() {
        Placement best = solverBest();
        stub(okJson(completion("{\"nodes_used\":" + json(best.nodeIds()) + ",\"layers_per_node\":"
                + best.layerCounts() + ",\"rationale\":\"node2 is behind a 10 ms link\"}")));
        PlacementDecision d = llmOptions(null).agent("openai", MODEL).decide(request);
        assertThat(d.placement()).isEqualTo(best);
        assertThat(d.agent()).isEqualTo("openai");
        assertThat(d.proposal().accepted()).isTrue();
        assertThat(d.proposal().model()).isEqualTo("local-planner");
        assertThat(d.proposal().reason()).startsWith("verify: applied");
        server.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void fallsBackToTheSolverWhenTheServerAnswersGarbage() {
        stub(okJson(completion("I cannot help with GPUs today.")));
        PlacementDecision d = llmOptions("trust").agent("openai", MODEL).decide(request);
        assertThat(d.placement()).isEqualTo(solverBest());
        assertThat(d.agent()).isEqualTo("solver");
        assertThat(d.proposal().accepted()).isFalse();
        assertThat(d.proposal().placement()).isNull();
        assertThat(d.proposal().reason()).contains("invalid", "no layer assignment was found");
        server.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void fallsBackToTheSolverWhenTheServerFails() {
        stub(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"model not loaded\",\"type\":\"invalid_request_error\","
                        + "\"param\":null,\"code\":400}}"));
        PlacementDecision d = llmOptions("trust").agent("openai", MODEL).decide(request);
        assertThat(d.placement()).isEqualTo(solverBest());
        assertThat(d.proposal().accepted()).isFalse();
        assertThat(d.proposal().reason()).contains("HTTP 400", "model not loaded", "fell back to the solver");
    }

    @Test
    void namesTheEnvironmentVariableToSetWhenNoKeyIsFound() {
        LlmAgentOptions openai = new LlmAgentOptions();
        openai.environment = Map.of();
        assertThatThrownBy(() -> openai.agent("openai", MODEL)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("OPENAI_API_KEY");
        LlmAgentOptions gemini = new LlmAgentOptions();
        gemini.environment = Map.of();
        assertThatThrownBy(() -> gemini.agent("gemini", MODEL)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("GEMINI_API_KEY").hasMessageContaining("GOOGLE_API_KEY");
    }

    @Test
    void rejectsBadOptionValuesNamingTheOption() {
        LlmAgentOptions o = llmOptions("yolo");
        assertThatThrownBy(() -> o.agent("openai", MODEL)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("--guard: unknown guard 'yolo'");
        LlmAgentOptions p = llmOptions(null);
        p.prompt = "chatty";
        assertThatThrownBy(() -> p.agent("openai", MODEL)).hasMessageStartingWith("--llm-prompt:");
        LlmAgentOptions unused = new LlmAgentOptions();
        unused.guard = "trust";
        assertThatThrownBy(() -> unused.requireUnusedUnless("solver"))
                .hasMessage("--guard: applies only with --agent openai or --agent gemini");
    }

    @Test
    void buildsTheResearchFaithfulAgentWhenAsked() {
        LlmAgentOptions o = llmOptions("advise");
        o.prompt = "research-faithful";
        PlacementAgent agent = o.agent("openai", MODEL);
        stub(okJson(completion("Nodes used: 3\nNode 0: layers [0-12]\nNode 1: layers [13-26]\n"
                + "Node 2: layers [27-39]\nRationale: use every GPU")));
        PlacementDecision d = agent.decide(request);
        assertThat(d.agent()).isEqualTo("solver");
        assertThat(d.proposal().placement().toSpec()).isEqualTo("node0:13,node1:14,node2:13");
        assertThat(d.proposal().reason()).startsWith("advise: recorded only");
        assertThat(server.findAll(postRequestedFor(urlEqualTo(PATH))).get(0).getBodyAsString())
                .doesNotContain("What the performance model predicts");
    }

    @Test
    void writesTheLlmObjectOfTheJsonOutput() {
        Map<String, Object> json = LlmAgentOptions.json(new AgentProposal("openai", "gpt-5-mini",
                Placement.parse("node0:20,node1:20"), false, "verify: rejected"));
        assertThat(json).containsExactly(Map.entry("provider", "openai"), Map.entry("model", "gpt-5-mini"),
                Map.entry("proposal", "node0:20,node1:20"), Map.entry("accepted", false),
                Map.entry("reason", "verify: rejected"));
        assertThat(LlmAgentOptions.json(null)).isNull();
    }

    private static String json(java.util.List<String> ids) {
        return ids.stream().map(id -> "\"" + id + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
