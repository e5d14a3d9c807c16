package dev.placement.api;

/**
 * What a placement should optimise, and the bounds it must respect.
 *
 * <p>{@link Goal#BALANCED} weighs time to first token, inter-token latency and throughput together; its
 * exact definition lives with the scorer in {@code placement-core}. A bound that is {@code null} is absent.
 * A placement whose predicted metrics (means) break a bound is not eligible. The {@link Slo} is per request:
 * {@link Goal#GOODPUT} maximises the requests per second that meet it, and with any other goal it is what the
 * predicted goodput is reported against.
 *
 * <p>Whatever the goal, a placement must serve the offered load: one whose KV cache holds fewer of the
 * workload's concurrent sequences than another placement's is not eligible (see {@code PlacementSolver}).
 *
 * @param goal                     what to optimise
 * @param maxTtftMillis            upper bound on time to first token in ms, or {@code null}
 * @param maxItlMillis             upper bound on inter-token latency in ms, or {@code null}
 * @param minOutputTokensPerSecond lower bound on output throughput in tokens/s, or {@code null}
 * @param slo                      per-request service-level objectives; not null ({@link Slo#NONE} for none);
 *                                 {@link Goal#GOODPUT} needs at least one bound
 */
public record Objective(Goal goal, Double maxTtftMillis, Double maxItlMillis, Double minOutputTokensPerSecond,
        Slo slo) {

    /** What to optimise. */
    public enum Goal {
        /** Minimise inter-token latency (decode speed as a user feels it). */
        ITL,
        /** Minimise time to first token. */
        TTFT,
        /** Maximise output tokens per second over all requests. */
        THROUGHPUT,
        /** A weighted balance of the three. */
        BALANCED,
        /** Maximise requests per second that meet every bound of the objective's {@link Slo}, as vLLM counts them. */
        GOODPUT;

        /**
         * Reads the CLI spelling: {@code itl}, {@code ttft}, {@code throughput}, {@code balanced} or {@code goodput}.
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
                    + "'; valid objectives: itl, ttft, throughput, balanced, goodput");
        }

        /** @return the CLI spelling, lower case */
        public String cliName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Validates that the goal and SLO are set, every bound present is positive, and goodput has an SLO.
     *
     * @param goal                     what to optimise; not null
     * @param maxTtftMillis            upper bound on time to first token in ms, positive, or {@code null}
     * @param maxItlMillis             upper bound on inter-token latency in ms, positive, or {@code null}
     * @param minOutputTokensPerSecond lower bound on output throughput in tokens/s, positive, or {@code null}
     * @param slo                      per-request service-level objectives; not null ({@link Slo#NONE} for none);
     *                                 {@link Goal#GOODPUT} needs at least one bound
     */
    public Objective {
        Checks.notNull(goal, "objective.goal");
        Checks.notNull(slo, "objective.slo");
        if (goal == Goal.GOODPUT && slo.isNone()) {
            throw new IllegalArgumentException("objective goodput needs at least one SLO bound (ttft, itl, tpot or "
                    + "e2el)");
        }
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
     * An objective without per-request SLOs.
     *
     * @param goal                     what to optimise
     * @param maxTtftMillis            upper bound on mean TTFT in ms, or {@code null}
     * @param maxItlMillis             upper bound on mean ITL in ms, or {@code null}
     * @param minOutputTokensPerSecond lower bound on output throughput in tokens/s, or {@code null}
     * @throws IllegalArgumentException if the goal is {@link Goal#GOODPUT} (it needs an SLO) or a bound is not
     *                                  positive
     */
    public Objective(Goal goal, Double maxTtftMillis, Double maxItlMillis, Double minOutputTokensPerSecond) {
        this(goal, maxTtftMillis, maxItlMillis, minOutputTokensPerSecond, Slo.NONE);
    }

    /**
     * @param goal what to optimise; not {@link Goal#GOODPUT}
     * @return an objective with no bounds
     * @throws IllegalArgumentException for {@link Goal#GOODPUT}, which needs an SLO
     */
    public static Objective of(Goal goal) {
        return new Objective(goal, null, null, null);
    }

    /**
     * @param slo the per-request bounds; at least one
     * @return maximise goodput against {@code slo}, no other bounds
     */
    public static Objective maximizeGoodput(Slo slo) {
        return new Objective(Goal.GOODPUT, null, null, null, slo);
    }

    /**
     * @param slo the per-request bounds; not null
     * @return a copy with these SLOs
     * @throws IllegalArgumentException if the goal is goodput and {@code slo} has no bound
     */
    public Objective withSlo(Slo slo) {
        return new Objective(goal, maxTtftMillis, maxItlMillis, minOutputTokensPerSecond, slo);
    }

    /**
     * @param goal the goal; not null
     * @return a copy with this goal and the same bounds and SLOs
     */
    public Objective withGoal(Goal goal) {
        return new Objective(goal, maxTtftMillis, maxItlMillis, minOutputTokensPerSecond, slo);
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
        return new Objective(goal, millis, maxItlMillis, minOutputTokensPerSecond, slo);
    }

    /**
     * @param millis the bound in ms
     * @return a copy that also requires ITL &le; {@code millis}
     */
    public Objective withMaxItlMillis(double millis) {
        return new Objective(goal, maxTtftMillis, millis, minOutputTokensPerSecond, slo);
    }

    /**
     * @param tokensPerSecond the bound in tokens/s
     * @return a copy that also requires output throughput &ge; {@code tokensPerSecond}
     */
    public Objective withMinOutputTokensPerSecond(double tokensPerSecond) {
        return new Objective(goal, maxTtftMillis, maxItlMillis, tokensPerSecond, slo);
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
