package dev.placement.core.orchestrator;

/** Where a {@link PlacementOrchestrator} is in its life. */
public enum OrchestratorState {
    /** Built, no pipeline launched yet. */
    NOT_STARTED,
    /** A pipeline runs and requests flow. */
    RUNNING,
    /** The pipeline is being restarted with a new placement; requests wait at the gate. */
    RECONFIGURING,
    /** Nothing runs: a launch and its rollback both failed, or the running pipeline died (a node it used is
     *  gone, or the launcher reports it dead). Requests wait at the gate and are rejected after their
     *  timeout; launches are attempted again (at once after a death, then with backoff). */
    DEGRADED,
    /** Closed; nothing runs and every request is rejected. */
    CLOSED
}
