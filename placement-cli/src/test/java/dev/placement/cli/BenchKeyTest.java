package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 13, item 6, for {@code placement bench}: a key goes to the server under test only when
 * {@code --api-key-env} names it, never over plain http to a host other than loopback, and the run says which
 * variable it sent (never the key).
 */
class BenchKeyTest {
    private static final String KEY = "sk-proj-bench-7c1d";
    private static final String STREAM = "data: {\"choices\": [{\"text\": \"hi\"}]}\n\n"
            + "data: {\"choices\": [{\"text\": \" there\"}]}\n\ndata: [DONE]\n\n";

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final StringWriter stdout = new StringWriter();
    private final StringWriter stderr = new StringWriter();

    @BeforeEach
    void start() {
        server.start();
        server.stubFor(post(urlEqualTo("/v1/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(STREAM)));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private int bench(String url, String... extra) {
        CommandLine cl = CapturingCli.writingTo(stdout, stderr);
        ((BenchCommand) cl.getSubcommands().get("bench").getCommand()).environment =
                Map.of("OPENAI_API_KEY", KEY, "VLLM_API_KEY", KEY);
        List<String> args = new ArrayList<>(List.of("bench", "--url", url, "--model", "m", "--num-prompts", "2",
                "--output-len", "2", "--num-warmups", "0", "--timeout", "20"));
        args.addAll(List.of(extra));
        return cl.execute(args.toArray(String[]::new));
    }

    private String local() {
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    void noKeyIsSentUnlessOneIsNamedThoughOpenAiApiKeyIsSet() {
        assertThat(bench(local())).as(stderr.toString()).isZero();

        server.verify(2, postRequestedFor(urlEqualTo("/v1/completions")));
        assertThat(server.getAllServeEvents()).allSatisfy(e ->
                assertThat(e.getRequest().containsHeader("Authorization")).isFalse());
        assertThat(stderr.toString()).doesNotContain("sending the key");
    }

    @Test
    void theNamedKeyIsSentAsABearerTokenAndTheRunSaysWhichVariable() {
        assertThat(bench(local(), "--api-key-env", "VLLM_API_KEY")).as(stderr.toString()).isZero();

        server.verify(2, postRequestedFor(urlEqualTo("/v1/completions"))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
        assertThat(stderr.toString()).isEqualTo("placement: sending the key in VLLM_API_KEY to 127.0.0.1"
                + System.lineSeparator());
        assertThat(stdout.toString() + stderr).doesNotContain(KEY);
    }

    @Test
    void aKeyIsRefusedOverPlainHttpToAHostOtherThanLoopbackBeforeAnythingIsSent() {
        // A reserved name that never resolves: the refusal must come before any connection is tried.
        assertThat(bench("http://gpu-node.invalid:8000", "--api-key-env", "OPENAI_API_KEY")).isEqualTo(2);

        assertThat(stderr.toString().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .contains("--url").contains("OPENAI_API_KEY").contains("plain http").contains("gpu-node.invalid")
                .doesNotContain(KEY));
    }

    @Test
    void aNamedVariableThatIsUnsetOrNotAVariableNameIsOneLine() {
        assertThat(bench(local(), "--api-key-env", "NO_SUCH_KEY")).isEqualTo(2);
        assertThat(stderr.toString().lines().toList()).singleElement().satisfies(line ->
                assertThat(line).contains("NO_SUCH_KEY").contains("is not set"));

        stderr.getBuffer().setLength(0);
        assertThat(bench(local(), "--api-key-env", "sk-proj-oops")).isEqualTo(2);
        assertThat(stderr.toString().lines().toList()).singleElement().satisfies(line ->
                assertThat(line).contains("--api-key-env").contains("not an environment variable name"));
        server.verify(0, postRequestedFor(urlEqualTo("/v1/completions")));
    }
}
