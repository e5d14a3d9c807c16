package dev.placement.api;

/**
 * The traffic a placement is judged under: how long prompts and answers are, and how many requests run at
 * once.
 *
 * @param inputTokens  prompt length in tokens; positive
 * @param outputTokens answer length in tokens; positive
 * @param concurrency  requests in flight at once; positive
 */
public record Workload(int inputTokens, int outputTokens, int concurrency) {

    /** The default workload: 512-token prompts, 128-token answers, 8 requests in flight. */
    public static final Workload DEFAULT = new Workload(512, 128, 8);

    /**
     * Validates every field.
     *
     * @param inputTokens  prompt length in tokens; positive
     * @param outputTokens answer length in tokens; positive
     * @param concurrency  requests in flight at once; positive
     */
    public Workload {
        Checks.positive(inputTokens, "workload.inputTokens");
        Checks.positive(outputTokens, "workload.outputTokens");
        Checks.positive(concurrency, "workload.concurrency");
    }
}
