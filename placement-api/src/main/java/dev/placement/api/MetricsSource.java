package dev.placement.api;

import java.util.Optional;

/**
 * Measures the serving metrics of a running pipeline, and the workload it serves where it can: vLLM's
 * Prometheus endpoint, an active benchmark probe, or a simulation. Implementations document their
 * thread-safety.
 */
public interface MetricsSource {

    /**
     * Measures the pipeline's metrics since the previous call (or over a short active probe).
     *
     * @param pipeline the running pipeline
     * @return what was measured, or empty if nothing was served in the interval
     * @throws PlacementException if the metrics cannot be read
     */
    Optional<MetricsSample> sample(RunningPipeline pipeline);
}
