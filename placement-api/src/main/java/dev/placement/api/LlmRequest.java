package dev.placement.api;

/**
 * One question to a language model: instructions, the question, and the JSON Schema the answer must follow.
 *
 * @param systemText the instructions (system or developer message); not blank
 * @param userText   the question; not blank
 * @param schemaName a name for the answer schema, {@code [A-Za-z0-9_-]{1,64}}
 * @param jsonSchema the answer's JSON Schema as JSON text, or {@code null} for a free-text answer
 */
public record LlmRequest(String systemText, String userText, String schemaName, String jsonSchema) {

    /**
     * Validates the texts and the schema name.
     *
     * @param systemText the instructions (system or developer message); not blank
     * @param userText   the question; not blank
     * @param schemaName a name for the answer schema, {@code [A-Za-z0-9_-]{1,64}}; not null
     * @param jsonSchema the answer's JSON Schema as JSON text, or {@code null} for a free-text answer
     */
    public LlmRequest {
        Checks.notBlank(systemText, "llm.systemText");
        Checks.notBlank(userText, "llm.userText");
        Checks.notNull(schemaName, "llm.schemaName");
        if (!schemaName.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("llm.schemaName '" + schemaName
                    + "' must be 1 to 64 of A-Z a-z 0-9 _ -");
        }
    }
}
