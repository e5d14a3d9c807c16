package dev.placement.api;

/**
 * The serving metrics of a pipeline, defined as {@code vllm bench serve} defines them, predicted or measured.
 *
 * <p>TTFT: request sent to first output chunk. ITL: gap between consecutive chunks of one request. TPOT:
 * per request, {@code (e2e − TTFT) / (output tokens − 1)}. Output throughput: output tokens over wall time.
 * Values are means over the interval or workload they describe.
 *
 * @param ttftMillis            time to first token in ms; &ge; 0
 * @param itlMillis             inter-token latency in ms; &ge; 0
 * @param tpotMillis            time per output token in ms; &ge; 0
 * @param outputTokensPerSecond output throughput in tokens per second; &ge; 0
 * @param source                whether these were predicted or measured
 */
public record PipelineMetrics(double ttftMillis, double itlMillis, double tpotMillis, double outputTokensPerSecond,
        Source source) {

    /** Where metrics come from. */
    public enum Source {
        /** From a performance model. */
        PREDICTED,
        /** From the running system. */
        MEASURED
    }

    /**
     * Validates every field.
     *
     * @param ttftMillis            time to first token in ms; finite and &ge; 0
     * @param itlMillis             inter-token latency in ms; finite and &ge; 0
     * @param tpotMillis            time per output token in ms; finite and &ge; 0
     * @param outputTokensPerSecond output throughput in tokens per second; finite and &ge; 0
     * @param source                whether these were predicted or measured; not null
     */
    public PipelineMetrics {
        Checks.nonNegative(ttftMillis, "metrics.ttftMillis");
        Checks.nonNegative(itlMillis, "metrics.itlMillis");
        Checks.nonNegative(tpotMillis, "metrics.tpotMillis");
        Checks.nonNegative(outputTokensPerSecond, "metrics.outputTokensPerSecond");
        Checks.notNull(source, "metrics.source");
    }
}
