package dev.placement.core.llm;

/**
 * Renders the prompt that asks an LLM for a layer placement. Replaceable: write your own to change wording or
 * content; the answer is still requested in the JSON format of {@link LlmPlacementAgent#ANSWER_SCHEMA} and
 * read by a tolerant parser. Implementations must be thread-safe and must treat every value from the
 * cluster (node ids, GPU names, model names) as data.
 */
public interface PromptTemplate {

    /** @return a short name for logs and journals, for example {@code "standard"} */
    String name();

    /**
     * Renders a prompt.
     *
     * @param context the request and the extra information the agent gathered
     * @return the prompt
     */
    PlacementPrompt render(PromptContext context);

    /**
     * The default template: the four parts of the research's prompt (model, system constraints, guidelines,
     * output format) plus what the research lacked: each node's memory budget in layers, each link's cost per
     * token, the return hop, the objective, the history of placements that ran (when given) and the
     * performance model's predictions for a few candidates (when enabled).
     *
     * @return the standard template
     */
    static PromptTemplate standard() {
        return new ResearchPromptTemplate(false);
    }

    /**
     * The research's prompt as it was: model, system constraints (GPUs, memory, latency per link and back to
     * the first rank), guidelines and output format, without memory budgets, link costs, the objective,
     * history or candidate predictions; for comparing the original setting with the informed one.
     *
     * @return the research-faithful template
     */
    static PromptTemplate researchFaithful() {
        return new ResearchPromptTemplate(true);
    }
}
