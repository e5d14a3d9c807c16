package dev.placement.llm.openai;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.placement.api.LlmRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the client through success and every kind of failure, with servers that echo the key back, and checks
 * that the key is in none of the captured logs (debug level, see simplelogger.properties), exception messages,
 * stack traces or {@code toString()}s.
 */
class OpenAiApiKeyNeverLeaksTest {
    private static final String KEY = "sk-proj-LEAKCHECK-7d3f9b2a51c8";
    private static final LlmRequest REQUEST = new LlmRequest("You are a placement planner.", "Split 40 layers.",
            "layer_placement", "{\"type\":\"object\"}");

    private final WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @BeforeEach
    void start() {
        wm.start();
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    @Test
    void keyIsAbsentFromLogsExceptionsAndToStringOnSuccessAndFailure() {
        // A fresh client per answer, so the circuit breaker opened by earlier failures does not hide later paths.
        Supplier<OpenAiLlmClient> clients = () -> OpenAiLlmClient.builder()
                .baseUrl("http://127.0.0.1:" + wm.port() + "/v1").apiKey(KEY).model("gpt-5-mini")
                .requestTimeout(Duration.ofMillis(300)).maxRetries(1).sleeper(d -> { }).build();
        String echo = "Incorrect API key provided: " + KEY + ".";
        List<ResponseDefinitionBuilder> answers = List.of(
                okJson(OpenAiLlmClientTest.completion("{\"layers\":[20,20]}", "stop")),
                aResponse().withStatus(401).withBody(OpenAiLlmClientTest.openAiError(echo, "invalid_request_error",
                        "invalid_api_key")),
                aResponse().withStatus(429).withHeader("Retry-After-Ms", "1")
                        .withBody(OpenAiLlmClientTest.openAiError(echo, "requests", "rate_limit_exceeded")),
                aResponse().withStatus(429).withBody(OpenAiLlmClientTest.openAiError(echo, "insufficient_quota",
                        "insufficient_quota")),
                aResponse().withStatus(500).withBody("<html>" + echo + "</html>"),
                okJson(OpenAiLlmClientTest.completion("{}", "stop")).withFixedDelay(1200),
                okJson("{\"choices\":[{\"message\":{\"content\":\"" + echo),
                okJson(OpenAiLlmClientTest.completion(null, "stop").replace("\"refusal\":null",
                        "\"refusal\":\"" + echo + "\"")));

        List<String> texts = new ArrayList<>();
        String logs = captureStandardError(() -> {
            for (ResponseDefinitionBuilder answer : answers) {
                wm.resetAll();
                wm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(answer));
                OpenAiLlmClient client = clients.get();
                texts.add(client.toString());
                try {
                    texts.add(client.complete(REQUEST).toString());
                } catch (RuntimeException e) {
                    texts.add(e.toString());
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    texts.add(trace.toString());
                }
            }
        });

        assertThat(logs).contains("openai POST", "HTTP 401", "HTTP 429", "HTTP 500", "retrying", "timed out");
        assertThat(texts).hasSize(answers.size() + 1 + 2 * (answers.size() - 1));
        assertThat(String.join("\n", texts)).contains("Incorrect API key provided: ***",
                "not a Chat Completions JSON object", "the model refused").doesNotContain("circuit breaker open");
        assertThat(logs).doesNotContain(KEY);
        assertThat(texts).allSatisfy(text -> assertThat(text).doesNotContain(KEY));
    }

    private static String captureStandardError(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }
}
