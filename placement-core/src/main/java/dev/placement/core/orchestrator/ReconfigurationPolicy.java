package dev.placement.core.orchestrator;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.core.ObjectiveScore;
import dev.placement.core.PlacedReplicas;
import dev.placement.core.Prediction;
import dev.placement.core.ReplicaPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Whether a better-looking placement is worth a restart: not within the cooldown of the last
 * reconfiguration, and only if {@code horizon × relative improvement of the objective's score > expected
 * restart time × load}. A running placement that runs fewer of the workload's requests at once than the
 * proposal counts as a full improvement, as one that breaks a bound does. A pure function of its inputs, so it is
 * tested without a loop.
 */
final class ReconfigurationPolicy {
    private final Objective objective;
    private final Duration cooldown;
    private final Duration horizon;
    private final double load;

    ReconfigurationPolicy(Objective objective, Duration cooldown, Duration horizon, double load) {
        this.objective = objective;
        this.cooldown = cooldown;
        this.horizon = horizon;
        this.load = load;
    }

    ReconfigurationPolicy(LoopSettings settings) {
        this(settings.objective(), settings.cooldown(), settings.horizon(), settings.load());
    }

    /**
     * The verdict on one proposal.
     *
     * @param apply          whether to reconfigure
     * @param heldByCooldown whether it was held back by the cooldown only (ask again when it ends)
     * @param reason         why, in plain words
     */
    record Verdict(boolean apply, boolean heldByCooldown, String reason) {
    }

    /**
     * Judges replacing what runs by a proposal.
     *
     * @param now                when
     * @param lastReconfiguredAt the last reconfiguration, or null if none
     * @param restart            the restart time expected now
     * @param restartMeasured    whether that time was measured (else it is the default)
     * @param current            the running placement's predicted metrics on the current links
     * @param proposed           the proposal's predicted metrics on the same links
     * @return the verdict
     */
    Verdict judge(Instant now, Instant lastReconfiguredAt, Duration restart, boolean restartMeasured,
            PipelineMetrics current, PipelineMetrics proposed) {
        return judge(now, lastReconfiguredAt, restart, restartMeasured, new Estimate(current, null),
                new Estimate(proposed, null));
    }

    /**
     * Judges replacing what runs by a proposal, with whole predictions where the estimates carry them: then a
     * proposal that runs more of the workload's requests at once is worth everything (the running placement
     * does not serve the load), one that runs fewer is worth nothing, and goodput is judged with its spread.
     *
     * @param now                when
     * @param lastReconfiguredAt the last reconfiguration, or null if none
     * @param restart            the restart time expected now
     * @param restartMeasured    whether that time was measured (else it is the default)
     * @param currentEstimate    the running placement's estimate on the current links (with metrics)
     * @param proposedEstimate   the proposal's estimate on the same links (with metrics)
     * @return the verdict
     */
    Verdict judge(Instant now, Instant lastReconfiguredAt, Duration restart, boolean restartMeasured,
            Estimate currentEstimate, Estimate proposedEstimate) {
        PipelineMetrics current = currentEstimate.metrics();
        PipelineMetrics proposed = proposedEstimate.metrics();
        return weigh(now, lastReconfiguredAt, restart, restartMeasured, 1.0,
                relativeImprovement(currentEstimate, proposedEstimate), () -> compare(current, proposed));
    }

    /**
     * Judges a rolling change of replicas: while one restarts the others serve, so the cost is the restart time ×
     * load × the share of the cluster's capacity that restarts.
     *
     * @param now                when
     * @param lastReconfiguredAt the last reconfiguration, or null if none
     * @param restart            the restart time of one replica expected now
     * @param restartMeasured    whether that time was measured
     * @param current            what the running replicas do on today's links (the planner's load model)
     * @param proposed           what the plan's replicas do
     * @param restartedShare     the share of today's capacity (0 to 1) that the change restarts
     * @return the verdict
     */
    Verdict judgeReplicas(Instant now, Instant lastReconfiguredAt, Duration restart, boolean restartMeasured,
            ReplicaPlan current, ReplicaPlan proposed, double restartedShare) {
        double improvement;
        if (current.totals().servedSequences() != proposed.totals().servedSequences()) {
            improvement = current.totals().servedSequences() < proposed.totals().servedSequences() ? 1.0 : 0.0;
        } else {
            improvement = relative(PlacedReplicas.score(objective, current), PlacedReplicas.score(objective, proposed));
        }
        return weigh(now, lastReconfiguredAt, restart, restartMeasured, restartedShare, improvement,
                () -> compare(totals(current.totals()), totals(proposed.totals())) + " over the cluster");
    }

    private Verdict weigh(Instant now, Instant lastReconfiguredAt, Duration restart, boolean restartMeasured,
            double restartedShare, double improvement, Supplier<String> compared) {
        if (lastReconfiguredAt != null && !Durations.elapsed(lastReconfiguredAt, now, cooldown)) {
            Duration left = Duration.between(now, lastReconfiguredAt.plus(cooldown));
            return new Verdict(false, true, "cooldown: the last reconfiguration was "
                    + Durations.describe(Duration.between(lastReconfiguredAt, now)) + " ago; "
                    + Durations.describe(left) + " of the " + Durations.describe(cooldown) + " cooldown remain");
        }
        double gainSeconds = Durations.seconds(horizon) * improvement;
        double costSeconds = Durations.seconds(restart) * load * restartedShare;
        if (gainSeconds <= costSeconds) {
            return new Verdict(false, false, String.format(Locale.ROOT, "gain too small: %s; %.1f%% better over the %s"
                    + " horizon is worth %.0f s, less than the restart cost of %.0f s (%s restart%s)",
                    compared.get(), improvement * 100, Durations.describe(horizon), gainSeconds,
                    costSeconds, Durations.describe(restart), restartMeasured ? ", measured" : ", default"));
        }
        return new Verdict(true, false, String.format(Locale.ROOT, "%s; %.1f%% better over the %s horizon is worth"
                + " %.0f s, more than the restart cost of %.0f s", compared.get(), improvement * 100,
                Durations.describe(horizon), gainSeconds, costSeconds));
    }

    /** Cluster totals as pipeline metrics, for {@link #compare}. */
    private static PipelineMetrics totals(ReplicaPlan.Totals t) {
        return new PipelineMetrics(t.meanTtftMillis(), t.meanItlMillis(), t.meanItlMillis(), t.outputTokensPerSecond(),
                PipelineMetrics.Source.PREDICTED);
    }

    private double relativeImprovement(Estimate current, Estimate proposed) {
        Prediction a = current.prediction();
        Prediction b = proposed.prediction();
        if (a != null && b != null && a.servedSequences() != b.servedSequences()) {
            return a.servedSequences() < b.servedSequences() ? 1.0 : 0.0;
        }
        double cur = a != null && b != null ? ObjectiveScore.score(objective, a)
                : ObjectiveScore.score(objective, current.metrics());
        double next = a != null && b != null ? ObjectiveScore.score(objective, b)
                : ObjectiveScore.score(objective, proposed.metrics());
        return relative(cur, next);
    }

    /** How much lower (better) {@code next} scores than {@code cur}, relative to {@code cur}; 0 to 1 when bounds. */
    private static double relative(double cur, double next) {
        if (Double.isInfinite(cur) && !Double.isInfinite(next)) {
            return 1.0; // the running placement breaks a bound the proposed one meets
        }
        if (Double.isInfinite(next) || Double.isNaN(cur) || Double.isNaN(next) || Double.isInfinite(cur)) {
            return 0.0;
        }
        return (cur - next) / Math.max(Math.abs(cur), 1e-9);
    }

    private String compare(PipelineMetrics a, PipelineMetrics b) {
        return switch (objective.goal()) {
            case ITL -> String.format(Locale.ROOT, "predicted ITL %.1f → %.1f ms", a.itlMillis(), b.itlMillis());
            case TTFT -> String.format(Locale.ROOT, "predicted TTFT %.0f → %.0f ms", a.ttftMillis(), b.ttftMillis());
            case THROUGHPUT -> String.format(Locale.ROOT, "predicted throughput %.1f → %.1f tok/s",
                    a.outputTokensPerSecond(), b.outputTokensPerSecond());
            case GOODPUT -> String.format(Locale.ROOT, "predicted throughput %.1f → %.1f tok/s, TTFT %.0f → %.0f ms"
                    + " (goodput against %s)", a.outputTokensPerSecond(), b.outputTokensPerSecond(), a.ttftMillis(),
                    b.ttftMillis(), objective.slo().toSpec());
            case BALANCED -> String.format(Locale.ROOT, "predicted ITL %.1f → %.1f ms, TTFT %.0f → %.0f ms, "
                    + "throughput %.1f → %.1f tok/s", a.itlMillis(), b.itlMillis(), a.ttftMillis(), b.ttftMillis(),
                    a.outputTokensPerSecond(), b.outputTokensPerSecond());
        };
    }
}
