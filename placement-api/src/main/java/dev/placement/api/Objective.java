package dev.placement.api;

/**
 * What a placement should optimise, and the bounds it must respect.
 *
 * <p>{@link Goal#BALANCED} weighs time to first token, inter-token latency and throughput together; its
 * exact definition lives with the scorer in {@code placement-core}. A bound that is {@code null} is absent.
 * A placement whose predicted metrics break a bound is not eligible.
 *
 * @param goal                     what to optimise
 * @param maxTtftMillis            upper bound on time to first token in ms, or {@code null}
 * @param maxItlMillis             upper bound on inter-token latency in ms, or {@code null}
 * @param minOutputTokensPerSecond lower bound on output throughput in tokens/s, or {@code null}
 */
public record Objective(Goal goal, Double maxTtftMillis, Double maxItlMillis, Double minOutputTokensPerSecond) {

    /** What to optimise. */
    public enum Goal {
        /** Minimise inter-token latency (decode speed as a user feels it). */
        ITL,
        /** Minimise time to first token. */
        TTFT,
        /** Maximise output tokens per second over all requests. */
        THROUGHPUT,
        /** A weighted balance of the three. */
        BALANCED;

        /**
         * Reads the CLI spelling: {@code itl}, {@code ttft}, {@code throughput} or {@code balanced}.
         *
         * @param text the spelling, case-insensitive
         * @return the goal
         * @throws IllegalArgumentException listing the valid spellings
         */
        public static Goal parse(String text) {
            for (Goal g : values()) {
                if (g.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                    return g;
                }
            }
            throw new IllegalArgumentException("unknown objective '" + text
                    + "'; valid objectives: itl, ttft, throughput, balanced");
        }

        /** @return the CLI spelling, lower case */
        public String cliName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates that the goal is set and every bound present is positive. */
    public Objective {
        Checks.notNull(goal, "objective.goal");
        if (maxTtftMillis != null) {
            Checks.positive(maxTtftMillis, "objective.maxTtftMillis");
        }
        if (maxItlMillis != null) {
            Checks.positive(maxItlMillis, "objective.maxItlMillis");
        }
        if (minOutputTokensPerSecond != null) {
            Checks.positive(minOutputTokensPerSecond, "objective.minOutputTokensPerSecond");
        }
    }

    /**
     * @param goal what to optimise
     * @return an objective with no bounds
     */
    public static Objective of(Goal goal) {
        return new Objective(goal, null, null, null);
    }

    /** @return minimise inter-token latency, no bounds */
    public static Objective minimizeItl() {
        return of(Goal.ITL);
    }

    /** @return minimise time to first token, no bounds */
    public static Objective minimizeTtft() {
        return of(Goal.TTFT);
    }

    /** @return maximise output throughput, no bounds */
    public static Objective maximizeThroughput() {
        return of(Goal.THROUGHPUT);
    }

    /** @return the balanced objective, no bounds */
    public static Objective balanced() {
        return of(Goal.BALANCED);
    }

    /**
     * @param millis the bound in ms
     * @return a copy that also requires TTFT &le; {@code millis}
     */
    public Objective withMaxTtftMillis(double millis) {
        return new Objective(goal, millis, maxItlMillis, minOutputTokensPerSecond);
    }

    /**
     * @param millis the bound in ms
     * @return a copy that also requires ITL &le; {@code millis}
     */
    public Objective withMaxItlMillis(double millis) {
        return new Objective(goal, maxTtftMillis, millis, minOutputTokensPerSecond);
    }

    /**
     * @param tokensPerSecond the bound in tokens/s
     * @return a copy that also requires output throughput &ge; {@code tokensPerSecond}
     */
    public Objective withMinOutputTokensPerSecond(double tokensPerSecond) {
        return new Objective(goal, maxTtftMillis, maxItlMillis, tokensPerSecond);
    }

    /**
     * @param metrics predicted or measured metrics
     * @return whether they respect every bound of this objective
     */
    public boolean admits(PipelineMetrics metrics) {
        return (maxTtftMillis == null || metrics.ttftMillis() <= maxTtftMillis)
                && (maxItlMillis == null || metrics.itlMillis() <= maxItlMillis)
                && (minOutputTokensPerSecond == null || metrics.outputTokensPerSecond() >= minOutputTokensPerSecond);
    }
}
