package dev.placement.core.llm;

import java.util.Objects;

/**
 * The text a {@link PromptTemplate} renders: the instructions and the question.
 *
 * @param systemText the instructions (system or developer message); not blank
 * @param userText   the question, carrying the cluster's data; not blank
 */
public record PlacementPrompt(String systemText, String userText) {

    /**
     * Validates that both texts are given.
     *
     * @param systemText the instructions (system or developer message); not blank
     * @param userText   the question, carrying the cluster's data; not blank
     */
    public PlacementPrompt {
        if (Objects.requireNonNull(systemText, "prompt.systemText must not be null").isBlank()
                || Objects.requireNonNull(userText, "prompt.userText must not be null").isBlank()) {
            throw new IllegalArgumentException("a prompt's system and user texts must not be blank");
        }
    }
}
