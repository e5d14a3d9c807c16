package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 13, item 8: a key that an LLM server echoes back in its answer reaches neither stderr, the plan JSON
 * nor {@code journal.jsonl}.
 */
class EchoedSecretsTest {
    private static final String PATH = "/v1/chat/completions";
    private static final String KEY = "sk-proj-echoed-7d1f0c9a";
    private static final String CONFIG = "../examples/config/";

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        server.start();
        // A valid placement whose rationale quotes the key; --guard trust applies it, rationale and all.
        server.stubFor(post(urlEqualTo(PATH)).willReturn(okJson(LlmAgentOptionsTest.completion(
                "{\"nodes_used\":[\"node0\",\"node1\"],\"layers_per_node\":[20,20],"
                        + "\"rationale\":\"called with key " + KEY + "\"}"))));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private String[] llmArgs(String... first) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(first));
        args.addAll(java.util.List.of("--agent", "openai", "--llm-model", "local-planner", "--llm-base-url",
                "http://127.0.0.1:" + server.port() + "/v1", "--llm-api-key-env", "OPENAI_API_KEY",
                "--guard", "trust", "--llm-repair-rounds", "0", "--verbose"));
        return args.toArray(String[]::new);
    }

    @Test
    void anEchoedKeyReachesNeitherThePlanJsonNorStderr() {
        CommandLine cl = CapturingCli.writingTo(out, err);
        ((PlanCommand) cl.getSubcommands().get("plan").getCommand()).llm.environment = Map.of("OPENAI_API_KEY", KEY);

        int exit = cl.execute(llmArgs("plan", "--cluster", CONFIG + "cluster-3xT4.yaml", "--connectivity",
                CONFIG + "connectivity-slow-node2.yaml", "--model", "tiiuae/Falcon3-10B-Base", "--format", "json"));

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"llm\"", "***").doesNotContain(KEY);
        assertThat(err.toString()).doesNotContain(KEY);
    }

    @Test
    void anEchoedKeyNeverReachesTheJournal(@TempDir Path dir) throws IOException {
        CommandLine cl = CapturingCli.writingTo(out, err);
        ((DemoCommand) cl.getSubcommands().get("demo").getCommand()).llm.environment = Map.of("OPENAI_API_KEY", KEY);

        int exit = cl.execute(llmArgs("demo", "--out", dir.toString()));

        assertThat(exit).as(err.toString()).isZero();
        String journal = Files.readString(dir.resolve("journal.jsonl"));
        assertThat(journal).contains("***").doesNotContain(KEY);
        assertThat(out.toString()).doesNotContain(KEY);
        assertThat(err.toString()).doesNotContain(KEY);
    }
}
