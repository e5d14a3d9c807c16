package dev.placement.cli;

import dev.placement.api.Objective;
import dev.placement.core.ObjectiveScore;
import dev.placement.core.Prediction;

/**
 * How much worse an agent's placement is than the solver's best on an objective: the one place
 * {@code placement evaluate} computes it, so that a definition of the objective's semantics in core can replace
 * {@link #of}'s body without touching anything else. Stateless.
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
     *         fit, or its metrics break a bound of the objective
     */
    static double of(Objective objective, Prediction agent, Prediction best) {
        if (!agent.fits()) {
            return Double.POSITIVE_INFINITY;
        }
        double a = ObjectiveScore.score(objective, agent.metrics());
        double b = ObjectiveScore.score(objective, best.metrics());
        if (a == Double.POSITIVE_INFINITY) {
            return Double.POSITIVE_INFINITY;
        }
        // Throughput scores are negated tokens per second, so b / a is best's throughput over the agent's.
        double ratio = objective.goal() == Objective.Goal.THROUGHPUT ? b / a : a / b;
        return Double.isNaN(ratio) ? 0 : ratio - 1;
    }

    /**
     * Says why {@link #of} found a placement ineligible, for a person.
     *
     * @param objective the objective
     * @param agent     the agent's placement as predicted
     * @return the reason in plain words
     */
    static String whyIneligible(Objective objective, Prediction agent) {
        if (!agent.fits()) {
            return agent.placement().toSpec() + " does not fit: " + agent.infeasibleReason();
        }
        return agent.placement().toSpec() + " is not eligible for the objective " + objective.goal().cliName()
                + ": its predicted metrics break one of its bounds";
    }
}
