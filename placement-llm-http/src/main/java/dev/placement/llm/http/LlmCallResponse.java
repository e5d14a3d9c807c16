package dev.placement.llm.http;

import java.time.Duration;
import java.util.Objects;

/**
 * An LLM call succeeded: the answer arrived and was read. Told once per call to
 * {@link LlmCallListener#onResponse}. Holds no key and neither the prompt nor the answer's text.
 *
 * @param context          the call and its last (successful) attempt
 * @param httpStatus       the answer's HTTP status, 2xx
 * @param duration         the whole call, from the first attempt to the answer read, retry waits included
 * @param attemptDuration  the successful attempt alone, from sending to the response
 * @param responseModel    the model that answered as the provider reports it (for example
 *                         {@code gpt-5-mini-2025-08-07}), or {@code null} if it did not say or the call was a raw
 *                         {@link LlmHttpTransport#postJson}
 * @param promptTokens     prompt tokens the provider reported, or 0 if unknown
 * @param completionTokens completion tokens (reasoning tokens included) the provider reported, or 0 if unknown
 */
public record LlmCallResponse(LlmCallContext context, int httpStatus, Duration duration, Duration attemptDuration,
                              String responseModel, int promptTokens, int completionTokens) {

    /**
     * Validates every field.
     *
     * @param context          the call and its successful attempt; not null
     * @param httpStatus       the answer's HTTP status; not checked
     * @param duration         the whole call, retry waits included; not null, not negative
     * @param attemptDuration  the successful attempt alone; not null, not negative
     * @param responseModel    the model that answered as the provider reports it, or {@code null} if unknown
     * @param promptTokens     prompt tokens reported; 0 or more, 0 if unknown
     * @param completionTokens completion tokens reported; 0 or more, 0 if unknown
     * @throws IllegalArgumentException if a duration or a token count is negative
     */
    public LlmCallResponse {
        Objects.requireNonNull(context, "context");
        LlmCallError.notNegative(duration, "duration");
        LlmCallError.notNegative(attemptDuration, "attemptDuration");
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    /**
     * The tokens the call used.
     *
     * @return prompt plus completion tokens, 0 if the provider reported none
     */
    public long totalTokens() {
        return (long) promptTokens + completionTokens;
    }
}
