package dev.placement.api;

/**
 * Predicts the serving metrics a placement achieves for a request: the role of a performance model, as the
 * modules that do not compute placements see it. {@code placement-core}'s {@code PerformanceModel} implements
 * it; the orchestrator predicts the running placement with one, and the simulator takes one as the ground
 * truth of its GPUs. Implementations document their thread-safety.
 */
@FunctionalInterface
public interface MetricsPredictor {

    /**
     * Predicts a placement's metrics under the request's links, workload and engine settings.
     *
     * @param placement the placement; its nodes must be in the request's cluster and its layers the model's
     * @param request   the model, cluster, links, workload and max model length
     * @return the predicted metrics ({@link PipelineMetrics.Source#PREDICTED})
     * @throws InfeasiblePlacementException if the placement cannot run (a stage does not fit in memory, a link
     *                                      it crosses is unknown); the message says why
     * @throws IllegalArgumentException     if the placement does not belong to the request (layers, nodes)
     */
    PipelineMetrics predictMetrics(Placement placement, PlacementRequest request);
}
