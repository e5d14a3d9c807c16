package dev.placement.llm.http;

import java.time.Duration;
import java.util.Objects;

/**
 * An LLM call failed for good: a failure that is not retried, the last of the retries, or a refusal by the open
 * circuit breaker. Told once per call to {@link LlmCallListener#onError}; the failures retried before it were
 * told to {@link LlmCallListener#onRetry}. Holds no key: the message is the exception's, from which configured
 * secrets are redacted, and it quotes no part of the prompt.
 *
 * @param context    the call and its last attempt (for a refusal by the circuit breaker, the attempt refused)
 * @param failure    the kind of failure, or {@code null} if the exception was not a provider failure (a bug in a
 *                   reader, for example)
 * @param httpStatus the HTTP status of the last response, 0 if there was none (timeout, I/O, circuit open)
 * @param retryable  whether asking again later may help
 * @param duration   the whole call, from the first attempt to the failure, retry waits included
 * @param message    what failed, in plain words; not null
 */
public record LlmCallError(LlmCallContext context, LlmFailure failure, int httpStatus, boolean retryable,
                           Duration duration, String message) {

    /**
     * Validates every field.
     *
     * @param context    the call and its last attempt; not null
     * @param failure    the kind of failure, or {@code null} if the exception was not a provider failure
     * @param httpStatus the HTTP status of the last response, or 0 if none; not checked
     * @param retryable  whether asking again later may help
     * @param duration   the whole call, retry waits included; not null, not negative
     * @param message    what failed, in plain words; not null
     * @throws IllegalArgumentException if the duration is negative
     */
    public LlmCallError {
        Objects.requireNonNull(context, "context");
        notNegative(duration, "duration");
        Objects.requireNonNull(message, "message");
    }

    /**
     * Whether the call was refused without being sent because the circuit breaker is open.
     *
     * @return {@code failure() == LlmFailure.CIRCUIT_OPEN}
     */
    public boolean rejectedByCircuitBreaker() {
        return failure == LlmFailure.CIRCUIT_OPEN;
    }

    static void notNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
