package dev.placement.llm.http;

/**
 * Hears every call an LLM client makes, like LangChain4j's {@code ChatModelListener}: register one or more with
 * {@link HttpLlmClientBuilder#listener(LlmCallListener)} (on {@code OpenAiLlmClient.builder()} and
 * {@code GeminiLlmClient.builder()}). Every method does nothing by default; override those you need.
 *
 * <p>For one call: {@link #onRequest} before each attempt is sent, {@link #onRetry} after each attempt that failed
 * and will be retried, then exactly one of {@link #onResponse} (the answer arrived and was read, with its token
 * usage) and {@link #onError} (the call failed for good; a refusal by the open circuit breaker is one, without an
 * {@code onRequest} since nothing was sent). {@link #onCircuitStateChange} tells when the client's circuit breaker
 * opens, half-opens or closes. So calls = responses + errors, attempts = requests, retries = retries.
 *
 * <p>The events carry the provider, the configured model, the host, the attempt and its number, durations, the
 * HTTP status, the kind of failure and token usage, and never an API key, a header, the prompt or the answer.
 *
 * <p>Methods are called synchronously on the calling thread, in the order above: keep them quick. One that throws
 * is logged at WARN (under {@code dev.placement.llm.http.LlmHttpTransport}) and the call goes on as if it had not;
 * the other listeners still hear the event. Implementations must be thread-safe: a client is called from many
 * threads.
 */
public interface LlmCallListener {

    /**
     * An attempt is about to be sent.
     *
     * @param context the call and the attempt; {@link LlmCallContext#retry()} says whether it is a retry
     */
    default void onRequest(LlmCallContext context) {
    }

    /**
     * An attempt failed retryably; the next is sent after {@link LlmRetry#delay()}.
     *
     * @param retry the failed attempt, why it failed and how long until the next
     */
    default void onRetry(LlmRetry retry) {
    }

    /**
     * The call succeeded.
     *
     * @param response the call, its status, durations and token usage
     */
    default void onResponse(LlmCallResponse response) {
    }

    /**
     * The call failed for good.
     *
     * @param error the call, the kind of failure, its status, the duration and the (redacted) message
     */
    default void onError(LlmCallError error) {
    }

    /**
     * The client's circuit breaker changed state.
     *
     * @param transition from which state to which, and when
     */
    default void onCircuitStateChange(CircuitTransition transition) {
    }
}
