package dev.placement.api;

/**
 * Chooses a placement for a request: the exact solver, a baseline, an LLM, or an LLM guarded by the solver.
 * Implementations document their thread-safety.
 */
public interface PlacementAgent {

    /** @return a short name for journals and output, for example {@code "solver"} or {@code "openai"} */
    String name();

    /**
     * Chooses a placement.
     *
     * @param request the model, cluster, links, objective and workload
     * @return a decision whose placement covers the model's layers and uses only the request's nodes
     * @throws InfeasiblePlacementException if no placement satisfies the constraints
     * @throws PlacementException           if the agent fails for another reason
     */
    PlacementDecision decide(PlacementRequest request);
}
