package dev.placement.llm.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.llm.http.ErrorBodyReader;
import dev.placement.llm.http.LlmFailure;
import dev.placement.llm.http.ProviderError;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads Google RPC error bodies: {@code {"error":{"code","message","status","details":[...]}}} (also wrapped in
 * an array, as streaming endpoints send it). From the details it takes {@code RetryInfo.retryDelay} as the retry
 * hint, treats a {@code QuotaFailure} naming a per-day quota (or a quota of 0) as exhausted, which only resets
 * the next day, and an {@code ErrorInfo} reason {@code API_KEY_INVALID} (sent with HTTP 400) as an
 * authentication failure.
 */
final class GeminiErrorReader implements ErrorBodyReader {
    private static final String TYPE_PREFIX = "type.googleapis.com/google.rpc.";

    @Override
    public ProviderError read(int httpStatus, JsonNode body) {
        JsonNode root = body.isArray() && !body.isEmpty() ? body.get(0) : body;
        JsonNode error = root.get("error");
        if (error == null || !error.isObject()) {
            return ProviderError.EMPTY;
        }
        String message = text(error.get("message"));
        String code = text(error.get("code"));
        String status = text(error.get("status"));
        Duration retryDelay = null;
        LlmFailure failure = null;
        JsonNode details = error.get("details");
        if (details != null && details.isArray()) {
            for (JsonNode detail : details) {
                String type = String.valueOf(text(detail.get("@type")));
                if (type.equals(TYPE_PREFIX + "RetryInfo")) {
                    retryDelay = protobufDuration(text(detail.get("retryDelay")));
                } else if (type.equals(TYPE_PREFIX + "QuotaFailure") && quotaExhausted(detail)) {
                    failure = LlmFailure.QUOTA_EXHAUSTED;
                } else if (type.equals(TYPE_PREFIX + "ErrorInfo")
                        && "API_KEY_INVALID".equals(text(detail.get("reason")))) {
                    failure = LlmFailure.AUTHENTICATION;
                }
            }
        }
        return new ProviderError(message, code, status, retryDelay, failure);
    }

    private static boolean quotaExhausted(JsonNode quotaFailure) {
        JsonNode violations = quotaFailure.get("violations");
        if (violations == null || !violations.isArray()) {
            return false;
        }
        for (JsonNode violation : violations) {
            String quotaId = String.valueOf(text(violation.get("quotaId"))).toLowerCase(Locale.ROOT);
            // A per-day quota resets at midnight Pacific time; a quota of 0 (model not in the free tier) never
            // clears by waiting.
            if (quotaId.contains("perday") || "0".equals(text(violation.get("quotaValue")))) {
                return true;
            }
        }
        return false;
    }

    /** Parses a protobuf JSON Duration such as {@code "39s"} or {@code "1.203608125s"}; null if unreadable. */
    static Duration protobufDuration(String text) {
        if (text == null || !text.endsWith("s")) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1).strip());
            if (seconds.signum() < 0) {
                return null;
            }
            return Duration.ofNanos(seconds.movePointRight(9).min(BigDecimal.valueOf(Long.MAX_VALUE)).longValue());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }
}
