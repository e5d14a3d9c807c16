package dev.placement.llm.http;

/**
 * What kind of failure an LLM call met, and whether asking again may cure it. The retryable kinds are exactly
 * those the official OpenAI SDK retries (408, 409, 429, 5xx, I/O) plus timeouts; everything else fails fast.
 */
public enum LlmFailure {
    /** HTTP 429 from a rate limit (requests or tokens per minute); clears by itself. */
    RATE_LIMITED(true, "rate limited"),
    /** HTTP 5xx: the server failed or is overloaded. */
    SERVER_ERROR(true, "server error"),
    /** The request timed out (client request timeout or HTTP 408). */
    TIMEOUT(true, "timed out"),
    /** HTTP 409: a lock or conflict on the server side that the official SDKs retry. */
    CONFLICT(true, "conflict"),
    /** The connection failed or broke (I/O error); the server may be restarting. */
    NETWORK(true, "network error"),
    /** HTTP 429 because the quota or credit is used up (per day, or billing); retrying will not help soon. */
    QUOTA_EXHAUSTED(false, "quota exhausted"),
    /** HTTP 401/403 or an invalid key: the API key is missing, wrong or lacks permission. */
    AUTHENTICATION(false, "authentication failed"),
    /** HTTP 404: the model or the endpoint does not exist at this base URL. */
    NOT_FOUND(false, "not found"),
    /** HTTP 400 or another 4xx: the server rejected the request (bad parameter, schema unsupported, ...). */
    INVALID_REQUEST(false, "invalid request"),
    /** The model refused to answer (OpenAI {@code message.refusal}). */
    REFUSED(false, "refused"),
    /** The answer was cut off by the output token limit ({@code finish_reason: length}, {@code MAX_TOKENS}). */
    TRUNCATED(false, "answer truncated"),
    /** The prompt or the answer was blocked by a safety or content filter. */
    BLOCKED(false, "blocked"),
    /** The server answered with a body that is not the documented shape (truncated, not JSON, no choices). */
    MALFORMED_RESPONSE(false, "malformed response"),
    /** The circuit breaker is open after repeated failures; no request was sent. */
    CIRCUIT_OPEN(false, "circuit breaker open"),
    /** The calling thread was interrupted while waiting for the server or before a retry. */
    INTERRUPTED(false, "interrupted");

    private final boolean retryable;
    private final String words;

    LlmFailure(boolean retryable, String words) {
        this.retryable = retryable;
        this.words = words;
    }

    /** @return whether asking again (after a pause) may cure this kind of failure */
    public boolean retryable() {
        return retryable;
    }

    /** @return the kind in a few plain words, for messages, for example {@code "rate limited"} */
    public String words() {
        return words;
    }
}
