package dev.placement.cli;

import dev.placement.api.AgentProposal;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
import java.util.List;
import java.util.Objects;

/**
 * Runs one agent on scenarios and compares each of its placements with the solver's best, solved once per
 * scenario on the same performance model. For an agent that proposes (an LLM behind the guard) the placement
 * judged is the proposal, whether or not the guard applied it: the comparison is of what the model said. A
 * scenario that fails becomes a row with the error; the others are not affected. Not thread-safe.
 */
final class Evaluation {

    /**
     * One scenario's result.
     *
     * @param scenario  the scenario's name
     * @param model     the model placed
     * @param placement the agent's placement, or null when it gave none (an LLM's invalid answer) or its
     *                  placement does not fit (an even split on too small a GPU)
     * @param predicted the agent's placement as predicted, or null when there is none
     * @param best      the solver's best placement as predicted, or null when the scenario failed
     * @param regret    {@link Regret#of}: a fraction, {@link Double#POSITIVE_INFINITY} when ineligible, NaN when
     *                  the scenario failed
     * @param reason    why the agent is ineligible or the scenario failed, or null
     * @param proposal  what an LLM proposed and what the guard did with it, or null for agents that do not propose
     * @param answers   the LLM's raw answers for this scenario, in order; empty for other agents
     */
    record Row(String scenario, String model, Placement placement, Prediction predicted, Prediction best,
            double regret, String reason, AgentProposal proposal, List<String> answers) {

        /** Copies the answers. */
        Row {
            Objects.requireNonNull(scenario, "scenario");
            answers = List.copyOf(answers);
        }

        /** @return whether the scenario could be evaluated (the agent's placement eligible or not) */
        boolean evaluated() {
            return best != null;
        }

        /** @return whether the agent's placement has a finite regret */
        boolean eligible() {
            return evaluated() && Double.isFinite(regret);
        }
    }

    private final PlacementAgent agent;
    private final PerformanceModel model;
    private final Objective objective;
    private final AnswerRecorder answers;

    /**
     * @param agent     the agent to judge
     * @param model     the performance model the solver and the judgement predict with (the agent's own)
     * @param objective what the placements are judged on
     * @param answers   where the LLM's raw answers are recorded (empty for other agents)
     */
    Evaluation(PlacementAgent agent, PerformanceModel model, Objective objective, AnswerRecorder answers) {
        this.agent = Objects.requireNonNull(agent, "agent");
        this.model = Objects.requireNonNull(model, "model");
        this.objective = Objects.requireNonNull(objective, "objective");
        this.answers = Objects.requireNonNull(answers, "answers");
    }

    /**
     * Solves the scenario, asks the agent and compares.
     *
     * @param scenario the scenario
     * @return its row; never throws for a problem of the scenario or the agent
     */
    Row evaluate(EvaluationScenario scenario) {
        String name = scenario.name();
        String modelName = scenario.model().name();
        PlacementRequest request;
        Prediction best;
        try {
            request = scenario.request(objective);
            best = new PlacementSolver(model).solve(request).best();
        } catch (InfeasiblePlacementException e) {
            return failed(name, modelName, "no placement fits: " + e.getMessage(), List.of());
        } catch (RuntimeException e) {
            return failed(name, modelName, "the solver failed: " + message(e), List.of());
        }
        answers.begin(name);
        PlacementDecision decision;
        try {
            decision = agent.decide(request);
        } catch (InfeasiblePlacementException e) {
            return new Row(name, modelName, null, null, best, Double.POSITIVE_INFINITY, e.getMessage(), null,
                    answers.answers(name));
        } catch (RuntimeException e) {
            return failed(name, modelName, "the agent failed: " + message(e), answers.answers(name));
        }
        AgentProposal proposal = decision.proposal();
        Placement placement = proposal != null ? proposal.placement() : decision.placement();
        List<String> said = answers.answers(name);
        if (placement == null) {
            return new Row(name, modelName, null, null, best, Double.POSITIVE_INFINITY,
                    "no valid placement was proposed: " + proposal.reason(), proposal, said);
        }
        Prediction predicted = model.predict(placement, request);
        double regret = Regret.of(objective, predicted, best);
        String reason = Double.isFinite(regret) ? null : Regret.whyIneligible(objective, predicted, best);
        return new Row(name, modelName, placement, predicted, best, regret, reason, proposal, said);
    }

    private static Row failed(String scenario, String model, String why, List<String> said) {
        return new Row(scenario, model, null, null, null, Double.NaN, why, null, said);
    }

    private static String message(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
