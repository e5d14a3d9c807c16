package dev.placement.api;

/**
 * A language model that answers one question: the SPI the LLM placement agent calls. Providers (OpenAI and
 * OpenAI-compatible servers, Gemini) implement it with their own retries and timeouts. Implementations are
 * thread-safe and never reveal API keys in {@code toString()}, logs or exceptions.
 */
public interface LlmClient {

    /** @return the provider's short name, for example {@code "openai"} or {@code "gemini"} */
    String provider();

    /** @return the model asked, for example {@code "gpt-5-mini"} */
    String model();

    /**
     * Asks the question.
     *
     * @param request the instructions, the question and the answer schema
     * @return the answer
     * @throws LlmException if the provider fails; {@link LlmException#retryable()} says whether asking again
     *                      may help
     */
    LlmResponse complete(LlmRequest request);
}
