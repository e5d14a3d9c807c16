package dev.placement.llm.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a provider's error body (of a non-2xx response) into a {@link ProviderError}. The transport has already
 * parsed the body leniently; implementations must be tolerant of any shape (an empty body, HTML from a proxy or
 * truncated JSON arrive as a missing node) and give a result rather than an exception. Implementations are
 * stateless and thread-safe.
 */
@FunctionalInterface
public interface ErrorBodyReader {

    /**
     * @param httpStatus the response's HTTP status
     * @param body       the response body as JSON, or a {@linkplain JsonNode#isMissingNode() missing node} if it
     *                   was empty or not JSON; never null
     * @return what the body says; {@link ProviderError#EMPTY} if nothing usable
     */
    ProviderError read(int httpStatus, JsonNode body);
}
