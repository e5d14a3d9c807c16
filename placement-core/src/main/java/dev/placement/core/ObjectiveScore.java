package dev.placement.core;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import java.util.Objects;

/**
 * Turns metrics into one number to minimise for an {@link Objective}. Stateless and thread-safe.
 *
 * <ul>
 *   <li>{@code ITL}: the inter-token latency in ms.</li>
 *   <li>{@code TTFT}: the time to first token in ms.</li>
 *   <li>{@code THROUGHPUT}: the output throughput in tokens/s, negated (so lower is better).</li>
 *   <li>{@code BALANCED}: the geometric mean of TTFT (ms), ITL (ms) and 1000 / output throughput (ms of
 *       cluster time per output token): {@code (ttft × itl × 1000/throughput)^(1/3)}. A geometric mean needs no
 *       reference: the ratio of two placements' scores is the geometric mean of their three metric ratios, so a
 *       10% gain in any one metric is worth the same as a 10% gain in any other.</li>
 * </ul>
 * A placement whose metrics break one of the objective's bounds scores {@link Double#POSITIVE_INFINITY}: it is
 * not eligible.
 */
public final class ObjectiveScore {

    private ObjectiveScore() {
    }

    /**
     * Scores metrics for an objective.
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
        return raw(objective.goal(), m.ttftMillis(), m.itlMillis(), m.outputTokensPerSecond());
    }

    static double raw(Objective.Goal goal, double ttft, double itl, double throughput) {
        return switch (goal) {
            case ITL -> itl;
            case TTFT -> ttft;
            case THROUGHPUT -> -throughput;
            case BALANCED -> throughput <= 0 ? Double.POSITIVE_INFINITY : Math.cbrt(ttft * itl * (1000.0 / throughput));
        };
    }

    static double score(Objective objective, double ttft, double itl, double throughput) {
        if ((objective.maxTtftMillis() != null && ttft > objective.maxTtftMillis())
                || (objective.maxItlMillis() != null && itl > objective.maxItlMillis())
                || (objective.minOutputTokensPerSecond() != null && throughput < objective.minOutputTokensPerSecond())) {
            return Double.POSITIVE_INFINITY;
        }
        return raw(objective.goal(), ttft, itl, throughput);
    }
}
