package dev.placement.llm.gemini;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.llm.http.LlmCallContext;
import dev.placement.llm.http.LlmCallError;
import dev.placement.llm.http.LlmCallException;
import dev.placement.llm.http.LlmCallListener;
import dev.placement.llm.http.LlmCallResponse;
import dev.placement.llm.http.LlmFailure;
import dev.placement.llm.http.LlmRetry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What an {@link LlmCallListener} hears from the Gemini client against a WireMock server on 127.0.0.1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeminiCallListenerTest {
    private static final String KEY = "AIzaSyD-listener-4e0b2f";
    private static final String PATH = "/v1beta/models/gemini-2.5-flash:generateContent";
    private static final String QUESTION = "Split 40 layers over node0 and node1, a Gemini listener test.";
    private static final LlmRequest REQUEST = new LlmRequest("You are a placement planner.", QUESTION,
            "layer_placement", "{\"type\":\"object\"}");

    private final WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final List<Object> events = new CopyOnWriteArrayList<>();
    private final LlmCallListener recorder = new LlmCallListener() {
        @Override
        public void onRequest(LlmCallContext context) {
            events.add(context);
        }

        @Override
        public void onRetry(LlmRetry retry) {
            events.add(retry);
        }

        @Override
        public void onResponse(LlmCallResponse response) {
            events.add(response);
        }

        @Override
        public void onError(LlmCallError error) {
            events.add(error);
        }
    };

    @BeforeAll
    void start() {
        wm.start();
    }

    @AfterAll
    void stop() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        waits.clear();
        events.clear();
    }

    private GeminiLlmClient client() {
        return GeminiLlmClient.builder().baseUrl("http://127.0.0.1:" + wm.port()).apiKey(KEY)
                .model("models/gemini-2.5-flash").requestTimeout(Duration.ofSeconds(5)).sleeper(waits::add)
                .listener(recorder).build();
    }

    private void stubSequence(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("later"));
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs("later").willReturn(then));
    }

    @Test
    void aRetriedRateLimitThenAnAnswerAreHeardWithTheUsageMetadataAndTheModelName() {
        stubSequence(aResponse().withStatus(429).withBody(GeminiLlmClientTest.googleError(429, "RESOURCE_EXHAUSTED",
                        "Quota exceeded for requests per minute.",
                        "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"2s\"}]")),
                okJson(GeminiLlmClientTest.answer("[" + GeminiLlmClientTest.textPart("{}") + "]", "STOP")));

        LlmResponse answer = client().complete(REQUEST);

        assertThat(events).hasSize(4);
        assertThat(events.get(0)).isEqualTo(new LlmCallContext("gemini", "gemini-2.5-flash", "127.0.0.1", 1, 1, 3));
        assertThat(events.get(1)).isInstanceOfSatisfying(LlmRetry.class, r -> {
            assertThat(r.failure()).isEqualTo(LlmFailure.RATE_LIMITED);
            assertThat(r.httpStatus()).isEqualTo(429);
            assertThat(r.delay()).isEqualTo(Duration.ofSeconds(2));
        });
        assertThat(waits).containsExactly(Duration.ofSeconds(2));
        assertThat(events.get(2)).isInstanceOfSatisfying(LlmCallContext.class, c -> assertThat(c.retry()).isTrue());
        assertThat(events.get(3)).isInstanceOfSatisfying(LlmCallResponse.class, r -> {
            assertThat(r.promptTokens()).isEqualTo(answer.promptTokens()).isPositive();
            assertThat(r.completionTokens()).isEqualTo(answer.completionTokens()).isPositive();
            assertThat(r.responseModel()).isEqualTo(answer.model());
        });
    }

    @Test
    void aBlockedPromptIsOneErrorOfItsKindAndNoEventCarriesTheKeyOrThePrompt() {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(okJson(
                "{\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":9}}")));

        catchThrowableOfType(LlmCallException.class, () -> client().complete(REQUEST));

        assertThat(events).hasSize(2).last().isInstanceOfSatisfying(LlmCallError.class, e -> {
            assertThat(e.failure()).isEqualTo(LlmFailure.BLOCKED);
            assertThat(e.httpStatus()).isEqualTo(200);
            assertThat(e.retryable()).isFalse();
        });
        assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain(KEY, QUESTION));
    }
}
