package dev.placement.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A language model provider failed. The hierarchy is split in two: {@link #retryable()} is true for failures
 * that asking again may cure (rate limits, 5xx, timeouts, I/O) and false for those it cannot (bad key,
 * exhausted quota, bad request, unknown model, refusal, truncated or blocked answers). Messages never contain
 * API keys.
 */
public class LlmException extends PlacementException {
    private static final long serialVersionUID = 1L;

    /** Whether asking again may help. */
    private final boolean retryable;
    /** The provider's hint how long to wait before asking again, or {@code null}. */
    private final Duration retryAfter;
    /** The HTTP status, or 0 if the failure had none. */
    private final int httpStatus;

    /**
     * @param message    what failed, in plain words
     * @param retryable  whether asking again may help
     * @param retryAfter the provider's hint how long to wait, or {@code null}
     * @param httpStatus the HTTP status, or 0 if none
     * @param cause      the underlying failure, or {@code null}
     */
    public LlmException(String message, boolean retryable, Duration retryAfter, int httpStatus, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
        this.httpStatus = httpStatus;
    }

    /** @return whether asking again may help */
    public boolean retryable() {
        return retryable;
    }

    /** @return the provider's hint how long to wait before asking again */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** @return the HTTP status, or 0 if the failure had none */
    public int httpStatus() {
        return httpStatus;
    }
}
