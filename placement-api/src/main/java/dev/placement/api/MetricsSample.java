package dev.placement.api;

/**
 * What a {@link MetricsSource} measured over an interval: the serving metrics and, when the source can tell,
 * the workload it saw served — the prompt and answer lengths and how many requests ran at once.
 *
 * @param metrics  the measured metrics ({@link PipelineMetrics.Source#MEASURED}); not null
 * @param workload the workload observed in the interval: mean prompt and answer tokens of the requests that
 *                 finished, and the requests the clients keep in flight (running or waiting, as the source
 *                 sees them); {@code null} if the source cannot tell
 */
public record MetricsSample(PipelineMetrics metrics, Workload workload) {

    /**
     * Validates that the metrics are given.
     *
     * @param metrics  the measured metrics; not null
     * @param workload the workload observed in the interval, or {@code null} if the source cannot tell
     */
    public MetricsSample {
        Checks.notNull(metrics, "sample.metrics");
    }

    /**
     * A sample that says nothing about the workload.
     *
     * @param metrics the measured metrics; not null
     * @return the sample
     */
    public static MetricsSample of(PipelineMetrics metrics) {
        return new MetricsSample(metrics, null);
    }
}
