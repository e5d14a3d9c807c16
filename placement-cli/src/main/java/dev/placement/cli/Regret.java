package dev.placement.cli;

import dev.placement.api.Objective;
import dev.placement.core.ObjectiveScore;
import dev.placement.core.Prediction;

/**
 * How much worse an agent's placement is than the solver's best on an objective, with the objective semantics
 * the solver, the guard and the orchestrator share ({@link ObjectiveScore#regret}), and why a placement is not
 * eligible, in words. Stateless.
 */
final class Regret {
    private Regret() {
    }

    /**
     * The regret of an agent's placement against the best, as a fraction (0.12 = 12% worse; 0 = as good).
     * Lower-is-better goals (ITL, TTFT, balanced) compare scores, {@code agent / best − 1}; throughput compares
     * tokens per second, {@code best / agent − 1}.
     *
     * @param objective the objective both were judged on
     * @param agent     the agent's placement as predicted on the scenario's request
     * @param best      the solver's best placement on the same request (it fits and meets the bounds)
     * @return the regret, {@link Double#POSITIVE_INFINITY} when the agent's placement is ineligible: it does not
     *         fit, its metrics break a bound of the objective, or it runs fewer of the workload's requests at once
     *         than the best ({@link ObjectiveScore#regret})
     */
    static double of(Objective objective, Prediction agent, Prediction best) {
        return ObjectiveScore.regret(objective, agent, best);
    }

    /**
     * Says why {@link #of} found a placement ineligible, for a person.
     *
     * @param objective the objective
     * @param agent     the agent's placement as predicted
     * @param best      the solver's best on the same request
     * @return the reason in plain words
     */
    static String whyIneligible(Objective objective, Prediction agent, Prediction best) {
        if (!agent.fits()) {
            return agent.placement().toSpec() + " does not fit: " + agent.infeasibleReason();
        }
        if (agent.servedSequences() < best.servedSequences()) {
            return agent.placement().toSpec() + " runs only " + agent.servedSequences() + " requests at once where "
                    + best.placement().toSpec() + " runs " + best.servedSequences()
                    + ": it does not serve the offered load";
        }
        return agent.placement().toSpec() + " is not eligible for the objective " + objective.goal().cliName()
                + ": its predicted metrics break one of its bounds";
    }
}
