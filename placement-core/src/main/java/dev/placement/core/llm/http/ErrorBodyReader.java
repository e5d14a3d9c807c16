package dev.placement.core.llm.http;

/**
 * Reads a provider's error body (of a non-2xx response) into a {@link ProviderError}. Implementations must be
 * tolerant: any body, including an empty one, HTML from a proxy or truncated JSON, gives a result rather than
 * an exception. Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface ErrorBodyReader {

    /**
     * @param httpStatus the response's HTTP status
     * @param body       the response body as text; may be empty, never null
     * @return what the body says; {@link ProviderError#EMPTY} if nothing usable
     */
    ProviderError read(int httpStatus, String body);
}
