package dev.placement.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A placement that ran, what was measured while it ran, and the links at the time: one few-shot example for
 * the LLM's prompt (the research's proposed next step).
 *
 * @param placement    the placement that ran; not null
 * @param measured     the metrics measured while it ran; not null
 * @param connectivity the links measured at the time, or {@code null} if not recorded
 * @param observedAt   when the metrics were measured, or {@code null} if not recorded
 */
public record PlacementOutcome(Placement placement, PipelineMetrics measured, ConnectivityMap connectivity,
        Instant observedAt) {

    /**
     * Validates that the placement and metrics are given.
     *
     * @param placement    the placement that ran; not null
     * @param measured     the metrics measured while it ran; not null
     * @param connectivity the links measured at the time, or {@code null} if not recorded
     * @param observedAt   when the metrics were measured, or {@code null} if not recorded
     */
    public PlacementOutcome {
        Objects.requireNonNull(placement, "outcome.placement must not be null");
        Objects.requireNonNull(measured, "outcome.measured must not be null");
    }
}
