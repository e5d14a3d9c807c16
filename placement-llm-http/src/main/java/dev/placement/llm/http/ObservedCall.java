package dev.placement.llm.http;

import dev.placement.api.LlmException;
import dev.placement.api.LlmResponse;

import java.time.Duration;

/**
 * One call through a transport as its listeners see it: counts its attempts, times them and the whole call
 * ({@link System#nanoTime()}), and tells the {@link CallListeners}. Used by the one thread making the call; costs
 * nothing worth measuring when no listener is registered.
 */
final class ObservedCall {
    private final CallListeners listeners;
    private final String provider;
    private final String model;
    private final String host;
    private final long id;
    private final int maxAttempts;
    private final long startNanos = System.nanoTime();
    private int attempt;
    private long attemptStartNanos;
    private long attemptNanos;
    private int status;

    ObservedCall(CallListeners listeners, String provider, String model, String host, long id, int maxAttempts) {
        this.listeners = listeners;
        this.provider = provider;
        this.model = model;
        this.host = host == null ? "" : host;
        this.id = id;
        this.maxAttempts = maxAttempts;
    }

    /**
     * The attempts so far.
     *
     * @return the attempts started so far, refused ones included
     */
    int attempts() {
        return attempt;
    }

    /** An attempt passed the circuit breaker and is about to be sent. */
    void attemptStarting() {
        attempt++;
        attemptStartNanos = System.nanoTime();
        status = 0;
        if (!listeners.isEmpty()) {
            listeners.request(context());
        }
    }

    /** The attempt got a response with this status (0 if none). */
    void attemptEnded(int httpStatus) {
        attemptNanos = System.nanoTime() - attemptStartNanos;
        status = httpStatus;
    }

    /** The circuit breaker refused the next attempt: it counts, but nothing was sent. */
    void refused() {
        attempt++;
        attemptNanos = 0;
        status = 0;
    }

    /** The attempt failed retryably and the next one follows after {@code delay}. */
    void retrying(Throwable failure, Duration delay) {
        if (!listeners.isEmpty()) {
            listeners.retry(new LlmRetry(context(), kind(failure), status, delay, Duration.ofNanos(attemptNanos)));
        }
    }

    /** The call succeeded; {@code answer} is the response read, or null for a raw body. */
    void succeeded(LlmResponse answer) {
        if (!listeners.isEmpty()) {
            listeners.response(new LlmCallResponse(context(), status, elapsed(), Duration.ofNanos(attemptNanos),
                    answer == null ? null : answer.model(), answer == null ? 0 : answer.promptTokens(),
                    answer == null ? 0 : answer.completionTokens()));
        }
    }

    /** The call failed for good with {@code failure}, whose message is already redacted if it is ours. */
    void failed(Throwable failure, String message) {
        if (listeners.isEmpty()) {
            return;
        }
        int httpStatus = failure instanceof LlmException l && l.httpStatus() > 0 ? l.httpStatus() : status;
        boolean retryable = failure instanceof LlmException l && l.retryable();
        listeners.error(new LlmCallError(context(), kind(failure), httpStatus, retryable, elapsed(),
                message == null ? failure.getClass().getSimpleName() : message));
    }

    private LlmCallContext context() {
        return new LlmCallContext(provider, model, host, id, Math.max(1, Math.min(attempt, maxAttempts)),
                maxAttempts);
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static LlmFailure kind(Throwable failure) {
        return failure instanceof LlmCallException c ? c.failure() : null;
    }
}
