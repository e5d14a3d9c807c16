package dev.placement.llm.http;

import dev.placement.api.LlmException;

import java.time.Duration;
import java.util.Objects;

/**
 * An LLM provider call failed, with the {@link LlmFailure kind} of failure. {@link #retryable()} follows the
 * kind unless the server said otherwise (an {@code X-Should-Retry} header), so a retry predicate is one line:
 * {@code e -> e instanceof LlmException l && l.retryable()}. Messages name the provider and never contain API
 * keys (the transport redacts them from anything a server echoes back).
 */
public class LlmCallException extends LlmException {
    private static final long serialVersionUID = 1L;

    /** The kind of failure; never null. */
    private final LlmFailure failure;
    /** The provider's short name, for example {@code "openai"}; never null. */
    private final String provider;

    /**
     * @param provider   the provider's short name, for example {@code "openai"}; not null
     * @param failure    the kind of failure; not null
     * @param message    what failed, in plain words (without the provider prefix, which is added)
     * @param retryAfter the server's hint how long to wait, or {@code null}
     * @param httpStatus the HTTP status, or 0 if none
     * @param cause      the underlying failure, or {@code null}
     */
    public LlmCallException(String provider, LlmFailure failure, String message, Duration retryAfter,
                            int httpStatus, Throwable cause) {
        this(provider, failure, failure.retryable(), message, retryAfter, httpStatus, cause);
    }

    /**
     * Like {@link #LlmCallException(String, LlmFailure, String, Duration, int, Throwable)} but with the
     * retryability set explicitly, for servers that say whether to retry.
     *
     * @param provider   the provider's short name; not null
     * @param failure    the kind of failure; not null
     * @param retryable  whether asking again may help
     * @param message    what failed, in plain words
     * @param retryAfter the server's hint how long to wait, or {@code null}
     * @param httpStatus the HTTP status, or 0 if none
     * @param cause      the underlying failure, or {@code null}
     */
    public LlmCallException(String provider, LlmFailure failure, boolean retryable, String message,
                            Duration retryAfter, int httpStatus, Throwable cause) {
        super(Objects.requireNonNull(provider, "provider") + ": "
                + Objects.requireNonNull(failure, "failure").words()
                + (httpStatus > 0 ? " (HTTP " + httpStatus + ")" : "") + ": " + message,
                retryable, retryAfter, httpStatus, cause);
        this.failure = failure;
        this.provider = provider;
    }

    /** @return the kind of failure; never null */
    public LlmFailure failure() {
        return failure;
    }

    /** @return the provider's short name, for example {@code "gemini"} */
    public String provider() {
        return provider;
    }
}
