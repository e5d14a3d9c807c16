package dev.placement.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LlmException;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.llm.http.CircuitBreakerSettings;
import dev.placement.llm.http.LlmCallException;
import dev.placement.llm.http.LlmFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiLlmClientTest {
    private static final String KEY = "sk-test-4f9a2c7e1b";
    private static final String PATH = "/v1/chat/completions";
    private static final String SCHEMA = """
            {"type":"object","properties":{"layers":{"type":"array","items":{"type":"integer"}}},
             "required":["layers"],"additionalProperties":false}""";
    private static final LlmRequest STRUCTURED = new LlmRequest("You are a placement planner.",
            "Split 40 layers over node0 and node1.", "layer_placement", SCHEMA);
    private static final LlmRequest FREE_TEXT = new LlmRequest("You are a placement planner.",
            "Split 40 layers over node0 and node1.", "layer_placement", null);
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    private final ObjectMapper json = new ObjectMapper();
    private final WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final MutableClock clock = new MutableClock(NOW);

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
        clock.set(NOW);
    }

    private OpenAiLlmClient.Builder client() {
        return OpenAiLlmClient.builder()
                .baseUrl("http://127.0.0.1:" + wm.port() + "/v1/")
                .apiKey(KEY)
                .model("gpt-5-mini")
                .requestTimeout(Duration.ofSeconds(5))
                .sleeper(waits::add)
                .clock(clock);
    }

    static String completion(String content, String finishReason) {
        return """
                {"id":"chatcmpl-123","object":"chat.completion","created":1741570283,"model":"gpt-5-mini-2025-08-07",
                 "choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null,"annotations":[]},
                   "logprobs":null,"finish_reason":"%s"}],
                 "usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,
                   "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                   "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,
                     "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
                 "service_tier":"default","system_fingerprint":"fp_44709d6fcb"}"""
                .formatted(content == null ? "null" : quote(content), finishReason);
    }

    static String quote(String text) {
        try {
            return new ObjectMapper().writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String openAiError(String message, String type, String code) {
        return """
                {"error":{"message":%s,"type":"%s","param":null,"code":%s}}"""
                .formatted(quote(message), type, code == null ? "null" : quote(code));
    }

    private void stub(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    /** Stubs {@code first} for the first call and {@code then} for every later one. */
    private void stubSequence(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("later"));
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs("later").willReturn(then));
    }

    private JsonNode onlyRequestBody() throws IOException {
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> requests =
                wm.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(requests).hasSize(1);
        return json.readTree(requests.get(0).getBodyAsString());
    }

    private int requestCount() {
        return wm.findAll(postRequestedFor(urlEqualTo(PATH))).size();
    }

    private LlmCallException failure(OpenAiLlmClient client, LlmRequest request) {
        return catchThrowableOfType(LlmCallException.class, () -> client.complete(request));
    }

    @Test
    void returnsStructuredAnswerAndSendsStrictJsonSchemaWithSystemRole() throws IOException {
        stub(okJson(completion("{\"layers\":[20,20]}", "stop")));

        LlmResponse response = client().build().complete(STRUCTURED);

        assertThat(response.text()).isEqualTo("{\"layers\":[20,20]}");
        assertThat(response.model()).isEqualTo("gpt-5-mini-2025-08-07");
        assertThat(response.promptTokens()).isEqualTo(1117);
        assertThat(response.completionTokens()).isEqualTo(46);
        wm.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("Content-Type", equalTo("application/json"))
                .withoutHeader("OpenAI-Organization")
                .withoutHeader("OpenAI-Project"));
        JsonNode body = onlyRequestBody();
        assertThat(body.get("model").asText()).isEqualTo("gpt-5-mini");
        assertThat(body.get("messages")).hasSize(2);
        assertThat(body.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("You are a placement planner.");
        assertThat(body.at("/messages/1/role").asText()).isEqualTo("user");
        assertThat(body.at("/messages/1/content").asText()).isEqualTo("Split 40 layers over node0 and node1.");
        assertThat(body.at("/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(body.at("/response_format/json_schema/name").asText()).isEqualTo("layer_placement");
        assertThat(body.at("/response_format/json_schema/strict").asBoolean()).isTrue();
        assertThat(body.at("/response_format/json_schema/schema")).isEqualTo(json.readTree(SCHEMA));
        assertThat(body.has("reasoning_effort")).isFalse();
        assertThat(body.has("max_completion_tokens")).isFalse();
        assertThat(waits).isEmpty();
    }

    @Test
    void sendsReasoningEffortDeveloperRoleTokenLimitAndOrganizationHeadersOnlyWhenSet() throws IOException {
        stub(okJson(completion("{\"layers\":[40]}", "stop")));

        client().reasoningEffort("low").instructionRole(OpenAiLlmClient.InstructionRole.DEVELOPER)
                .maxCompletionTokens(4000).organization("org-abc").project("proj_xyz").build()
                .complete(STRUCTURED);

        wm.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("OpenAI-Organization", equalTo("org-abc"))
                .withHeader("OpenAI-Project", equalTo("proj_xyz")));
        JsonNode body = onlyRequestBody();
        assertThat(body.get("reasoning_effort").asText()).isEqualTo("low");
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(4000);
        assertThat(body.at("/messages/0/role").asText()).isEqualTo("developer");
    }

    @Test
    void returnsFreeTextAnswerAndSendsNoResponseFormatWithoutSchema() throws IOException {
        String text = "Nodes used: 2\nNode 0: layers [0-19]\nNode 1: layers [20-39]\n20, 20";
        stub(okJson(completion(text, "stop")));

        LlmResponse response = client().build().complete(FREE_TEXT);

        assertThat(response.text()).isEqualTo(text);
        JsonNode body = onlyRequestBody();
        assertThat(body.has("response_format")).isFalse();
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("You are a placement planner.");
    }

    @Test
    void jsonObjectModeAsksForJsonObjectAndPutsSchemaInInstructions() throws IOException {
        stub(okJson(completion("{\"layers\":[20,20]}", "stop")));

        client().structuredOutput(OpenAiLlmClient.StructuredOutput.JSON_OBJECT).build().complete(STRUCTURED);

        JsonNode body = onlyRequestBody();
        assertThat(body.get("response_format")).isEqualTo(json.readTree("{\"type\":\"json_object\"}"));
        assertThat(body.at("/messages/0/content").asText())
                .startsWith("You are a placement planner.").contains("\"additionalProperties\":false");
    }

    @Test
    void noStructuredOutputModeSendsNoResponseFormatForServersWithoutIt() throws IOException {
        stub(okJson(completion("{\"layers\":[20,20]}", "stop")));

        client().structuredOutput(OpenAiLlmClient.StructuredOutput.NONE).apiKey(null).build().complete(STRUCTURED);

        JsonNode body = onlyRequestBody();
        assertThat(body.has("response_format")).isFalse();
        assertThat(body.at("/messages/0/content").asText()).contains("JSON Schema");
        wm.verify(postRequestedFor(urlEqualTo(PATH)).withoutHeader("Authorization"));
    }

    @Test
    void badRequestFailsFastWithoutRetry() {
        stub(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody(openAiError(
                "Invalid schema for response_format 'layer_placement': 'additionalProperties' is required",
                "invalid_request_error", null)));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.INVALID_REQUEST);
        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("openai: invalid request (HTTP 400): Invalid schema");
        assertThat(requestCount()).isEqualTo(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void unauthorizedFailsFastAndNeverEchoesTheKey() {
        stub(aResponse().withStatus(401).withHeader("x-request-id", "req_401").withBody(openAiError(
                "Incorrect API key provided: " + KEY + ". You can find your API key at "
                        + "https://platform.openai.com/account/api-keys.", "invalid_request_error",
                "invalid_api_key")));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.AUTHENTICATION);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("Incorrect API key provided: ***", "invalid_api_key", "req_401")
                .doesNotContain(KEY);
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void unknownModelFailsFastAsNotFound() {
        stub(aResponse().withStatus(404).withBody(openAiError(
                "The model `gpt-9` does not exist or you do not have access to it.", "invalid_request_error",
                "model_not_found")));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.NOT_FOUND);
        assertThat(e.getMessage()).contains("gpt-9", "model_not_found");
        assertThat(requestCount()).isEqualTo(1);
    }

    private static ResponseDefinitionBuilder rateLimited() {
        return aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                .withBody(openAiError("Rate limit reached for gpt-5-mini in organization org-abc on requests per "
                        + "min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.", "requests",
                        "rate_limit_exceeded"));
    }

    @Test
    void rateLimitWaitsRetryAfterMsThenSucceeds() {
        stubSequence(rateLimited().withHeader("Retry-After-Ms", "120"), okJson(completion("{}", "stop")));

        LlmResponse response = client().build().complete(STRUCTURED);

        assertThat(response.text()).isEqualTo("{}");
        assertThat(requestCount()).isEqualTo(2);
        assertThat(waits).containsExactly(Duration.ofMillis(120));
    }

    @Test
    void rateLimitWaitsRetryAfterSecondsThenSucceeds() {
        stubSequence(rateLimited().withHeader("Retry-After", "3"), okJson(completion("{}", "stop")));

        client().build().complete(STRUCTURED);

        assertThat(waits).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void rateLimitWaitsUntilRetryAfterHttpDateThenSucceeds() {
        String inFiveSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(NOW.plusSeconds(5), ZoneOffset.UTC));
        stubSequence(rateLimited().withHeader("Retry-After", inFiveSeconds), okJson(completion("{}", "stop")));

        client().build().complete(STRUCTURED);

        assertThat(waits).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void serverRetryHintIsCappedAtMaxRetryDelay() {
        stubSequence(rateLimited().withHeader("Retry-After", "60"), okJson(completion("{}", "stop")));

        client().build().complete(STRUCTURED);
        assertThat(waits).containsExactly(Duration.ofSeconds(8));

        wm.resetAll();
        waits.clear();
        stubSequence(rateLimited().withHeader("Retry-After", "60"), okJson(completion("{}", "stop")));
        client().maxRetryDelay(Duration.ofSeconds(2)).build().complete(STRUCTURED);
        assertThat(waits).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void rateLimitThatOutlastsRetriesFailsRetryableWithTheHint() {
        stub(rateLimited().withHeader("Retry-After", "1"));

        LlmCallException e = failure(client().maxRetries(1).build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.RATE_LIMITED);
        assertThat(e.retryable()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
        assertThat(e.getMessage()).contains("rate_limit_exceeded");
        assertThat(requestCount()).isEqualTo(2);
    }

    @Test
    void insufficientQuotaIsNotRetried() {
        stub(aResponse().withStatus(429).withHeader("Retry-After", "1").withBody(openAiError(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota", "insufficient_quota")));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.QUOTA_EXHAUSTED);
        assertThat(e.retryable()).isFalse();
        assertThat(requestCount()).isEqualTo(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void serverErrorIsRetriedWithExponentialBackoffUntilAttemptsRunOut() {
        stub(aResponse().withStatus(500).withBody(openAiError(
                "The server had an error while processing your request. Sorry about that!", "server_error", null)));

        LlmCallException e = failure(client().maxRetries(3).initialRetryDelay(Duration.ofMillis(400)).build(),
                STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.SERVER_ERROR);
        assertThat(e.retryable()).isTrue();
        assertThat(requestCount()).isEqualTo(4);
        assertThat(waits).hasSize(3);
        // 400 ms doubling per retry, each shortened by up to 25% jitter.
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(300), Duration.ofMillis(400));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(600), Duration.ofMillis(800));
        assertThat(waits.get(2)).isBetween(Duration.ofMillis(1200), Duration.ofMillis(1600));
    }

    @Test
    void serviceUnavailableThenSuccessIsRetried() {
        stubSequence(aResponse().withStatus(503).withBody("<html><body>Service Unavailable</body></html>"),
                okJson(completion("{\"layers\":[20,20]}", "stop")));

        LlmResponse response = client().build().complete(STRUCTURED);

        assertThat(response.text()).isEqualTo("{\"layers\":[20,20]}");
        assertThat(requestCount()).isEqualTo(2);
        assertThat(waits).hasSize(1);
    }

    @Test
    void serverSayingDoNotRetryIsObeyed() {
        stub(aResponse().withStatus(500).withHeader("X-Should-Retry", "false").withBody("{}"));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.retryable()).isFalse();
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void interruptionWhileWaitingToRetryStopsAtOnceAndKeepsTheInterruptFlag() {
        stub(aResponse().withStatus(503).withBody("{}"));

        LlmCallException e = catchThrowableOfType(LlmCallException.class, () -> client()
                .sleeper(d -> {
                    throw new InterruptedException("shutting down");
                }).build().complete(STRUCTURED));

        assertThat(Thread.interrupted()).isTrue();
        assertThat(e.failure()).isEqualTo(LlmFailure.INTERRUPTED);
        assertThat(e.retryable()).isFalse();
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void slowAnswerTimesOutAndIsRetried() {
        stub(okJson(completion("{}", "stop")).withFixedDelay(5000));

        LlmCallException e = failure(client().requestTimeout(Duration.ofMillis(1000)).maxRetries(1).build(),
                STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.TIMEOUT);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("within 1 s");
        assertThat(requestCount()).isEqualTo(2);
    }

    @Test
    void closedPortIsARetryableNetworkFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        LlmCallException e = failure(client().baseUrl("http://127.0.0.1:" + closedPort + "/v1").maxRetries(1)
                .build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.NETWORK);
        assertThat(e.retryable()).isTrue();
        assertThat(waits).hasSize(1);
    }

    @Test
    void connectionResetIsRetried() {
        stubSequence(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), okJson(completion("{}", "stop")));

        assertThat(client().build().complete(STRUCTURED).text()).isEqualTo("{}");
        assertThat(requestCount()).isEqualTo(2);
    }

    @Test
    void truncatedJsonBodyIsAMalformedResponseAndNotRetried() {
        String full = completion("{\"layers\":[20,20]}", "stop");
        stub(okJson(full.substring(0, full.length() / 2)));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.MALFORMED_RESPONSE);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("not a Chat Completions JSON object").doesNotContain("at [Source");
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void answerWithoutChoicesIsMalformed() {
        stub(okJson("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[]}"));

        assertThat(failure(client().build(), STRUCTURED).failure()).isEqualTo(LlmFailure.MALFORMED_RESPONSE);
    }

    @Test
    void refusalIsANonRetryableTypedFailure() {
        stub(okJson("""
                {"id":"chatcmpl-9nYAG9LPNonX8DAyrkwYfemr3C8HC","object":"chat.completion","created":1721596428,
                 "model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":null,
                 "refusal":"I'm sorry, I cannot assist with that request."},"logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":81,"completion_tokens":11,"total_tokens":92}}"""));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.REFUSED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("I cannot assist with that request");
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void lengthFinishIsATruncatedAnswerNotAParseError() {
        stub(okJson(completion("{\"layers\":[20,", "length")));

        LlmCallException e = failure(client().maxCompletionTokens(50).build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.TRUNCATED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("max_completion_tokens 50");
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void contentFilterFinishIsBlocked() {
        stub(okJson(completion("", "content_filter")));

        assertThat(failure(client().build(), STRUCTURED).failure()).isEqualTo(LlmFailure.BLOCKED);
    }

    @Test
    void readsVllmFlatErrorBodyWithIntegerCode() {
        stub(aResponse().withStatus(400).withBody("""
                {"object":"error","message":"This model's maximum context length is 4096 tokens.",
                 "type":"BadRequestError","param":null,"code":400}"""));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("maximum context length is 4096", "(code 400) (BadRequestError)");
    }

    @Test
    void readsVllmNestedErrorBodyWithIntegerCode() {
        stub(aResponse().withStatus(404).withBody("""
                {"error":{"message":"The model `llama` does not exist.","type":"NotFoundError","param":"model","code":404}}"""));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.NOT_FOUND);
        assertThat(e.getMessage()).contains("The model `llama` does not exist.", "(code 404)");
    }

    @Test
    void readsOllamaStringErrorAndUnreadableBodies() {
        stub(aResponse().withStatus(404).withBody("{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}"));
        assertThat(failure(client().build(), STRUCTURED).getMessage()).contains("try pulling it first");

        wm.resetAll();
        stub(aResponse().withStatus(400).withBody("<html>Bad Request</html>"));
        assertThat(failure(client().build(), STRUCTURED).getMessage()).contains("unreadable error body: <html>");
    }

    @Test
    void circuitBreakerOpensAfterRepeatedFailuresAndClosesAfterASuccessfulTrial() {
        OpenAiLlmClient client = client().maxRetries(0)
                .circuitBreaker(new CircuitBreakerSettings(4, 4, 50, Duration.ofSeconds(30)))
                .build();
        stub(aResponse().withStatus(500).withBody("{}"));
        for (int i = 0; i < 4; i++) {
            assertThat(failure(client, STRUCTURED).failure()).isEqualTo(LlmFailure.SERVER_ERROR);
        }

        LlmCallException open = failure(client, STRUCTURED);

        assertThat(open.failure()).isEqualTo(LlmFailure.CIRCUIT_OPEN);
        assertThat(open.retryable()).isFalse();
        assertThat(requestCount()).isEqualTo(4);

        wm.resetAll();
        stub(okJson(completion("{}", "stop")));
        clock.advance(Duration.ofSeconds(31));
        assertThat(client.complete(STRUCTURED).text()).isEqualTo("{}");
        assertThat(client.complete(STRUCTURED).text()).isEqualTo("{}");
        assertThat(requestCount()).isEqualTo(2);
    }

    @Test
    void clientErrorsDoNotOpenTheCircuitBreaker() {
        OpenAiLlmClient client = client().maxRetries(0)
                .circuitBreaker(new CircuitBreakerSettings(2, 2, 50, Duration.ofSeconds(60)))
                .build();
        stub(aResponse().withStatus(400).withBody("{}"));

        for (int i = 0; i < 5; i++) {
            assertThat(failure(client, STRUCTURED).failure()).isEqualTo(LlmFailure.INVALID_REQUEST);
        }
        assertThat(requestCount()).isEqualTo(5);
    }

    @Test
    void readsBaseUrlAndKeyFromTheEnvironmentButSettersWin() throws IOException {
        stub(okJson(completion("{}", "stop")));
        Map<String, String> env = Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + wm.port() + "/v1",
                "OPENAI_API_KEY", KEY, "OPENAI_ORG_ID", "org-env", "OPENAI_PROJECT_ID", "proj_env");

        OpenAiLlmClient fromEnv = OpenAiLlmClient.fromEnvironment(env).sleeper(waits::add).build();
        fromEnv.complete(STRUCTURED);

        assertThat(fromEnv.baseUrl()).isEqualTo("http://127.0.0.1:" + wm.port() + "/v1");
        assertThat(fromEnv.model()).isEqualTo(OpenAiLlmClient.DEFAULT_MODEL);
        assertThat(fromEnv.provider()).isEqualTo("openai");
        wm.verify(postRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("OpenAI-Organization", equalTo("org-env")).withHeader("OpenAI-Project", equalTo("proj_env")));
        assertThat(OpenAiLlmClient.fromEnvironment(env).baseUrl("http://127.0.0.1:9/x").build().baseUrl())
                .isEqualTo("http://127.0.0.1:9/x");
    }

    @Test
    void publicApiWithoutKeySaysWhichVariableToSet() {
        assertThatThrownBy(() -> OpenAiLlmClient.fromEnvironment(Map.of()).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("OPENAI_API_KEY")
                .hasMessageContaining("OPENAI_BASE_URL");
        assertThat(OpenAiLlmClient.fromEnvironment(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")).build()
                .toString()).contains("apiKey=none");
    }

    @Test
    void keyWithAControlCharacterIsRejectedWithoutQuotingIt() {
        String broken = "sk-abc\u0007def";

        assertThatThrownBy(() -> OpenAiLlmClient.fromEnvironment(Map.of("OPENAI_API_KEY", broken)).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("environment: OPENAI_API_KEY:")
                .hasMessageContaining("position 7 of 10")
                .hasMessageNotContaining("sk-abc");
    }

    @Test
    void rejectsABaseUrlThatIsNotHttpNamingTheVariable() {
        assertThatThrownBy(() -> OpenAiLlmClient.fromEnvironment(Map.of("OPENAI_BASE_URL", "localhost:8000")).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("environment: OPENAI_BASE_URL: 'localhost:8000'");
    }

    @Test
    void invalidSchemaTextIsAnInvalidRequestBeforeAnythingIsSent() {
        LlmException e = catchThrowableOfType(LlmException.class, () -> client().build()
                .complete(new LlmRequest("sys", "user", "layer_placement", "{not json")));

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("layer_placement", "not valid JSON");
        assertThat(requestCount()).isZero();
    }

    @Test
    void keyEchoedInTheAnswerIsRedactedBeforeTheAnswerLeavesTheClient() {
        stub(okJson(completion("{\"layers\":[20,20],\"rationale\":\"your key is " + KEY + "\"}", "stop")));

        LlmResponse response = client().build().complete(STRUCTURED);

        assertThat(response.text()).isEqualTo("{\"layers\":[20,20],\"rationale\":\"your key is ***\"}");
    }

    @Test
    void keyEchoedInAMalformedAnswerIsRedactedFromTheFailure() {
        stub(okJson("{\"choices\": [], \"echo\": \"" + KEY + "\"}"));

        assertThat(failure(client().build(), STRUCTURED).getMessage()).contains("***").doesNotContain(KEY);
    }

    @Test
    void theEnvironmentsKeyIsNotSentToABaseUrlSetOnTheBuilder() {
        stub(okJson(completion("{}", "stop")));

        OpenAiLlmClient local = OpenAiLlmClient.fromEnvironment(Map.of("OPENAI_API_KEY", KEY))
                .baseUrl("http://127.0.0.1:" + wm.port() + "/v1").sleeper(waits::add).build();
        local.complete(STRUCTURED);

        wm.verify(postRequestedFor(urlEqualTo(PATH)).withoutHeader("Authorization"));
        assertThat(local.apiKeyName()).isNull();
        assertThat(local.toString()).contains("apiKey=none");
    }

    @Test
    void aNamedKeyVariableIsSentToTheBaseUrlAndNamedButNeverShown() {
        stub(okJson(completion("{}", "stop")));

        OpenAiLlmClient local = OpenAiLlmClient.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-other-key-1",
                        "VLLM_API_KEY", KEY)).apiKeyVariable("VLLM_API_KEY")
                .baseUrl("http://localhost:" + wm.port() + "/v1").sleeper(waits::add).build();
        local.complete(STRUCTURED);

        wm.verify(postRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + KEY)));
        assertThat(local.apiKeyName()).isEqualTo("VLLM_API_KEY");
        assertThat(local.toString()).contains("apiKey=VLLM_API_KEY").doesNotContain(KEY);
        assertThat(client().build().apiKeyName()).isEqualTo("apiKey");
    }

    @Test
    void anUnsetKeyVariableIsNamedInTheError() {
        assertThatThrownBy(() -> OpenAiLlmClient.fromEnvironment(Map.of()).apiKeyVariable("VLLM_API_KEY")
                .baseUrl("http://127.0.0.1:8000/v1").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("environment: VLLM_API_KEY: is not set");
    }

    @Test
    void aKeyIsNeverSentOverPlainHttpToAHostOtherThanLoopback() {
        assertThatThrownBy(() -> OpenAiLlmClient.builder().baseUrl("http://10.0.0.5:8000/v1").apiKey(KEY).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("OpenAiLlmClient.builder(): baseUrl: refusing to send the API key apiKey over plain "
                        + "http to 10.0.0.5; use https, a loopback address such as 127.0.0.1, or no key");
        assertThatThrownBy(() -> OpenAiLlmClient.fromEnvironment(Map.of("OPENAI_API_KEY", KEY,
                "OPENAI_BASE_URL", "http://llm.internal:8000/v1")).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("environment: OPENAI_BASE_URL: refusing to send the API key OPENAI_API_KEY")
                .hasMessageNotContaining(KEY);
        assertThat(OpenAiLlmClient.builder().baseUrl("https://10.0.0.5:8000/v1").apiKey(KEY).build().apiKeyName())
                .isEqualTo("apiKey");
        assertThat(OpenAiLlmClient.builder().baseUrl("http://10.0.0.5:8000/v1").build().apiKeyName()).isNull();
        assertThat(OpenAiLlmClient.builder().baseUrl("http://[::1]:8000/v1").apiKey(KEY).build().apiKeyName())
                .isEqualTo("apiKey");
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
