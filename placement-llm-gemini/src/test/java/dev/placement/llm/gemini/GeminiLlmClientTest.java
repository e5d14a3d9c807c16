package dev.placement.llm.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.placement.api.InvalidInputException;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
class GeminiLlmClientTest {
    private static final String KEY = "AIzaSyD-test-8c1e5a";
    private static final String PATH = "/v1beta/models/gemini-2.5-flash:generateContent";
    private static final String SCHEMA = """
            {"type":"object","properties":{"layers":{"type":"array","items":{"type":"integer"}}},"required":["layers"]}""";
    private static final LlmRequest STRUCTURED = new LlmRequest("You are a placement planner.",
            "Split 40 layers over node0 and node1.", "layer_placement", SCHEMA);
    private static final LlmRequest FREE_TEXT = new LlmRequest("You are a placement planner.",
            "Split 40 layers over node0 and node1.", "layer_placement", null);

    private final ObjectMapper json = new ObjectMapper();
    private final WireMockServer wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

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
    }

    private GeminiLlmClient.Builder client() {
        return GeminiLlmClient.builder()
                .baseUrl("http://127.0.0.1:" + wm.port())
                .apiKey(KEY)
                .model("gemini-2.5-flash")
                .requestTimeout(Duration.ofSeconds(5))
                .sleeper(waits::add)
                .clock(Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC));
    }

    static String answer(String partsJson, String finishReason) {
        return """
                {"candidates":[{"content":{"role":"model","parts":%s},"finishReason":"%s","index":0,
                  "safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"NEGLIGIBLE"}]}],
                 "usageMetadata":{"promptTokenCount":812,"candidatesTokenCount":240,"totalTokenCount":1302,
                  "thoughtsTokenCount":250,"cachedContentTokenCount":0},
                 "modelVersion":"gemini-2.5-flash","responseId":"mCd8aPqQJ4e-1dkP"}"""
                .formatted(partsJson, finishReason);
    }

    static String textPart(String text) {
        try {
            return "{\"text\":" + new ObjectMapper().writeValueAsString(text) + "}";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String googleError(int code, String status, String message, String detailsJson) {
        return """
                {"error":{"code":%d,"message":"%s","status":"%s","details":%s}}"""
                .formatted(code, message, status, detailsJson);
    }

    private void stub(ResponseDefinitionBuilder response) {
        wm.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private void stubSequence(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("later"));
        wm.stubFor(post(urlEqualTo(PATH)).inScenario("seq").whenScenarioStateIs("later").willReturn(then));
    }

    private int requestCount() {
        return wm.findAll(postRequestedFor(urlEqualTo(PATH))).size();
    }

    private JsonNode onlyRequestBody() throws IOException {
        List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(requests).hasSize(1);
        return json.readTree(requests.get(0).getBodyAsString());
    }

    private LlmCallException failure(GeminiLlmClient client, LlmRequest request) {
        return catchThrowableOfType(LlmCallException.class, () -> client.complete(request));
    }

    @Test
    void returnsStructuredAnswerAndSendsSchemaSystemInstructionAndKeyHeader() throws IOException {
        stub(okJson(answer("[" + textPart("{\"layers\":[20,20]}") + "]", "STOP")));

        LlmResponse response = client().model("models/gemini-2.5-flash").build().complete(STRUCTURED);

        assertThat(response.text()).isEqualTo("{\"layers\":[20,20]}");
        assertThat(response.model()).isEqualTo("gemini-2.5-flash");
        assertThat(response.promptTokens()).isEqualTo(812);
        assertThat(response.completionTokens()).isEqualTo(240 + 250);
        wm.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("x-goog-api-key", equalTo(KEY))
                .withHeader("Content-Type", equalTo("application/json"))
                .withoutHeader("Authorization"));
        assertThat(wm.findAll(postRequestedFor(urlEqualTo(PATH))).get(0).getUrl()).doesNotContain("key=");
        JsonNode body = onlyRequestBody();
        assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("You are a placement planner.");
        assertThat(body.get("contents")).hasSize(1);
        assertThat(body.at("/contents/0/role").asText()).isEqualTo("user");
        assertThat(body.at("/contents/0/parts/0/text").asText()).isEqualTo("Split 40 layers over node0 and node1.");
        assertThat(body.at("/generationConfig/responseMimeType").asText()).isEqualTo("application/json");
        assertThat(body.at("/generationConfig/responseJsonSchema")).isEqualTo(json.readTree(SCHEMA));
        assertThat(body.get("generationConfig").has("responseSchema")).isFalse();
        assertThat(body.get("generationConfig").has("thinkingConfig")).isFalse();
        assertThat(body.get("generationConfig").has("maxOutputTokens")).isFalse();
    }

    @Test
    void returnsFreeTextAnswerAndSendsNoGenerationConfigWithoutSchema() throws IOException {
        String text = "Nodes used: 2\nNode 0: layers [0-19]\nNode 1: layers [20-39]";
        stub(okJson(answer("[" + textPart(text) + "]", "STOP")));

        assertThat(client().build().complete(FREE_TEXT).text()).isEqualTo(text);
        assertThat(onlyRequestBody().has("generationConfig")).isFalse();
    }

    @Test
    void skipsThoughtPartsAndJoinsTheAnswerParts() {
        stub(okJson(answer("[{\"text\":\"**Weighing the links** node1 is slow...\",\"thought\":true},"
                + textPart("{\"layers\":") + "," + textPart("[24,16]}") + "]", "STOP")));

        assertThat(client().build().complete(STRUCTURED).text()).isEqualTo("{\"layers\":[24,16]}");
    }

    @Test
    void sendsThinkingLevelForGemini3() throws IOException {
        wm.stubFor(post(urlEqualTo("/v1beta/models/gemini-3-pro-preview:generateContent"))
                .willReturn(okJson(answer("[" + textPart("{}") + "]", "STOP"))));

        client().model("gemini-3-pro-preview").thinkingLevel("LOW").maxOutputTokens(8192).build().complete(STRUCTURED);

        JsonNode body = json.readTree(wm.findAll(postRequestedFor(
                urlEqualTo("/v1beta/models/gemini-3-pro-preview:generateContent"))).get(0).getBodyAsString());
        assertThat(body.at("/generationConfig/thinkingConfig")).isEqualTo(json.readTree("{\"thinkingLevel\":\"LOW\"}"));
        assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(8192);
    }

    @Test
    void sendsThinkingBudgetForGemini25EvenWithoutSchema() throws IOException {
        stub(okJson(answer("[" + textPart("ok") + "]", "STOP")));

        client().thinkingBudget(1024).build().complete(FREE_TEXT);

        JsonNode config = onlyRequestBody().get("generationConfig");
        assertThat(config.get("thinkingConfig")).isEqualTo(json.readTree("{\"thinkingBudget\":1024}"));
        assertThat(config.has("responseMimeType")).isFalse();
    }

    @Test
    void rejectsThinkingLevelAndBudgetTogether() {
        assertThatThrownBy(() -> client().thinkingLevel("HIGH").thinkingBudget(512).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("thinkingLevel").hasMessageContaining("not both");
    }

    @Test
    void mapsReasoningEffortToLevelForGemini3AndToBudgetForGemini25() throws IOException {
        String gemini3 = "/v1beta/models/gemini-3-flash-preview:generateContent";
        wm.stubFor(post(urlEqualTo(gemini3)).willReturn(okJson(answer("[" + textPart("{}") + "]", "STOP"))));
        stub(okJson(answer("[" + textPart("{}") + "]", "STOP")));

        client().model("gemini-3-flash-preview").reasoningEffort("medium").build().complete(STRUCTURED);
        client().reasoningEffort("low").build().complete(STRUCTURED);
        client().reasoningEffort("none").build().complete(STRUCTURED);

        JsonNode level = json.readTree(wm.findAll(postRequestedFor(urlEqualTo(gemini3))).get(0).getBodyAsString());
        assertThat(level.at("/generationConfig/thinkingConfig")).isEqualTo(json.readTree("{\"thinkingLevel\":\"MEDIUM\"}"));
        List<LoggedRequest> budgets = wm.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(json.readTree(budgets.get(0).getBodyAsString()).at("/generationConfig/thinkingConfig/thinkingBudget")
                .asInt()).isEqualTo(1024);
        assertThat(json.readTree(budgets.get(1).getBodyAsString()).at("/generationConfig/thinkingConfig/thinkingBudget")
                .asInt()).isZero();
    }

    @Test
    void rejectsUnknownReasoningEffortListingTheValidOnes() {
        assertThatThrownBy(() -> client().reasoningEffort("xhigh").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("reasoningEffort").hasMessageContaining("'xhigh'")
                .hasMessageContaining("none, low, medium, high");
        assertThatThrownBy(() -> client().reasoningEffort("low").thinkingBudget(0).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not both");
    }

    @Test
    void blockedPromptIsANonRetryableTypedFailure() {
        stub(okJson("""
                {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT",
                 "probability":"HIGH","blocked":true}]},"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},
                 "modelVersion":"gemini-2.5-flash"}"""));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.BLOCKED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("prompt was blocked", "SAFETY");
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void safetyAndRecitationFinishesAreBlocked() {
        stub(okJson(answer("[]", "SAFETY")));
        assertThat(failure(client().build(), STRUCTURED).failure()).isEqualTo(LlmFailure.BLOCKED);

        wm.resetAll();
        stub(okJson(answer("[" + textPart("{\"layers\":[") + "]", "RECITATION")));
        LlmCallException e = failure(client().build(), STRUCTURED);
        assertThat(e.failure()).isEqualTo(LlmFailure.BLOCKED);
        assertThat(e.getMessage()).contains("RECITATION");
    }

    @Test
    void maxTokensFinishIsATruncatedAnswer() {
        stub(okJson(answer("[" + textPart("{\"layers\":[20,") + "]", "MAX_TOKENS")));

        LlmCallException e = failure(client().maxOutputTokens(64).build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.TRUNCATED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("maxOutputTokens 64");
    }

    @Test
    void unknownFinishReasonIsNotTakenAsAnAnswer() {
        stub(okJson(answer("[" + textPart("{\"layers\":[40]}") + "]", "MALFORMED_FUNCTION_CALL")));

        assertThat(failure(client().build(), STRUCTURED).getMessage()).contains("MALFORMED_FUNCTION_CALL");
    }

    @Test
    void invalidArgumentFailsFast() {
        stub(aResponse().withStatus(400).withBody(googleError(400, "INVALID_ARGUMENT",
                "Invalid JSON payload received. Unknown name \\\"responseJsonSchemaX\\\"", "[]")));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("Invalid JSON payload", "INVALID_ARGUMENT");
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void invalidKeyReportedAs400IsAnAuthenticationFailure() {
        stub(aResponse().withStatus(400).withBody(googleError(400, "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.", """
                [{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",
                  "domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]""")));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.AUTHENTICATION);
        assertThat(e.retryable()).isFalse();
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void permissionDeniedAndNotFoundFailFast() {
        stub(aResponse().withStatus(403).withBody(googleError(403, "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers.", "[]")));
        assertThat(failure(client().build(), STRUCTURED).failure()).isEqualTo(LlmFailure.AUTHENTICATION);

        wm.resetAll();
        stub(aResponse().withStatus(404).withBody(googleError(404, "NOT_FOUND",
                "models/gemini-9 is not found for API version v1beta.", "[]")));
        LlmCallException e = failure(client().build(), STRUCTURED);
        assertThat(e.failure()).isEqualTo(LlmFailure.NOT_FOUND);
        assertThat(e.getMessage()).contains("gemini-9", "NOT_FOUND");
        assertThat(requestCount()).isEqualTo(1);
    }

    private static ResponseDefinitionBuilder resourceExhausted(String quotaId, String retryDelay) {
        return aResponse().withStatus(429).withHeader("Content-Type", "application/json").withBody(googleError(429,
                "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.",
                """
                [{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{
                   "quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests",
                   "quotaId":"%s","quotaDimensions":{"location":"global","model":"gemini-2.5-flash"},"quotaValue":"10"}]},
                 {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more",
                   "url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                 {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"%s"}]"""
                        .formatted(quotaId, retryDelay)));
    }

    @Test
    void perMinuteRateLimitWaitsRetryInfoDelayThenSucceeds() {
        stubSequence(resourceExhausted("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "1.203608125s"),
                okJson(answer("[" + textPart("{}") + "]", "STOP")));

        assertThat(client().build().complete(STRUCTURED).text()).isEqualTo("{}");
        assertThat(waits).containsExactly(Duration.ofNanos(1_203_608_125L));
        assertThat(requestCount()).isEqualTo(2);
    }

    @Test
    void retryInfoDelayIsCappedAtMaxRetryDelay() {
        stubSequence(resourceExhausted("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "39s"),
                okJson(answer("[" + textPart("{}") + "]", "STOP")));

        client().build().complete(STRUCTURED);

        assertThat(waits).containsExactly(Duration.ofSeconds(8));
    }

    @Test
    void perDayQuotaExhaustionIsNotRetried() {
        stub(resourceExhausted("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "39s"));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.QUOTA_EXHAUSTED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(39));
        assertThat(e.getMessage()).contains("RESOURCE_EXHAUSTED");
        assertThat(requestCount()).isEqualTo(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void internalErrorIsRetriedUntilAttemptsRunOut() {
        stub(aResponse().withStatus(500).withBody(googleError(500, "INTERNAL",
                "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
                "[]")));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.SERVER_ERROR);
        assertThat(e.retryable()).isTrue();
        assertThat(requestCount()).isEqualTo(3);
        assertThat(waits).hasSize(2);
    }

    @Test
    void overloadedThenSuccessIsRetried() {
        stubSequence(aResponse().withStatus(503).withBody(googleError(503, "UNAVAILABLE",
                        "The model is overloaded. Please try again later.", "[]")),
                okJson(answer("[" + textPart("{\"layers\":[40]}") + "]", "STOP")));

        assertThat(client().build().complete(STRUCTURED).text()).isEqualTo("{\"layers\":[40]}");
        assertThat(requestCount()).isEqualTo(2);
    }

    @Test
    void slowAnswerTimesOut() {
        stub(okJson(answer("[" + textPart("{}") + "]", "STOP")).withFixedDelay(5000));

        LlmCallException e = failure(client().requestTimeout(Duration.ofMillis(1000)).maxRetries(0).build(),
                STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.TIMEOUT);
        assertThat(e.retryable()).isTrue();
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void truncatedJsonBodyIsMalformed() {
        String full = answer("[" + textPart("{\"layers\":[20,20]}") + "]", "STOP");
        stub(okJson(full.substring(0, full.length() - 40)));

        LlmCallException e = failure(client().build(), STRUCTURED);

        assertThat(e.failure()).isEqualTo(LlmFailure.MALFORMED_RESPONSE);
        assertThat(e.retryable()).isFalse();
        assertThat(requestCount()).isEqualTo(1);
    }

    @Test
    void circuitBreakerOpensAfterRepeatedFailures() {
        GeminiLlmClient client = client().maxRetries(0)
                .circuitBreaker(new CircuitBreakerSettings(3, 3, 50, Duration.ofSeconds(60)))
                .build();
        stub(aResponse().withStatus(503).withBody("{}"));
        for (int i = 0; i < 3; i++) {
            assertThat(failure(client, STRUCTURED).failure()).isEqualTo(LlmFailure.SERVER_ERROR);
        }

        assertThat(failure(client, STRUCTURED).failure()).isEqualTo(LlmFailure.CIRCUIT_OPEN);
        assertThat(requestCount()).isEqualTo(3);
    }

    @Test
    void readsTheKeyFromTheEnvironmentPreferringGoogleApiKey() {
        assertThat(GeminiLlmClient.fromEnvironment(Map.of("GEMINI_API_KEY", KEY)).build().apiKeyName())
                .isEqualTo("GEMINI_API_KEY");
        GeminiLlmClient both = GeminiLlmClient.fromEnvironment(Map.of("GEMINI_API_KEY", "other",
                "GOOGLE_API_KEY", KEY + "-google")).build();
        assertThat(both.apiKeyName()).isEqualTo("GOOGLE_API_KEY");
        assertThat(both.toString()).contains("apiKey=GOOGLE_API_KEY").doesNotContain(KEY);
    }

    @Test
    void theEnvironmentsKeyGoesToAnotherBaseUrlOnlyWhenNamed() {
        stub(okJson(answer("[" + textPart("{}") + "]", "STOP")));
        String base = "http://127.0.0.1:" + wm.port();
        Map<String, String> env = Map.of("GEMINI_API_KEY", KEY);

        assertThatThrownBy(() -> GeminiLlmClient.fromEnvironment(env).baseUrl(base).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("GeminiLlmClient.builder(): baseUrl: GEMINI_API_KEY is sent only to "
                        + "generativelanguage.googleapis.com, not to 127.0.0.1; name the key to send there explicitly "
                        + "(apiKey, apiKeyVariable or --llm-api-key-env)");
        assertThat(requestCount()).isZero();

        GeminiLlmClient named = GeminiLlmClient.fromEnvironment(env).apiKeyVariable("GEMINI_API_KEY").baseUrl(base)
                .build();
        named.complete(STRUCTURED);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo(PATH)))).extracting(r -> r.getHeader("x-goog-api-key"))
                .containsExactly(KEY);
        assertThat(named.apiKeyName()).isEqualTo("GEMINI_API_KEY");
    }

    @Test
    void aKeyIsNeverSentOverPlainHttpToAHostOtherThanLoopback() {
        assertThatThrownBy(() -> GeminiLlmClient.builder().apiKey(KEY).baseUrl("http://proxy.internal:8080").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("GeminiLlmClient.builder(): baseUrl: refusing to send the API key apiKey over plain "
                        + "http to proxy.internal; use https, a loopback address such as 127.0.0.1, or no key");
        assertThat(GeminiLlmClient.builder().apiKey(KEY).baseUrl("https://proxy.internal").build().apiKeyName())
                .isEqualTo("apiKey");
    }

    @Test
    void missingKeySaysWhichVariableToSet() {
        assertThatThrownBy(() -> GeminiLlmClient.fromEnvironment(Map.of()).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("environment: GEMINI_API_KEY:")
                .hasMessageContaining("GOOGLE_API_KEY");
    }

    @Test
    void readsProtobufDurations() {
        assertThat(GeminiErrorReader.protobufDuration("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(GeminiErrorReader.protobufDuration("0.5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(GeminiErrorReader.protobufDuration("20")).isNull();
        assertThat(GeminiErrorReader.protobufDuration("-1s")).isNull();
        assertThat(GeminiErrorReader.protobufDuration("soon")).isNull();
    }

    @Test
    void keyEchoedInTheAnswerIsRedactedBeforeTheAnswerLeavesTheClient() {
        stub(okJson(answer("[" + textPart("{\"layers\":[40],\"note\":\"" + KEY + "\"}") + "]", "STOP")));

        assertThat(client().build().complete(STRUCTURED).text()).isEqualTo("{\"layers\":[40],\"note\":\"***\"}");
    }
}
