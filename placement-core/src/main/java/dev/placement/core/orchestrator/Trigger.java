package dev.placement.core.orchestrator;

/** Why the orchestrator asked its agent for a placement on a tick; the agent is not asked without one. */
public enum Trigger {
    /** Nothing runs yet: the first placement. */
    FIRST_START,
    /** A node appeared in the inventory (or became reachable again). */
    NODE_JOINED,
    /** A node left the inventory or became unreachable. */
    NODE_LEFT,
    /** A link's smoothed RTT moved beyond both the relative and the absolute threshold since the last decision. */
    LINK_CHANGED,
    /**
     * The observed workload (prompt or answer length, or requests in flight; smoothed) moved beyond the
     * threshold since the last decision. Only when no workload is pinned.
     */
    WORKLOAD_CHANGED,
    /** The loop's calibrated model changed after learning from a measured run: what runs may no longer be best. */
    MODEL_CALIBRATED,
    /** The running pipeline's measured metrics break a bound of the objective. */
    BOUND_BREACHED,
    /** The maximum interval between decisions passed. */
    MAX_INTERVAL,
    /** A better placement was held back by the cooldown, which has now passed. */
    COOLDOWN_ENDED,
    /** One of several replicas died (its node left, or the launcher reports it gone); the others serve on. */
    REPLICA_DIED,
    /**
     * The orchestrator is degraded (nothing runs), or its last switch was given up because what ran could not be
     * stopped, and the backoff before the next attempt passed.
     */
    RETRY
}
