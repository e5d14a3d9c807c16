package dev.placement.core;

import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import java.time.Clock;
import java.util.Objects;

/**
 * The agent that decides with the {@link PlacementSolver}: the best placement for the objective under the
 * {@link PerformanceModel}, with the solver's explanation as its rationale. Name {@value #NAME}. Immutable and
 * thread-safe.
 */
public final class SolverAgent implements PlacementAgent {

    /** This agent's name. */
    public static final String NAME = "solver";

    private final PlacementSolver solver;
    private final Clock clock;

    /**
     * An agent that stamps decisions with the system UTC clock.
     *
     * @param model the performance model; not null
     */
    public SolverAgent(PerformanceModel model) {
        this(model, Clock.systemUTC());
    }

    /**
     * @param model the performance model; not null
     * @param clock stamps each decision's {@code decidedAt}; not null
     */
    public SolverAgent(PerformanceModel model, Clock clock) {
        this.solver = new PlacementSolver(model);
        this.clock = Objects.requireNonNull(clock, "clock");
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
        return new PlacementDecision(s.best().placement(), NAME, s.explanation(), s.best().metrics(), clock.instant(),
                null);
    }
}
