package dev.placement.llm.gemini;

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
import java.util.Map;

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
class GeminiApiKeyNeverLeaksTest {
    private static final String KEY = "AIzaSy-LEAKCHECK-e41b7c09";
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
        List<String> texts = new ArrayList<>();
        String echo = "API key " + KEY + " not valid.";
        List<ResponseDefinitionBuilder> answers = List.of(
                okJson(GeminiLlmClientTest.answer("[" + GeminiLlmClientTest.textPart("{}") + "]", "STOP")),
                aResponse().withStatus(400).withBody(GeminiLlmClientTest.googleError(400, "INVALID_ARGUMENT", echo,
                        "[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]")),
                aResponse().withStatus(429).withBody(GeminiLlmClientTest.googleError(429, "RESOURCE_EXHAUSTED", echo,
                        "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"0.001s\"}]")),
                aResponse().withStatus(503).withBody(echo),
                okJson("{}").withFixedDelay(1200),
                okJson("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + echo),
                okJson("{\"promptFeedback\":{\"blockReason\":\"OTHER\"}}"));

        String logs = captureStandardError(() -> {
            for (ResponseDefinitionBuilder answer : answers) {
                // A fresh client per answer, so the circuit breaker opened by earlier failures does not hide
                // the later paths.
                GeminiLlmClient client = GeminiLlmClient.fromEnvironment(Map.of("GEMINI_API_KEY", KEY))
                        .apiKeyVariable("GEMINI_API_KEY")
                        .baseUrl("http://127.0.0.1:" + wm.port()).requestTimeout(Duration.ofMillis(300))
                        .maxRetries(1).sleeper(d -> { }).build();
                texts.add(client.toString());
                wm.resetAll();
                wm.stubFor(post(urlEqualTo("/v1beta/models/gemini-2.5-flash:generateContent")).willReturn(answer));
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

        assertThat(logs).contains("gemini POST", "HTTP 400", "HTTP 429", "HTTP 503", "retrying", "timed out");
        assertThat(texts).hasSize(answers.size() + 1 + 2 * (answers.size() - 1));
        assertThat(String.join("\n", texts)).contains("API key *** not valid", "generateContent JSON object",
                "prompt was blocked").doesNotContain("circuit breaker open");
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
