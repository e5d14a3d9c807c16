package dev.placement.core;

import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The agent that decides with the {@link PlacementSolver}: the best placement for the objective under the
 * {@link PerformanceModel}, with the solver's explanation as its rationale. Name {@value #NAME}. Immutable and
 * thread-safe (when its model supplier is).
 */
public final class SolverAgent implements PlacementAgent {

    /** This agent's name. */
    public static final String NAME = "solver";

    private final Supplier<PerformanceModel> model;

    /**
     * An agent that decides with a solver on the given model.
     *
     * @param model the performance model; not null
     */
    public SolverAgent(PerformanceModel model) {
        Objects.requireNonNull(model, "model");
        this.model = () -> model;
    }

    /**
     * An agent that decides with a solver on whatever model the supplier gives at each decision: a
     * {@link CalibratedModel} that keeps learning, for example.
     *
     * @param model supplies the performance model, once per decision; not null, and never supplies null
     */
    public SolverAgent(Supplier<PerformanceModel> model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** @return a solver on the model this agent would decide with now */
    public PlacementSolver solver() {
        return new PlacementSolver(model.get());
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
        PlacementSolver.Solution s = solver().solve(request);
        return new PlacementDecision(s.best().placement(), NAME, s.explanation(), s.best().metrics(), null);
    }
}
