package dev.placement.core;

import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;

/**
 * The agent that decides with the {@link PlacementSolver}: the best placement for the objective under the
 * {@link PerformanceModel}, with the solver's explanation as its rationale. Name {@value #NAME}. Immutable and
 * thread-safe.
 */
public final class SolverAgent implements PlacementAgent {

    /** This agent's name. */
    public static final String NAME = "solver";

    private final PlacementSolver solver;

    /**
     * An agent that decides with a solver on the given model.
     *
     * @param model the performance model; not null
     */
    public SolverAgent(PerformanceModel model) {
        this.solver = new PlacementSolver(model);
    }

    /** @return the solver this agent decides with */
    public PlacementSolver solver() {
        return solver;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * @throws dev.placement.api.InfeasiblePlacementException when no placement fits, saying which constraint fails
     */
    @Override
    public PlacementDecision decide(PlacementRequest request) {
        PlacementSolver.Solution s = solver.solve(request);
        return new PlacementDecision(s.best().placement(), NAME, s.explanation(), s.best().metrics(), null);
    }
}
