package dev.placement.api;

/**
 * A language model's answer.
 *
 * @param text             the answer text (JSON when a schema was given and honoured); never null
 * @param model            the model that answered, as the provider reports it, or {@code null}
 * @param promptTokens     prompt tokens used, or 0 if unknown
 * @param completionTokens completion tokens used (including reasoning tokens), or 0 if unknown
 */
public record LlmResponse(String text, String model, int promptTokens, int completionTokens) {

    /**
     * Validates the text and token counts.
     *
     * @param text             the answer text; not null
     * @param model            the model that answered, as the provider reports it, or {@code null}
     * @param promptTokens     prompt tokens used, 0 or more; 0 if unknown
     * @param completionTokens completion tokens used (including reasoning tokens), 0 or more; 0 if unknown
     */
    public LlmResponse {
        Checks.notNull(text, "llm.text");
        Checks.nonNegative(promptTokens, "llm.promptTokens");
        Checks.nonNegative(completionTokens, "llm.completionTokens");
    }
}
