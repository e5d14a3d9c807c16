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
 * through the transitions below. Guarded by the orchestrator's tick lock; {@link #view()} (and through it
 * {@link #state()} and {@link #running()}) is also read without it, so what any thread may read is one volatile
 * value, replaced whole by each transition: a reader never sees half of one.
 */
final class LoopState {
    /**
     * What may be read off the tick lock, as one value.
     *
     * @param state           the state
     * @param replicas        what runs: one pipeline, or several replicas; empty while nothing does
     * @param degradedBecause why nothing runs while degraded, or null
     * @param lastDecision    the last decision journaled by this orchestrator, or null
     */
    record View(OrchestratorState state, List<RunningPipeline> replicas, String degradedBecause,
            DecisionJournal.Entry lastDecision) {
        View {
            replicas = List.copyOf(replicas);
        }

        /** @return the pipeline that runs (the first replica), or null */
        RunningPipeline running() {
            return replicas.isEmpty() ? null : replicas.get(0);
        }
    }

    private volatile View view = new View(OrchestratorState.NOT_STARTED, List.of(), null, null);

    /** The last decision: when, over which nodes and links; what the trigger rules compare with. */
    private Instant lastDecisionAt;
    private Set<String> lastDecisionNodes = Set.of();
    private ConnectivityMap lastDecisionConnectivity;
    private Workload lastDecisionWorkload;

    private Instant lastReconfiguredAt;
    /** A better placement was held back by the cooldown: ask again once it ends. */
    private boolean heldByCooldown;

    private Instant nextLaunchAttemptAt;
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

    View view() {
        return view;
    }

    OrchestratorState state() {
        return view.state();
    }

    RunningPipeline running() {
        return view.running();
    }

    /** @return every pipeline that runs (one, or the replicas), in the order they started */
    List<RunningPipeline> replicas() {
        return view.replicas();
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
        return view.degradedBecause();
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
        View v = view;
        view = new View(OrchestratorState.RECONFIGURING, v.replicas(), v.degradedBecause(), v.lastDecision());
    }

    /** A switch was given up before what ran was stopped: it still runs, and the switch is retried. */
    void switchAbandoned() {
        View v = view;
        view = new View(OrchestratorState.RUNNING, v.replicas(), v.degradedBecause(), v.lastDecision());
        switchAbandoned = true;
    }

    /** @return whether the last switch was given up (and no decision was made since) */
    boolean switchAbandonedSinceDecision() {
        return switchAbandoned;
    }

    void stopped() {
        View v = view;
        view = new View(v.state(), List.of(), v.degradedBecause(), v.lastDecision());
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
        lastReconfiguredAt = at;
        heldByCooldown = false;
        view = new View(OrchestratorState.RUNNING, List.of(pipeline), null, view.lastDecision());
    }

    /**
     * The replicas that run after a rolling reconfiguration: the state is RUNNING again, the cooldown starts if
     * anything changed, and the longest restart of one replica, if any was launched, is learnt.
     *
     * @param now     the replicas that run, in the order they started; not empty
     * @param changed whether a replica was started or stopped
     * @param restart the longest restart of one replica the change took, or null if it launched none
     */
    void replicasRolled(List<RunningPipeline> now, Instant at, boolean changed, Duration restart) {
        if (restart != null) {
            restartTimes.record(restart);
            launchBackoff.reset();
        }
        if (changed) {
            lastReconfiguredAt = at;
            heldByCooldown = false;
        }
        view = new View(OrchestratorState.RUNNING, now, null, view.lastDecision());
    }

    /** The replicas that run now, some having stopped or died, or one more started; the state is unchanged. */
    void replicasNow(List<RunningPipeline> now) {
        View v = view;
        view = new View(v.state(), now, v.degradedBecause(), v.lastDecision());
    }

    /** Nothing runs after a failed launch {@code because}; @return how long until the next attempt */
    Duration degraded(Instant at, String because) {
        Duration wait = launchBackoff.next();
        nextLaunchAttemptAt = at.plus(wait);
        view = new View(OrchestratorState.DEGRADED, List.of(), because, view.lastDecision());
        return wait;
    }

    /** What ran is dead {@code because}: nothing runs, and a launch may be attempted at once. */
    void died(Instant at, String because) {
        nextLaunchAttemptAt = at;
        view = new View(OrchestratorState.DEGRADED, List.of(), because, view.lastDecision());
    }

    void closed(boolean pipelineStopped) {
        View v = view;
        view = new View(OrchestratorState.CLOSED, pipelineStopped ? List.of() : v.replicas(), v.degradedBecause(),
                v.lastDecision());
    }

    /** A decision was journaled: the health view's last decision. */
    void decisionRecorded(DecisionJournal.Entry entry) {
        View v = view;
        view = new View(v.state(), v.replicas(), v.degradedBecause(), entry);
    }

    /**
     * A decision left a pipeline running: its next metrics are the decision's outcome, and (if {@code learn})
     * the steady window after it is a run to learn from.
     */
    void awaitMeasurement(long decisionId, boolean learn) {
        pendingMeasurementFor = decisionId;
        if (learn) {
            window.open(view.running());
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
