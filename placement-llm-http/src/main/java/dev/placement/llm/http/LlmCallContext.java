package dev.placement.llm.http;

import java.util.Objects;

/**
 * Which call, and which attempt of it, an {@link LlmCallListener} event is about. It holds no header, no key and
 * no part of the prompt or the answer, so it may be logged or turned into metric tags as it is.
 *
 * @param provider    the provider's short name, for example {@code "openai"}; not blank
 * @param model       the model asked, as configured on the client, for example {@code "gpt-5-mini"}; not blank
 *                    ({@code "unknown"} for a transport built without one)
 * @param host        the host the call goes to, for example {@code api.openai.com}; not null
 * @param callId      numbers the calls of one client from 1, so that the events of one call can be told apart
 * @param attempt     the attempt, from 1; a retry is attempt 2 or later
 * @param maxAttempts how many attempts the call may make at most (retries + 1)
 */
public record LlmCallContext(String provider, String model, String host, long callId, int attempt,
                             int maxAttempts) {

    /**
     * Validates every field.
     *
     * @param provider    the provider's short name; not blank
     * @param model       the model asked; not blank
     * @param host        the host the call goes to; not null
     * @param callId      the call's number within its client, from 1; not checked
     * @param attempt     the attempt; 1 to {@code maxAttempts}
     * @param maxAttempts the most attempts the call may make (retries + 1)
     * @throws IllegalArgumentException if a name is blank, or the attempt is not 1 to {@code maxAttempts}
     */
    public LlmCallContext {
        if (provider == null || provider.isBlank() || model == null || model.isBlank()) {
            throw new IllegalArgumentException("an LLM call needs a provider and a model");
        }
        Objects.requireNonNull(host, "host");
        if (attempt < 1 || attempt > maxAttempts) {
            throw new IllegalArgumentException("attempt must be 1 to " + maxAttempts + ", got " + attempt);
        }
    }

    /**
     * Whether this attempt repeats a failed one.
     *
     * @return {@code attempt > 1}
     */
    public boolean retry() {
        return attempt > 1;
    }
}
