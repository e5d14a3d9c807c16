package dev.placement.llm.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.MissingNode;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class HttpFailuresTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
    private static final UnaryOperator<String> NO_REDACTION = s -> s;
    private static final MissingNode NO_JSON = MissingNode.getInstance();

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> map = new java.util.HashMap<>();
        values.forEach((k, v) -> map.put(k, List.of(v)));
        return HttpHeaders.of(map, (k, v) -> true);
    }

    @ParameterizedTest
    @CsvSource({"400,INVALID_REQUEST,false", "401,AUTHENTICATION,false", "403,AUTHENTICATION,false",
            "404,NOT_FOUND,false", "408,TIMEOUT,true", "409,CONFLICT,true", "413,INVALID_REQUEST,false",
            "422,INVALID_REQUEST,false", "429,RATE_LIMITED,true", "500,SERVER_ERROR,true", "502,SERVER_ERROR,true",
            "503,SERVER_ERROR,true", "504,SERVER_ERROR,true", "302,MALFORMED_RESPONSE,false"})
    void mapsStatusToKindAndRetryability(int status, LlmFailure kind, boolean retryable) {
        LlmCallException e = HttpFailures.fromResponse("openai", status, headers(Map.of()), "", NO_JSON, (s, b) -> ProviderError.EMPTY,
                CLOCK, NO_REDACTION);

        assertThat(e.failure()).isEqualTo(kind);
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.getMessage()).startsWith("openai: " + kind.words() + " (HTTP " + status + "): empty error body");
    }

    @Test
    void bodyDecidesTheKindOverTheStatus() {
        LlmCallException e = HttpFailures.fromResponse("gemini", 429, headers(Map.of()), "{}", NO_JSON,
                (s, b) -> new ProviderError("quota", "429", "RESOURCE_EXHAUSTED", null, LlmFailure.QUOTA_EXHAUSTED),
                CLOCK, NO_REDACTION);

        assertThat(e.failure()).isEqualTo(LlmFailure.QUOTA_EXHAUSTED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).isEqualTo("gemini: quota exhausted (HTTP 429): quota (code 429) (RESOURCE_EXHAUSTED)");
    }

    @Test
    void shouldRetryHeaderOverridesTheKindsRetryability() {
        LlmCallException retry = HttpFailures.fromResponse("openai", 400, headers(Map.of("X-Should-Retry", "true")),
                "", NO_JSON, (s, b) -> ProviderError.EMPTY, CLOCK, NO_REDACTION);
        LlmCallException noRetry = HttpFailures.fromResponse("openai", 503, headers(Map.of("X-Should-Retry", "false")),
                "", NO_JSON, (s, b) -> ProviderError.EMPTY, CLOCK, NO_REDACTION);

        assertThat(retry.retryable()).isTrue();
        assertThat(noRetry.retryable()).isFalse();
    }

    @Test
    void headerRetryHintWinsOverBodyHintWhichIsUsedOtherwise() {
        ErrorBodyReader withHint = (s, b) -> new ProviderError("slow down", null, null, Duration.ofSeconds(20), null);

        assertThat(HttpFailures.fromResponse("gemini", 429, headers(Map.of("Retry-After", "3")), "{}", NO_JSON, withHint, CLOCK,
                NO_REDACTION).retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(HttpFailures.fromResponse("gemini", 429, headers(Map.of()), "{}", NO_JSON, withHint, CLOCK,
                NO_REDACTION).retryAfter()).contains(Duration.ofSeconds(20));
    }

    @Test
    void aReaderThatThrowsStillGivesTheStatusMappingAndTheRawBody() {
        LlmCallException e = HttpFailures.fromResponse("openai", 502, headers(Map.of()), "<html>Bad gateway</html>", NO_JSON,
                (s, b) -> {
                    throw new IllegalStateException("boom");
                }, CLOCK, NO_REDACTION);

        assertThat(e.failure()).isEqualTo(LlmFailure.SERVER_ERROR);
        assertThat(e.getMessage()).endsWith("unreadable error body: <html>Bad gateway</html>");
    }

    @Test
    void redactsAndShortensWhatTheServerEchoes() {
        String longMessage = "key sk-secret is wrong; " + "x".repeat(1000);
        LlmCallException e = HttpFailures.fromResponse("openai", 401, headers(Map.of()), "{}", NO_JSON,
                (s, b) -> new ProviderError(longMessage, null, null, null, null), CLOCK,
                s -> s.replace("sk-secret", "***"));

        assertThat(e.getMessage()).contains("key *** is wrong").doesNotContain("sk-secret").hasSizeLessThan(500);
    }
}
