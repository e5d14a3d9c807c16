package dev.placement.llm.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The one mapper from an HTTP error response to an {@link LlmCallException}: the provider's reading of the body
 * may decide the kind (quota exhausted, bad key), otherwise the status does, as in the official SDKs and
 * LangChain4j's {@code ExceptionMapper}.
 */
final class HttpFailures {

    private static final int MAX_MESSAGE_CHARS = 400;

    private HttpFailures() {
    }

    /** The kind of failure an HTTP status means when the body says nothing more. */
    static LlmFailure kindOf(int status) {
        if (status == 401 || status == 403) {
            return LlmFailure.AUTHENTICATION;
        }
        if (status == 404) {
            return LlmFailure.NOT_FOUND;
        }
        if (status == 408) {
            return LlmFailure.TIMEOUT;
        }
        if (status == 409) {
            return LlmFailure.CONFLICT;
        }
        if (status == 429) {
            return LlmFailure.RATE_LIMITED;
        }
        if (status >= 500) {
            return LlmFailure.SERVER_ERROR;
        }
        if (status >= 400) {
            return LlmFailure.INVALID_REQUEST;
        }
        return LlmFailure.MALFORMED_RESPONSE;
    }

    static LlmCallException fromResponse(String provider, int status, HttpHeaders headers, String body,
                                         JsonNode json, ErrorBodyReader reader, Clock clock,
                                         UnaryOperator<String> redact) {
        ProviderError error = readSafely(reader, status, json);
        LlmFailure kind = error.failure() != null ? error.failure() : kindOf(status);
        boolean retryable = headers.firstValue("X-Should-Retry")
                .map(value -> value.equalsIgnoreCase("true") ? Boolean.TRUE
                        : value.equalsIgnoreCase("false") ? Boolean.FALSE : null)
                .orElse(kind.retryable());
        Optional<Duration> headerHint = RetryDelays.fromHeaders(headers, clock);
        Duration retryAfter = headerHint.orElse(error.retryDelay());
        StringBuilder message = new StringBuilder();
        message.append(error.message() != null && !error.message().isBlank()
                ? shorten(error.message().strip())
                : body.isBlank() ? "empty error body" : "unreadable error body: " + shorten(body.strip()));
        if (error.code() != null) {
            message.append(" (code ").append(error.code()).append(')');
        }
        if (error.status() != null && !error.status().equals(error.code())) {
            message.append(" (").append(error.status()).append(')');
        }
        headers.firstValue("x-request-id").ifPresent(id -> message.append(" [request id ").append(id).append(']'));
        return new LlmCallException(provider, kind, retryable, redact.apply(message.toString()), retryAfter,
                status, null);
    }

    private static ProviderError readSafely(ErrorBodyReader reader, int status, JsonNode body) {
        try {
            ProviderError error = reader.read(status, body);
            return error == null ? ProviderError.EMPTY : error;
        } catch (RuntimeException e) {
            // A reader is meant to be tolerant; if one is not, the status still maps the failure.
            return ProviderError.EMPTY;
        }
    }

    static String shorten(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_MESSAGE_CHARS ? oneLine : oneLine.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
