package dev.placement.llm.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;

import java.util.List;
import java.util.Locale;

/**
 * How a {@link GeminiLlmClient} asks the model to generate, resolved once from its builder: the thinking
 * configuration (a level for Gemini 3, a token budget for Gemini 2.5, never both, or either from a
 * provider-neutral reasoning effort) and the output token limit. It becomes each request's
 * {@code generationConfig}. Immutable.
 *
 * @param thinkingLevel   {@code thinkingConfig.thinkingLevel}, or {@code null} for the model's default
 * @param thinkingBudget  {@code thinkingConfig.thinkingBudget} in tokens (-1 dynamic, 0 off), or {@code null}
 * @param maxOutputTokens {@code generationConfig.maxOutputTokens}, or {@code null} for the model's limit
 */
record GenerationSettings(String thinkingLevel, Integer thinkingBudget, Integer maxOutputTokens) {
    private static final String SOURCE = "GeminiLlmClient.builder()";

    /**
     * Checks the builder's settings and turns a reasoning effort into the thinking setting the model takes.
     *
     * @param model           the model name without {@code models/}; {@code gemini-3*} thinks in levels
     * @param thinkingLevel   the builder's thinking level, or {@code null} or blank
     * @param thinkingBudget  the builder's thinking budget, or {@code null}
     * @param reasoningEffort the builder's reasoning effort, or {@code null} or blank
     * @param maxOutputTokens the builder's output token limit, or {@code null}
     * @return the settings
     * @throws InvalidInputException naming the builder field, if settings conflict, are out of range, a thinking
     *                               level is one the model's family does not take, or the effort is unknown;
     *                               checked in this order, so the first problem is named
     */
    static GenerationSettings resolve(String model, String thinkingLevel, Integer thinkingBudget,
                                      String reasoningEffort, Integer maxOutputTokens) {
        if (!isBlank(thinkingLevel) && thinkingBudget != null) {
            throw new InvalidInputException(SOURCE, "thinkingLevel",
                    "set either thinkingLevel (Gemini 3) or thinkingBudget (Gemini 2.5), not both; the API "
                            + "rejects a request with both");
        }
        if (thinkingBudget != null && thinkingBudget < -1) {
            throw new InvalidInputException(SOURCE, "thinkingBudget", "must be -1 (dynamic), "
                    + "0 (off) or a token count, got " + thinkingBudget);
        }
        if (maxOutputTokens != null && maxOutputTokens < 1) {
            throw new InvalidInputException(SOURCE, "maxOutputTokens",
                    "must be at least 1, got " + maxOutputTokens);
        }
        if (isBlank(reasoningEffort)) {
            String level = isBlank(thinkingLevel) ? null : thinkingLevel.strip().toUpperCase(Locale.ROOT);
            List<String> takes = ThinkingLevels.listed(model);
            if (level != null && takes != null && !takes.contains(level)) {
                throw new InvalidInputException(SOURCE, "thinkingLevel", "'" + thinkingLevel.strip() + "' is not a "
                        + "thinking level " + model + " takes (Google lists " + String.join(", ", takes) + ")");
            }
            return new GenerationSettings(level, thinkingBudget, maxOutputTokens);
        }
        if (!isBlank(thinkingLevel) || thinkingBudget != null) {
            throw new InvalidInputException(SOURCE, "reasoningEffort",
                    "set either reasoningEffort or thinkingLevel/thinkingBudget, not both");
        }
        String effort = reasoningEffort.strip().toLowerCase(Locale.ROOT);
        return model.startsWith("gemini-3")
                ? new GenerationSettings(thinkingLevelFor(model, effort), null, maxOutputTokens)
                : new GenerationSettings(null, thinkingBudgetFor(effort), maxOutputTokens);
    }

    /** Gemini 3 thinks in levels, which differ by family ({@link ThinkingLevels}); "none" asks for the least. */
    private static String thinkingLevelFor(String model, String effort) {
        String level = ThinkingLevels.forEffort(model, effort);
        if (level == null) {
            throw badEffort(effort, "none, minimal, low, medium, high");
        }
        return level;
    }

    /** The budgets Google's OpenAI-compatible endpoint maps {@code reasoning_effort} to for Gemini 2.5. */
    private static int thinkingBudgetFor(String effort) {
        switch (effort) {
            case "none":
                return 0;
            case "low":
                return 1024;
            case "medium":
                return 8192;
            case "high":
                return 24576;
            default:
                throw badEffort(effort, "none, low, medium, high");
        }
    }

    private static InvalidInputException badEffort(String effort, String valid) {
        return new InvalidInputException(SOURCE, "reasoningEffort", "'" + effort
                + "' is not a reasoning effort this model takes; expected one of " + valid);
    }

    /**
     * @param schema the answer schema, or {@code null} for free text
     * @return the request's {@code generationConfig}, or {@code null} when there is nothing to configure, so the
     *         request leaves it out
     */
    GenerateContent.GenerationConfig config(JsonNode schema) {
        GenerateContent.ThinkingConfig thinking = thinkingLevel == null && thinkingBudget == null ? null
                : new GenerateContent.ThinkingConfig(thinkingLevel, thinkingBudget);
        if (schema == null && thinking == null && maxOutputTokens == null) {
            return null;
        }
        return new GenerateContent.GenerationConfig(schema == null ? null : "application/json", schema,
                maxOutputTokens, thinking);
    }

    /** @return the thinking setting for {@code toString()}, for example {@code ", thinkingLevel=LOW"}, or "" */
    String describeThinking() {
        return (thinkingLevel == null ? "" : ", thinkingLevel=" + thinkingLevel)
                + (thinkingBudget == null ? "" : ", thinkingBudget=" + thinkingBudget);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
