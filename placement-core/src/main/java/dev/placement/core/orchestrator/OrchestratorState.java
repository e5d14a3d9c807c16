package dev.placement.core.orchestrator;

/** Where a {@link PlacementOrchestrator} is in its life. */
public enum OrchestratorState {
    /** Built, no pipeline launched yet. */
    NOT_STARTED,
    /** A pipeline runs and requests flow. */
    RUNNING,
    /** The pipeline is being restarted with a new placement; requests wait at the gate. */
    RECONFIGURING,
    /** A reconfiguration and its rollback both failed: nothing runs; requests wait and are rejected;
     *  attempts repeat with backoff. */
    DEGRADED,
    /** Closed; nothing runs and every request is rejected. */
    CLOSED
}
