package dev.placement.llm.openai;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.llm.http.CircuitBreakerSettings;
import dev.placement.llm.http.CircuitState;
import dev.placement.llm.http.CircuitTransition;
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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What an {@link LlmCallListener} hears from the OpenAI client against a WireMock server on 127.0.0.1: a success
 * with its token usage, a retry after 429, errors, the circuit breaker opening and refusing, a listener that
 * throws, and never the key or the prompt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiCallListenerTest {
    private static final String KEY = "sk-proj-LISTENER-91c3e7aa04";
    private static final String PATH = "/v1/chat/completions";
    private static final String QUESTION = "Split 40 layers over node0 and node1 for the listener test.";
    private static final LlmRequest REQUEST = new LlmRequest("You are a placement planner.", QUESTION,
            "layer_placement", "{\"type\":\"object\"}");

    private final WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final OpenAiLlmClientTest.MutableClock clock =
            new OpenAiLlmClientTest.MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
    private final Recorder events = new Recorder();

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
        events.all.clear();
    }

    private OpenAiLlmClient.Builder client() {
        return OpenAiLlmClient.builder().baseUrl("http://127.0.0.1:" + wm.port() + "/v1").apiKey(KEY)
                .model("gpt-5-mini").requestTimeout(Duration.ofSeconds(5)).sleeper(waits::add).clock(clock)
                .listener(events);
    }

    private void stub(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private void stubSequence(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("later"));
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs("later").willReturn(then));
    }

    @Test
    void aSuccessIsOneRequestAndOneResponseWithTheTokenUsageTheAnswerReported() {
        stub(okJson(OpenAiLlmClientTest.completion("{\"layers\":[20,20]}", "stop")));

        LlmResponse answer = client().build().complete(REQUEST);

        assertThat(events.all).hasSize(2);
        LlmCallContext sent = (LlmCallContext) events.all.get(0);
        assertThat(sent).isEqualTo(new LlmCallContext("openai", "gpt-5-mini", "127.0.0.1", 1, 1, 3));
        assertThat(sent.retry()).isFalse();
        LlmCallResponse response = (LlmCallResponse) events.all.get(1);
        assertThat(response.context()).isEqualTo(sent);
        assertThat(response.httpStatus()).isEqualTo(200);
        assertThat(response.promptTokens()).isEqualTo(answer.promptTokens()).isPositive();
        assertThat(response.completionTokens()).isEqualTo(answer.completionTokens()).isPositive();
        assertThat(response.totalTokens()).isEqualTo(answer.promptTokens() + answer.completionTokens());
        assertThat(response.responseModel()).isEqualTo(answer.model());
        assertThat(response.duration()).isGreaterThanOrEqualTo(response.attemptDuration());
        assertThat(response.attemptDuration()).isGreaterThanOrEqualTo(Duration.ZERO);
    }

    @Test
    void aRateLimitIsARetryWithTheServersHintThenARetriedRequestAndTheResponse() {
        stubSequence(aResponse().withStatus(429).withHeader("Retry-After-Ms", "120").withBody(
                OpenAiLlmClientTest.openAiError("Rate limit reached", "requests", "rate_limit_exceeded")),
                okJson(OpenAiLlmClientTest.completion("{}", "stop")));

        client().build().complete(REQUEST);

        assertThat(events.all).hasSize(4);
        LlmRetry retry = (LlmRetry) events.all.get(1);
        assertThat(retry.context().attempt()).isEqualTo(1);
        assertThat(retry.failure()).isEqualTo(LlmFailure.RATE_LIMITED);
        assertThat(retry.httpStatus()).isEqualTo(429);
        assertThat(waits).containsExactly(retry.delay());
        LlmCallContext second = (LlmCallContext) events.all.get(2);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.retry()).isTrue();
        assertThat(second.callId()).isEqualTo(retry.context().callId());
        LlmCallResponse response = (LlmCallResponse) events.all.get(3);
        assertThat(response.context()).isEqualTo(second);
        assertThat(response.httpStatus()).isEqualTo(200);
    }

    @Test
    void aBadRequestIsOneErrorWithoutRetryAndAnswersThatAreNotOneAreErrorsOfTheirKind() {
        OpenAiLlmClient client = client().build();
        stub(aResponse().withStatus(400).withBody(OpenAiLlmClientTest.openAiError("Unsupported parameter",
                "invalid_request_error", null)));

        LlmCallException thrown = catchThrowableOfType(LlmCallException.class, () -> client.complete(REQUEST));

        assertThat(events.of(LlmCallContext.class)).hasSize(1);
        assertThat(events.of(LlmRetry.class)).isEmpty();
        assertThat(events.of(LlmCallError.class)).singleElement().satisfies(e -> {
            assertThat(e.failure()).isEqualTo(LlmFailure.INVALID_REQUEST).isEqualTo(thrown.failure());
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.retryable()).isFalse();
            assertThat(e.rejectedByCircuitBreaker()).isFalse();
            assertThat(e.message()).isEqualTo(thrown.getMessage());
        });

        events.all.clear();
        wm.resetAll();
        stub(okJson(OpenAiLlmClientTest.completion(null, "stop").replace("\"refusal\":null",
                "\"refusal\":\"I will not plan this.\"")));
        catchThrowableOfType(LlmCallException.class, () -> client.complete(REQUEST));

        assertThat(events.of(LlmCallError.class)).singleElement().satisfies(e -> {
            assertThat(e.failure()).isEqualTo(LlmFailure.REFUSED);
            assertThat(e.httpStatus()).isEqualTo(200);
            assertThat(e.context().callId()).isEqualTo(2);
        });
        assertThat(events.of(LlmCallResponse.class)).isEmpty();
    }

    @Test
    void serverErrorsUntilTheRetriesRunOutAreEveryAttemptEachRetryAndOneRetryableError() {
        stub(aResponse().withStatus(503).withBody("{}"));

        catchThrowableOfType(LlmCallException.class, () -> client().maxRetries(2).build().complete(REQUEST));

        assertThat(events.of(LlmCallContext.class)).extracting(LlmCallContext::attempt).containsExactly(1, 2, 3);
        assertThat(events.of(LlmRetry.class)).extracting(LlmRetry::httpStatus).containsExactly(503, 503);
        assertThat(events.of(LlmRetry.class)).extracting(LlmRetry::delay).containsExactlyElementsOf(waits);
        assertThat(events.of(LlmCallError.class)).singleElement().satisfies(e -> {
            assertThat(e.failure()).isEqualTo(LlmFailure.SERVER_ERROR);
            assertThat(e.retryable()).isTrue();
            assertThat(e.context().attempt()).isEqualTo(3);
        });
    }

    @Test
    void theCircuitBreakerTellsItsStateChangesAndARefusalIsAnErrorWithNothingSent() {
        OpenAiLlmClient client = client().maxRetries(0)
                .circuitBreaker(new CircuitBreakerSettings(2, 2, 50, Duration.ofSeconds(30))).build();
        stub(aResponse().withStatus(500).withBody("{}"));
        for (int i = 0; i < 2; i++) {
            catchThrowableOfType(LlmCallException.class, () -> client.complete(REQUEST));
        }
        assertThat(events.of(CircuitTransition.class)).singleElement().satisfies(t -> {
            assertThat(t.from()).isEqualTo(CircuitState.CLOSED);
            assertThat(t.to()).isEqualTo(CircuitState.OPEN);
            assertThat(t.provider()).isEqualTo("openai");
            assertThat(t.at()).isEqualTo(clock.instant());
        });
        events.all.clear();

        catchThrowableOfType(LlmCallException.class, () -> client.complete(REQUEST));

        assertThat(events.all).singleElement().isInstanceOfSatisfying(LlmCallError.class, e -> {
            assertThat(e.rejectedByCircuitBreaker()).isTrue();
            assertThat(e.httpStatus()).isZero();
        });
        assertThat(wm.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(2);

        events.all.clear();
        wm.resetAll();
        stub(okJson(OpenAiLlmClientTest.completion("{}", "stop")));
        clock.advance(Duration.ofSeconds(31));
        client.complete(REQUEST);

        assertThat(events.of(CircuitTransition.class)).extracting(CircuitTransition::to)
                .containsExactly(CircuitState.HALF_OPEN, CircuitState.CLOSED);
        assertThat(client.toString()).doesNotContain(KEY);
    }

    @Test
    void aListenerThatThrowsIsLoggedAndNeitherTheCallNorTheOtherListenersNotice() {
        LlmCallListener broken = new LlmCallListener() {
            @Override
            public void onRequest(LlmCallContext context) {
                throw new IllegalStateException("listener bug in onRequest");
            }

            @Override
            public void onResponse(LlmCallResponse response) {
                throw new IllegalStateException("listener bug in onResponse");
            }
        };
        stub(okJson(OpenAiLlmClientTest.completion("{\"layers\":[20,20]}", "stop")));
        Recorder second = new Recorder();
        OpenAiLlmClient client = OpenAiLlmClient.builder().baseUrl("http://127.0.0.1:" + wm.port() + "/v1")
                .apiKey(KEY).model("gpt-5-mini").sleeper(waits::add).listener(broken).listener(events)
                .listener(second).build();

        LlmResponse[] answer = new LlmResponse[1];
        String logs = captureStandardError(() -> answer[0] = client.complete(REQUEST));

        assertThat(answer[0].text()).isEqualTo("{\"layers\":[20,20]}");
        assertThat(events.all).hasSize(2);
        assertThat(second.all).isEqualTo(events.all);
        assertThat(logs).contains("WARN", "LLM call listener", "failed in onRequest", "listener bug in onRequest",
                "failed in onResponse");
    }

    @Test
    void noEventCarriesTheKeyOrThePromptEvenWhenTheServerEchoesTheKey() {
        String echo = "Incorrect API key provided: " + KEY + ".";
        List<ResponseDefinitionBuilder> answers = List.of(
                okJson(OpenAiLlmClientTest.completion("{\"layers\":[20,20]}", "stop")),
                aResponse().withStatus(401).withBody(OpenAiLlmClientTest.openAiError(echo, "invalid_request_error",
                        "invalid_api_key")),
                aResponse().withStatus(429).withHeader("Retry-After-Ms", "1")
                        .withBody(OpenAiLlmClientTest.openAiError(echo, "requests", "rate_limit_exceeded")),
                aResponse().withStatus(500).withBody("<html>" + echo + "</html>"),
                okJson("{\"choices\":[{\"message\":{\"content\":\"" + echo),
                okJson(OpenAiLlmClientTest.completion(null, "stop").replace("\"refusal\":null",
                        "\"refusal\":\"" + echo + "\"")));
        for (ResponseDefinitionBuilder answer : answers) {
            wm.resetAll();
            stub(answer);
            OpenAiLlmClient client = client().maxRetries(1).build();
            try {
                client.complete(REQUEST);
            } catch (LlmCallException expected) {
                // the failure is what is heard
            }
        }

        assertThat(events.of(LlmCallError.class)).hasSize(answers.size() - 1)
                .anySatisfy(e -> assertThat(e.message()).contains("Incorrect API key provided: ***"));
        assertThat(events.of(LlmRetry.class)).isNotEmpty();
        assertThat(events.all).allSatisfy(e -> assertThat(e.toString()).doesNotContain(KEY, QUESTION,
                "Bearer", "placement planner"));
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

    /** Keeps every event in order. */
    static final class Recorder implements LlmCallListener {
        final List<Object> all = new CopyOnWriteArrayList<>();

        <T> List<T> of(Class<T> type) {
            return all.stream().filter(type::isInstance).map(type::cast).toList();
        }

        @Override
        public void onRequest(LlmCallContext context) {
            all.add(context);
        }

        @Override
        public void onRetry(LlmRetry retry) {
            all.add(retry);
        }

        @Override
        public void onResponse(LlmCallResponse response) {
            all.add(response);
        }

        @Override
        public void onError(LlmCallError error) {
            all.add(error);
        }

        @Override
        public void onCircuitStateChange(CircuitTransition transition) {
            all.add(transition);
        }
    }
}
