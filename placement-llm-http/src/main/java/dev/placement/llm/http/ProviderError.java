package dev.placement.llm.http;

import java.time.Duration;

/**
 * What a provider's error body says, read tolerantly by an {@link ErrorBodyReader}. Every field may be absent
 * because servers differ (OpenAI, vLLM, Ollama, llama.cpp, Gemini) and proxies may answer with HTML.
 *
 * @param message    the server's message, or {@code null}
 * @param code       the server's error code as text ({@code "insufficient_quota"}, {@code "429"}), or {@code null}
 * @param status     the server's status or type word ({@code "RESOURCE_EXHAUSTED"}, {@code "requests"}), or
 *                   {@code null}
 * @param retryDelay a retry hint found in the body (Gemini's {@code RetryInfo.retryDelay}), or {@code null}
 * @param failure    the kind of failure when the body decides it regardless of the HTTP status (for example
 *                   {@link LlmFailure#QUOTA_EXHAUSTED} for a 429 caused by an empty quota), or {@code null} to
 *                   map the HTTP status
 */
public record ProviderError(String message, String code, String status, Duration retryDelay, LlmFailure failure) {

    /** An error body that said nothing usable. */
    public static final ProviderError EMPTY = new ProviderError(null, null, null, null, null);
}
