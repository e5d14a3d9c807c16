package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
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
 * Issue 13, item 6: {@code OPENAI_API_KEY} goes to a server named with {@code --llm-base-url} only when
 * {@code --llm-api-key-env} names it, never over plain http to a host other than loopback, and the plan says
 * which key was sent.
 */
class LlmKeyDestinationTest {
    private static final String PATH = "/v1/chat/completions";
    private static final String KEY = "sk-proj-destination-3b8e";
    private static final String CONFIG = "../examples/config/";

    private final WireMockServer llmServer = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final StringWriter stdout = new StringWriter();
    private final StringWriter stderr = new StringWriter();

    @BeforeEach
    void start() {
        llmServer.start();
        llmServer.stubFor(post(urlEqualTo(PATH)).willReturn(okJson(LlmAgentOptionsTest.completion("no idea"))));
    }

    @AfterEach
    void stop() {
        llmServer.stop();
    }

    private int plan(String baseUrl, String... extra) {
        CommandLine cl = CapturingCli.writingTo(stdout, stderr);
        ((PlanCommand) cl.getSubcommands().get("plan").getCommand()).llm.environment = Map.of("OPENAI_API_KEY", KEY);
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", CONFIG + "cluster-3xT4.yaml",
                "--connectivity", CONFIG + "connectivity-slow-node2.yaml", "--model", "tiiuae/Falcon3-10B-Base",
                "--format", "json", "--agent", "openai", "--llm-base-url", baseUrl, "--llm-repair-rounds", "0"));
        args.addAll(List.of(extra));
        return cl.execute(args.toArray(String[]::new));
    }

    private String local() {
        return "http://127.0.0.1:" + llmServer.port() + "/v1";
    }

    @Test
    void theEnvironmentsKeyIsNotSentToABaseUrlOfYourOwn() throws IOException {
        assertThat(plan(local())).as(stderr.toString()).isZero();

        llmServer.verify(postRequestedFor(urlEqualTo(PATH)).withoutHeader("Authorization"));
        JsonNode llm = new ObjectMapper().readTree(stdout.toString()).get("llm");
        assertThat(llm.get("apiKey").isNull()).isTrue();
    }

    @Test
    void theKeyNamedWithLlmApiKeyEnvIsSentAndNamedInThePlan() throws IOException {
        assertThat(plan(local(), "--llm-api-key-env", "OPENAI_API_KEY")).as(stderr.toString()).isZero();

        llmServer.verify(postRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + KEY)));
        JsonNode llm = new ObjectMapper().readTree(stdout.toString()).get("llm");
        assertThat(llm.get("apiKey").asText()).isEqualTo("OPENAI_API_KEY");
        assertThat(stdout.toString() + stderr).doesNotContain(KEY);
    }

    @Test
    void aKeyIsRefusedOverPlainHttpToAHostOtherThanLoopbackInOneLine() {
        assertThat(plan("http://10.1.2.3:8000/v1", "--llm-api-key-env", "OPENAI_API_KEY"))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);

        assertThat(stderr.toString()).contains("refusing to send the API key OPENAI_API_KEY over plain http to "
                + "10.1.2.3").doesNotContain(KEY);
        assertThat(stderr.toString().lines().count()).isEqualTo(1);
        assertThat(stdout.toString()).isEmpty();
    }

    @Test
    void anUnsetOrMalformedVariableNameIsOneClearLine() {
        assertThat(plan(local(), "--llm-api-key-env", "VLLM_API_KEY")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(stderr.toString()).contains("VLLM_API_KEY: is not set");
        stderr.getBuffer().setLength(0);
        assertThat(plan(local(), "--llm-api-key-env", "$(id)")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(stderr.toString()).contains("--llm-api-key-env: '$(id)' is not an environment variable name");
        assertThat(stderr.toString().lines().count()).isEqualTo(1);
    }
}
