package dev.placement.llm.http;

import java.time.Duration;
import java.util.Objects;

/**
 * An attempt failed retryably and another will be sent: told to {@link LlmCallListener#onRetry} before the wait.
 * Holds no key and no part of the prompt.
 *
 * @param context         the attempt that failed; the next one is {@code context.attempt() + 1}
 * @param failure         the kind of failure, or {@code null} if the exception was not a provider failure
 * @param httpStatus      the HTTP status of the failed attempt, 0 if there was none (timeout, I/O)
 * @param delay           how long the transport waits before the next attempt: the server's hint, clamped, or
 *                        the backoff
 * @param attemptDuration how long the failed attempt took
 */
public record LlmRetry(LlmCallContext context, LlmFailure failure, int httpStatus, Duration delay,
                       Duration attemptDuration) {

    /**
     * Validates every field.
     *
     * @param context         the attempt that failed; not null
     * @param failure         the kind of failure, or {@code null} if the exception was not a provider failure
     * @param httpStatus      the HTTP status of the failed attempt, or 0 if none; not checked
     * @param delay           the wait before the next attempt; not null, not negative
     * @param attemptDuration how long the failed attempt took; not null, not negative
     * @throws IllegalArgumentException if a duration is negative
     */
    public LlmRetry {
        Objects.requireNonNull(context, "context");
        LlmCallError.notNegative(delay, "delay");
        LlmCallError.notNegative(attemptDuration, "attemptDuration");
    }
}
