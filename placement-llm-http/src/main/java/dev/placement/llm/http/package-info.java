/**
 * The HTTP plumbing shared by the LLM provider modules (OpenAI-compatible and Gemini): one transport that sends
 * a JSON POST over {@code java.net.http} with connect and request timeouts, maps HTTP failures to one exception
 * hierarchy ({@link dev.placement.llm.http.LlmCallException} with a
 * {@link dev.placement.llm.http.LlmFailure} kind), retries only retryable failures with Resilience4j while
 * honouring the server's retry hints, and stops asking a failing server through a circuit breaker
 * ({@link dev.placement.llm.http.CircuitBreakerSettings}; no Resilience4j type is part of this API). Every call,
 * attempt, retry and circuit-breaker change is told to the {@link dev.placement.llm.http.LlmCallListener}s
 * registered on the client builders.
 *
 * <p>Provider modules supply only what differs: the URL, the headers, the wire format, and an
 * {@link dev.placement.llm.http.ErrorBodyReader} for their error bodies.
 */
package dev.placement.llm.http;
