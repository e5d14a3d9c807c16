package dev.placement.core.orchestrator;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What one {@link PlacementOrchestrator#runOnce()} observed, decided and did: the value tests and the demo
 * read.
 *
 * @param at                when the tick ran, by the orchestrator's clock
 * @param cluster           the reachable nodes seen
 * @param connectivity      the smoothed connectivity map the decision (if any) was based on
 * @param triggers          why the agent was asked; empty if it was not
 * @param decision          the agent's answer, or {@code null} if it was not asked or failed
 * @param action            what the tick did
 * @param reason            why, in plain words
 * @param running           the placement running after the tick, or {@code null} if none
 * @param runningPredicted  the performance model's prediction for the running placement on the current
 *                          links, or {@code null} if none runs or it is infeasible
 * @param measured          metrics measured on the running pipeline this tick, or {@code null}
 * @param state             the orchestrator's state after the tick
 */
public record TickOutcome(
        Instant at,
        ClusterSnapshot cluster,
        ConnectivityMap connectivity,
        Set<Trigger> triggers,
        PlacementDecision decision,
        Action action,
        String reason,
        Placement running,
        PipelineMetrics runningPredicted,
        PipelineMetrics measured,
        OrchestratorState state) {

    /** What a tick did. */
    public enum Action {
        /** No trigger: the agent was not asked and nothing changed. */
        NOTHING_CHANGED,
        /** The agent was asked and chose the running placement. */
        KEPT,
        /** The agent chose another placement, but it was not applied (cooldown or too little gain). */
        SKIPPED,
        /** A new placement was launched and runs. */
        RECONFIGURED,
        /** A new placement failed to launch; the previous one runs again. */
        ROLLED_BACK,
        /** Nothing could be launched; nothing runs. */
        DEGRADED,
        /** The agent found no feasible placement on the nodes and links seen. */
        NO_FEASIBLE_PLACEMENT,
        /** Observing or deciding failed; see the reason. */
        FAILED
    }

    /**
     * Validates and copies.
     *
     * @param at               when the tick ran; not null
     * @param cluster          the reachable nodes seen; not null
     * @param connectivity     the smoothed connectivity map; not null
     * @param triggers         why the agent was asked; not null, no null element; copied
     * @param decision         the agent's answer, or {@code null} if it was not asked or failed
     * @param action           what the tick did; not null
     * @param reason           why, in plain words; not null
     * @param running          the placement running after the tick, or {@code null} if none
     * @param runningPredicted the predicted metrics of the running placement, or {@code null}
     * @param measured         the metrics measured this tick, or {@code null}
     * @param state            the orchestrator's state after the tick; not null
     */
    public TickOutcome {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(connectivity, "connectivity");
        triggers = Set.copyOf(triggers);
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(state, "state");
    }

    /** @return whether this tick launched a different placement that now runs */
    public boolean reconfigured() {
        return action == Action.RECONFIGURED;
    }
}
