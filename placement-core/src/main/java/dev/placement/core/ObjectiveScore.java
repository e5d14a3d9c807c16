package dev.placement.core;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import java.util.Objects;

/**
 * Turns metrics into one number to minimise for an {@link Objective}, and compares placements the way the
 * solver, the guard, the evaluation and the orchestrator all do. Stateless and thread-safe.
 *
 * <ul>
 *   <li>{@code ITL}: the inter-token latency in ms.</li>
 *   <li>{@code TTFT}: the time to first token in ms.</li>
 *   <li>{@code THROUGHPUT}: the output throughput in tokens/s, negated (so lower is better).</li>
 *   <li>{@code BALANCED}: the geometric mean of TTFT (ms), ITL (ms) and 1000 / output throughput (ms of
 *       cluster time per output token): {@code (ttft × itl × 1000/throughput)^(1/3)}. A geometric mean needs no
 *       reference: the ratio of two placements' scores is the geometric mean of their three metric ratios, so a
 *       10% gain in any one metric is worth the same as a 10% gain in any other.</li>
 *   <li>{@code GOODPUT}: the requests per second that meet every bound of the objective's SLO, negated, from
 *       the predicted spread of single requests ({@link Prediction.Spread}).</li>
 * </ul>
 * A placement whose mean metrics break one of the objective's bounds scores {@link Double#POSITIVE_INFINITY}:
 * it is not eligible. Neither is one that serves fewer of the workload's concurrent requests than the placement
 * it is compared with ({@link #regret}): every objective serves the offered load first.
 */
public final class ObjectiveScore {

    private ObjectiveScore() {
    }

    /**
     * Scores metrics for an objective. Metrics alone carry no spread, so {@code GOODPUT} is judged from the
     * means: the output throughput when the mean TTFT, ITL and TPOT meet their SLO bounds (E2EL, which metrics
     * do not carry, is not checked), else not eligible. Prefer
     * {@link #score(Objective, Prediction)} where a prediction is at hand.
     *
     * @param objective the goal and bounds; not null
     * @param m         predicted or measured metrics; not null
     * @return the score, lower is better; {@link Double#POSITIVE_INFINITY} when a bound is broken
     */
    public static double score(Objective objective, PipelineMetrics m) {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(m, "metrics");
        if (!objective.admits(m)) {
            return Double.POSITIVE_INFINITY;
        }
        if (objective.goal() == Objective.Goal.GOODPUT) {
            return objective.slo().meets(m.ttftMillis(), m.itlMillis(), m.tpotMillis(), Double.NEGATIVE_INFINITY)
                    ? -m.outputTokensPerSecond() : Double.POSITIVE_INFINITY;
        }
        return raw(objective.goal(), m.ttftMillis(), m.itlMillis(), m.outputTokensPerSecond());
    }

    /**
     * Scores a prediction for an objective.
     *
     * @param objective  the goal, bounds and SLO; not null
     * @param prediction what the model predicts for a placement; not null
     * @return the score, lower is better; {@link Double#POSITIVE_INFINITY} when the placement does not fit or
     *         breaks a bound
     */
    public static double score(Objective objective, Prediction prediction) {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(prediction, "prediction");
        if (!prediction.fits()) {
            return Double.POSITIVE_INFINITY;
        }
        PipelineMetrics m = prediction.metrics();
        Prediction.Spread s = prediction.spread();
        double[] a = new double[PipelineCosts.RESULTS];
        a[PipelineCosts.TTFT] = m.ttftMillis();
        a[PipelineCosts.ITL] = m.itlMillis();
        a[PipelineCosts.TPOT] = m.tpotMillis();
        a[PipelineCosts.THROUGHPUT] = m.outputTokensPerSecond();
        a[PipelineCosts.FIRST_TTFT] = s.firstTtftMillis();
        a[PipelineCosts.TTFT_STEP] = s.ttftStepMillis();
        a[PipelineCosts.SEQUENCES] = s.sequences();
        a[PipelineCosts.DECODE] = s.decodeMillis();
        a[PipelineCosts.REQUESTS_PER_SECOND] = s.requestsPerSecond();
        return score(objective, a);
    }

    /**
     * How much worse a candidate placement is than a reference (the solver's best, say) on the objective, as a
     * fraction: 0.05 is 5% worse. For ITL, TTFT and balanced it is the ratio of scores minus one; for
     * throughput and goodput the reference's value over the candidate's, minus one. Negative when the candidate
     * is the better one.
     *
     * @param objective the goal, bounds and SLO; not null
     * @param candidate the placement judged; not null
     * @param reference what it is compared with; not null
     * @return the regret; {@link Double#POSITIVE_INFINITY} when the candidate is not eligible and the reference
     *         is: it does not fit, breaks a bound, has no goodput where the reference has some, or runs fewer of
     *         the workload's requests at once than the reference
     */
    public static double regret(Objective objective, Prediction candidate, Prediction reference) {
        double c = score(objective, candidate);
        double r = score(objective, reference);
        if (Double.isInfinite(c) || Double.isInfinite(r)) {
            return c == r ? 0 : Double.isInfinite(c) ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        if (candidate.servedSequences() != reference.servedSequences()) {
            return candidate.servedSequences() < reference.servedSequences() ? Double.POSITIVE_INFINITY
                    : Double.NEGATIVE_INFINITY;
        }
        return switch (objective.goal()) {
            case THROUGHPUT, GOODPUT -> c == 0 ? (r == 0 ? 0 : Double.POSITIVE_INFINITY) : r / c - 1;
            default -> r == 0 ? (c == 0 ? 0 : Double.POSITIVE_INFINITY) : c / r - 1;
        };
    }

    static double raw(Objective.Goal goal, double ttft, double itl, double throughput) {
        return switch (goal) {
            case ITL -> itl;
            case TTFT -> ttft;
            case THROUGHPUT, GOODPUT -> -throughput;
            case BALANCED -> throughput <= 0 ? Double.POSITIVE_INFINITY : Math.cbrt(ttft * itl * (1000.0 / throughput));
        };
    }

    /** The solver's path: scores the array {@link PipelineCosts#metrics} fills. */
    static double score(Objective objective, double[] m) {
        if ((objective.maxTtftMillis() != null && m[PipelineCosts.TTFT] > objective.maxTtftMillis())
                || (objective.maxItlMillis() != null && m[PipelineCosts.ITL] > objective.maxItlMillis())
                || (objective.minOutputTokensPerSecond() != null
                        && m[PipelineCosts.THROUGHPUT] < objective.minOutputTokensPerSecond())) {
            return Double.POSITIVE_INFINITY;
        }
        if (objective.goal() == Objective.Goal.GOODPUT) {
            return -Prediction.Spread.goodput(objective.slo(), m);
        }
        return raw(objective.goal(), m[PipelineCosts.TTFT], m[PipelineCosts.ITL], m[PipelineCosts.THROUGHPUT]);
    }
}
