package dev.placement.core.orchestrator;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Everything a {@link PlacementOrchestrator}'s loop remembers between ticks, in one place, changed only
 * through the transitions below. Guarded by the orchestrator's tick lock; {@link #state()} and
 * {@link #running()} are also read without it, so they are volatile.
 */
final class LoopState {
    private volatile OrchestratorState state = OrchestratorState.NOT_STARTED;
    private volatile RunningPipeline running;

    /** The last decision: when, over which nodes and links; what the trigger rules compare with. */
    private Instant lastDecisionAt;
    private Set<String> lastDecisionNodes = Set.of();
    private ConnectivityMap lastDecisionConnectivity;
    private Workload lastDecisionWorkload;

    private Instant lastReconfiguredAt;
    /** A better placement was held back by the cooldown: ask again once it ends. */
    private boolean heldByCooldown;

    private Instant nextLaunchAttemptAt;
    /** Why nothing runs while degraded: the failed launch, or the pipeline that died. */
    private String degradedBecause;
    private final Backoff launchBackoff;
    private Instant decideNotBefore;
    private String decideFailure;
    private final Backoff decideBackoff;

    /** The decision whose first measurement is still to be journaled, or -1. */
    private long pendingMeasurementFor = -1;
    private ClusterSnapshot lastCluster = new ClusterSnapshot(List.of());
    private ConnectivityMap lastConnectivity = ConnectivityMap.builder().build();
    private final RestartTimes restartTimes;
    private final SteadyWindow window;
    /** A calibration changed the model since the last decision: what runs may no longer be best. */
    private boolean recalibrated;

    LoopState(LoopSettings settings) {
        this.window = new SteadyWindow(settings.calibrationWarmupSamples(), settings.calibrationSamples());
        this.launchBackoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        this.decideBackoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        this.restartTimes = new RestartTimes(settings.defaultRestartTime());
    }

    OrchestratorState state() {
        return state;
    }

    RunningPipeline running() {
        return running;
    }

    Instant lastDecisionAt() {
        return lastDecisionAt;
    }

    Set<String> lastDecisionNodes() {
        return lastDecisionNodes;
    }

    ConnectivityMap lastDecisionConnectivity() {
        return lastDecisionConnectivity;
    }

    /** @return the workload the last decision was made for, or null before the first */
    Workload lastDecisionWorkload() {
        return lastDecisionWorkload;
    }

    Instant lastReconfiguredAt() {
        return lastReconfiguredAt;
    }

    boolean heldByCooldown() {
        return heldByCooldown;
    }

    Instant nextLaunchAttemptAt() {
        return nextLaunchAttemptAt;
    }

    /** @return why nothing runs while degraded, or null when not degraded */
    String degradedBecause() {
        return degradedBecause;
    }

    RestartTimes restartTimes() {
        return restartTimes;
    }

    SteadyWindow window() {
        return window;
    }

    boolean recalibratedSinceDecision() {
        return recalibrated;
    }

    ClusterSnapshot lastCluster() {
        return lastCluster;
    }

    ConnectivityMap lastConnectivity() {
        return lastConnectivity;
    }

    // ------------------------------------------------------------------------------------------ transitions

    void observed(ClusterSnapshot cluster, ConnectivityMap connectivity) {
        lastCluster = cluster;
        lastConnectivity = connectivity;
    }

    /** The agent was asked (and answered or found nothing feasible) for this request. */
    void decided(Instant at, PlacementRequest request) {
        lastDecisionAt = at;
        lastDecisionNodes = Set.copyOf(request.cluster().nodeIds());
        lastDecisionConnectivity = request.connectivity();
        lastDecisionWorkload = request.workload();
        recalibrated = false;
        heldByCooldown = false;
        switchAbandoned = false;
    }

    /** Asking the agent failed: do not ask again before the backoff passes. */
    void decidingFailed(Instant at, String failure) {
        decideFailure = failure;
        decideNotBefore = at.plus(decideBackoff.next());
    }

    void decidingSucceeded() {
        decideNotBefore = null;
        decideBackoff.reset();
    }

    /** @return why the agent is not asked now (a recent failure and its backoff), or null if it may be */
    String decidingHeldBack(Instant now) {
        return decideNotBefore != null && now.isBefore(decideNotBefore)
                ? decideFailure + "; asking the agent again at " + decideNotBefore : null;
    }

    private boolean switchAbandoned;

    void heldBack(boolean byCooldown) {
        heldByCooldown = byCooldown;
    }

    void reconfiguring() {
        state = OrchestratorState.RECONFIGURING;
    }

    /** A switch was given up before what ran was stopped: it still runs, and the switch is retried. */
    void switchAbandoned() {
        state = OrchestratorState.RUNNING;
        switchAbandoned = true;
    }

    /** @return whether the last switch was given up (and no decision was made since) */
    boolean switchAbandonedSinceDecision() {
        return switchAbandoned;
    }

    void stopped() {
        running = null;
    }

    /** A new placement runs after a restart that took {@code restart}. */
    void launched(RunningPipeline pipeline, Instant at, Duration restart) {
        restartTimes.record(restart);
        launchBackoff.reset();
        runs(pipeline, at);
    }

    /** The previous placement runs again after a failed launch. */
    void rolledBack(RunningPipeline pipeline, Instant at) {
        runs(pipeline, at);
    }

    private void runs(RunningPipeline pipeline, Instant at) {
        running = pipeline;
        lastReconfiguredAt = at;
        heldByCooldown = false;
        degradedBecause = null;
        state = OrchestratorState.RUNNING;
    }

    /** Nothing runs after a failed launch {@code because}; @return how long until the next attempt */
    Duration degraded(Instant at, String because) {
        Duration wait = launchBackoff.next();
        nextLaunchAttemptAt = at.plus(wait);
        running = null;
        degradedBecause = because;
        state = OrchestratorState.DEGRADED;
        return wait;
    }

    /** What ran is dead {@code because}: nothing runs, and a launch may be attempted at once. */
    void died(Instant at, String because) {
        nextLaunchAttemptAt = at;
        running = null;
        degradedBecause = because;
        state = OrchestratorState.DEGRADED;
    }

    void closed(boolean pipelineStopped) {
        if (pipelineStopped) {
            running = null;
        }
        state = OrchestratorState.CLOSED;
    }

    /**
     * A decision left a pipeline running: its next metrics are the decision's outcome, and (if {@code learn})
     * the steady window after it is a run to learn from.
     */
    void awaitMeasurement(long decisionId, boolean learn) {
        pendingMeasurementFor = decisionId;
        if (learn) {
            window.open(running);
        }
    }

    void recalibrated() {
        recalibrated = true;
    }

    /** @return the decision waiting for its first measurement (and forgets it), or -1 */
    long takePendingMeasurement() {
        long id = pendingMeasurementFor;
        pendingMeasurementFor = -1;
        return id;
    }
}
