package dev.placement.core.orchestrator;

import dev.placement.api.ClusterInventory;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.LatencyProbe;
import dev.placement.api.MetricsSource;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import dev.placement.core.ObjectiveScore;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pipeline's layer placement right for the network it runs on: observe → decide → reconfigure, in a
 * loop.
 *
 * <p><b>Observe</b> (every tick): the inventory's nodes, minus those the probe found unreachable; the probe's
 * RTTs, smoothed per link by the median of the last {@link Builder#smoothingWindow(int) few} samples (so a
 * spike changes nothing); and, if a {@link MetricsSource} is given, the running pipeline's measured metrics.
 *
 * <p><b>Decide</b> only when something matters — the agent (perhaps an LLM) is expensive and is not asked
 * every tick: nothing runs yet; a node joined or left; a link's smoothed RTT moved beyond both the relative
 * and the absolute threshold since the last decision; measured metrics break the objective's bounds; the
 * maximum interval passed; or a better placement held back by the cooldown may now be applied. Each reason
 * is a {@link Trigger}.
 *
 * <p><b>Reconfigure</b> only when the chosen placement differs from the running one, the cooldown since the
 * last reconfiguration passed, and the predicted gain over the {@link Builder#horizon(Duration) horizon}
 * outweighs the cost of a restart: {@code horizon × relative improvement of the objective's score >
 * restart time × load}, where the restart time is the median of the last measured restarts (the
 * {@link Builder#defaultRestartTime(Duration) default} until one is measured). A running placement that is
 * no longer feasible (a node it uses is gone, or one of its links is unknown) is replaced at once.
 * The protocol: pause the {@link RequestGate}, wait for in-flight requests (bounded), stop, launch (which
 * returns once healthy), resume. If the launch fails the previous placement is launched again; if that fails
 * too the orchestrator is {@link OrchestratorState#DEGRADED}: the gate stays paused (callers are rejected
 * after their timeout) and it retries with exponential backoff.
 *
 * <p>Until the first pipeline is healthy the gate is paused, so requests sent before then wait (bounded) like
 * requests sent during a reconfiguration.
 *
 * <p>Every decision goes to the {@link DecisionJournal}, followed by the first metrics measured after it;
 * listeners receive {@link OrchestratorEvent}s on the
 * ticking thread (keep them quick; an exception in one is logged and ignored).
 *
 * <p>Thread-safe. Ticks never overlap, so two reconfigurations never run at once: {@link #runOnce()} called
 * while the scheduled loop ticks waits for it. Time comes only from the injected {@link Clock}, so tests and
 * simulations run hours of loop in milliseconds.
 */
public final class PlacementOrchestrator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    private final ClusterInventory inventory;
    private final LatencyProbe probe;
    private final PlacementAgent agent;
    private final PipelineLauncher launcher;
    private final MetricsSource metricsSource;
    private final Objective objective;
    private final Workload workload;
    private final ModelSpec model;
    private final int maxModelLen;
    private final String firstNodeId;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Predictor predictor;
    private final DecisionJournal journal;
    private final List<Consumer<? super OrchestratorEvent>> listeners;
    private final Duration tickInterval;
    private final double relativeRttThreshold;
    private final double absoluteRttThresholdMillis;
    private final Duration cooldown;
    private final Duration horizon;
    private final Duration maxInterval;
    private final double load;
    private final Duration drainTimeout;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final boolean stopOnClose;

    private final RequestGate gate = new RequestGate();
    private final ReentrantLock tickLock = new ReentrantLock();
    private final ConnectivitySmoother smoother;
    private final RestartTimes restartTimes;

    // Loop state, guarded by tickLock; volatile where read by the accessors without it.
    private volatile OrchestratorState state = OrchestratorState.NOT_STARTED;
    private volatile RunningPipeline running;
    private volatile boolean closed;
    private ScheduledFuture<?> scheduled;
    private Instant lastDecisionAt;
    private Set<String> lastDecisionNodes = Set.of();
    private ConnectivityMap lastDecisionConnectivity;
    private Instant lastReconfiguredAt;
    private boolean heldByCooldown;
    private Instant nextAttemptAt;
    private Duration backoff;
    private Instant decideNotBefore;
    private String decideFailure;
    private Duration decideBackoff;
    private long pendingMeasurementFor = -1;
    private ClusterSnapshot lastCluster = new ClusterSnapshot(List.of());
    private ConnectivityMap lastConnectivity = ConnectivityMap.builder().build();

    private PlacementOrchestrator(Builder b) {
        this.inventory = b.inventory;
        this.probe = b.probe;
        this.agent = b.agent;
        this.launcher = b.launcher;
        this.metricsSource = b.metricsSource;
        this.objective = b.objective;
        this.workload = b.workload;
        this.model = b.model;
        this.maxModelLen = b.maxModelLen != null ? b.maxModelLen : Math.min(b.model.contextLength(), 4096);
        this.firstNodeId = b.firstNodeId;
        this.clock = b.clock;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = b.scheduler;
        PerformanceModel perf = b.performanceModel != null ? b.performanceModel : PerformanceModel.defaults();
        this.predictor = b.predictor != null ? b.predictor : perf::predict;
        this.journal = b.journal != null ? b.journal : DecisionJournal.inMemory();
        this.listeners = List.copyOf(b.listeners);
        this.tickInterval = b.tickInterval;
        this.relativeRttThreshold = b.relativeRttThreshold;
        this.absoluteRttThresholdMillis = b.absoluteRttThresholdMillis;
        this.cooldown = b.cooldown;
        this.horizon = b.horizon;
        this.maxInterval = b.maxInterval;
        this.load = b.load;
        this.drainTimeout = b.drainTimeout;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.stopOnClose = b.stopOnClose;
        this.smoother = new ConnectivitySmoother(b.smoothingWindow);
        this.restartTimes = new RestartTimes(b.defaultRestartTime);
        this.backoff = b.initialBackoff;
        this.decideBackoff = b.initialBackoff;
        gate.pause("no pipeline has been started yet");
    }

    /**
     * Starts a builder. Required: {@link Builder#inventory}, {@link Builder#probe}, {@link Builder#agent},
     * {@link Builder#launcher} and {@link Builder#model}; every other setting has a documented default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the loop: a tick now, then one every {@link Builder#tickInterval(Duration) tick interval} on the
     * scheduler (a single daemon thread owned by this orchestrator if none was given).
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        tickLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the orchestrator is closed");
            }
            if (scheduled != null) {
                throw new IllegalStateException("the orchestrator is already started");
            }
            ScheduledExecutorService s = scheduler != null ? scheduler : ownScheduler();
            scheduled = s.scheduleWithFixedDelay(this::tickSafely, 0, tickInterval.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            tickLock.unlock();
        }
    }

    private ScheduledExecutorService ownScheduler;

    private ScheduledExecutorService ownScheduler() {
        ownScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "placement-orchestrator");
            t.setDaemon(true);
            return t;
        });
        return ownScheduler;
    }

    private void tickSafely() {
        try {
            runOnce();
        } catch (RuntimeException | Error e) {
            // A scheduled task that throws is never run again; the loop must survive any one bad tick.
            LOG.warn("orchestrator tick failed: {}", e.toString(), e);
        }
    }

    /**
     * Runs one observe → decide → reconfigure tick now, on the calling thread. Waits if another tick is
     * running. Failures of the inventory, probe, agent or launcher do not throw: they are in the outcome.
     *
     * @return what the tick observed, decided and did
     * @throws IllegalStateException if the orchestrator is closed
     */
    public TickOutcome runOnce() {
        tickLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the orchestrator is closed");
            }
            return tick();
        } finally {
            tickLock.unlock();
        }
    }

    /** @return the gate the embedding application passes each request through */
    public RequestGate gate() {
        return gate;
    }

    /** @return the state now */
    public OrchestratorState state() {
        return state;
    }

    /** @return the running pipeline, or empty if none runs */
    public Optional<RunningPipeline> running() {
        return Optional.ofNullable(running);
    }

    /** @return the decision journal (the one given to the builder, or an in-memory one) */
    public DecisionJournal journal() {
        return journal;
    }

    /** @return the restart time now expected: the median of the last measured restarts, or the default */
    public Duration expectedRestartTime() {
        tickLock.lock();
        try {
            return restartTimes.estimate();
        } finally {
            tickLock.unlock();
        }
    }

    /**
     * Stops the loop, rejects every waiting and future request, and (unless
     * {@link Builder#stopPipelineOnClose(boolean)} was turned off) stops the running pipeline. Waits for a
     * running tick to finish. Does not close the journal. Calling it again does nothing.
     */
    @Override
    public void close() {
        tickLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            gate.close();
            RunningPipeline r = running;
            if (r != null && stopOnClose) {
                try {
                    launcher.stop(r);
                } catch (RuntimeException e) {
                    LOG.warn("could not stop pipeline {} on close: {}", r.id(), e.getMessage());
                }
                running = null;
            }
            state = OrchestratorState.CLOSED;
        } finally {
            tickLock.unlock();
            if (ownScheduler != null) {
                ownScheduler.shutdownNow();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- the tick

    private TickOutcome tick() {
        Instant now = clock.instant();
        ClusterSnapshot cluster;
        ConnectivityMap smoothed;
        try {
            ClusterSnapshot snapshot = inventory.snapshot();
            ConnectivityMap raw = probe.measure(snapshot);
            Set<String> reachable = new LinkedHashSet<>(snapshot.nodeIds());
            reachable.removeAll(raw.unreachableNodes());
            cluster = new ClusterSnapshot(snapshot.nodes().stream().filter(n -> reachable.contains(n.id())).toList(),
                    snapshot.gpuMemoryUtilization());
            smoothed = smoother.add(raw, reachable);
        } catch (RuntimeException e) {
            String error = "observing the cluster failed: " + message(e);
            emit(new OrchestratorEvent.TickFailed(now, error));
            return outcome(now, lastCluster, lastConnectivity, Set.of(), null, TickOutcome.Action.FAILED, error,
                    null, null);
        }
        lastCluster = cluster;
        lastConnectivity = smoothed;

        PipelineMetrics measured = sampleMetrics(now);
        Set<Trigger> triggers = triggers(now, cluster, smoothed, measured);
        PlacementRequest request = request(cluster, smoothed);
        if (triggers.isEmpty()) {
            String reason = state == OrchestratorState.DEGRADED
                    ? "degraded: nothing runs; next attempt at " + nextAttemptAt : "nothing changed that matters";
            return outcome(now, cluster, smoothed, triggers, null, TickOutcome.Action.NOTHING_CHANGED, reason,
                    predictRunning(request), measured);
        }
        RunningPipeline r = running;
        boolean urgent = (r != null && !usesOnly(r.placement(), cluster))
                || !lastDecisionNodes.containsAll(cluster.nodeIds());
        if (decideNotBefore != null && now.isBefore(decideNotBefore) && !urgent) {
            // The last decision failed: asking again every tick would hammer a failing (LLM) service. A node
            // that joins, or one the running placement loses, is worth asking about at once.
            return outcome(now, cluster, smoothed, triggers, null, TickOutcome.Action.NOTHING_CHANGED,
                    decideFailure + "; asking the agent again at " + decideNotBefore, predictRunning(request),
                    measured);
        }
        return decideAndApply(now, cluster, smoothed, triggers, request, measured);
    }

    private PipelineMetrics sampleMetrics(Instant now) {
        RunningPipeline r = running;
        if (r == null || metricsSource == null) {
            return null;
        }
        try {
            Optional<PipelineMetrics> m = metricsSource.sample(r);
            if (m.isEmpty()) {
                return null;
            }
            emit(new OrchestratorEvent.MetricsMeasured(now, r.placement(), m.get()));
            if (pendingMeasurementFor > 0) {
                journalSafely(() -> journal.recordMeasured(pendingMeasurementFor, r.placement(), m.get(), now));
                pendingMeasurementFor = -1;
            }
            return m.get();
        } catch (RuntimeException e) {
            LOG.warn("could not sample metrics of pipeline {}: {}", r.id(), message(e));
            return null;
        }
    }

    private Set<Trigger> triggers(Instant now, ClusterSnapshot cluster, ConnectivityMap smoothed,
            PipelineMetrics measured) {
        Set<Trigger> t = EnumSet.noneOf(Trigger.class);
        if (state == OrchestratorState.DEGRADED) {
            if (!now.isBefore(nextAttemptAt)) {
                t.add(Trigger.RETRY);
            }
            if (!lastDecisionNodes.containsAll(cluster.nodeIds())) {
                t.add(Trigger.NODE_JOINED);
            }
            return t;
        }
        if (running == null) {
            t.add(Trigger.FIRST_START);
            return t;
        }
        Set<String> nodes = new HashSet<>(cluster.nodeIds());
        if (!lastDecisionNodes.containsAll(nodes)) {
            t.add(Trigger.NODE_JOINED);
        }
        if (!nodes.containsAll(lastDecisionNodes)) {
            t.add(Trigger.NODE_LEFT);
        }
        if (linkChanged(smoothed, nodes)) {
            t.add(Trigger.LINK_CHANGED);
        }
        // A breach is re-examined at most once per cooldown, so a bound no placement can meet does not make
        // every tick ask the agent.
        if (measured != null && !objective.admits(measured) && elapsed(lastDecisionAt, now, cooldown)) {
            t.add(Trigger.BOUND_BREACHED);
        }
        if (elapsed(lastDecisionAt, now, maxInterval)) {
            t.add(Trigger.MAX_INTERVAL);
        }
        if (heldByCooldown && elapsed(lastReconfiguredAt, now, cooldown)) {
            t.add(Trigger.COOLDOWN_ENDED);
        }
        return t;
    }

    private boolean linkChanged(ConnectivityMap smoothed, Set<String> nodes) {
        if (lastDecisionConnectivity == null) {
            return false;
        }
        for (String a : nodes) {
            for (String b : nodes) {
                if (a.equals(b) || !lastDecisionNodes.contains(a) || !lastDecisionNodes.contains(b)) {
                    continue;
                }
                OptionalDouble before = lastDecisionConnectivity.rttMillis(a, b);
                OptionalDouble now = smoothed.rttMillis(a, b);
                if (before.isPresent() != now.isPresent()) {
                    return true;
                }
                if (before.isPresent()) {
                    double delta = Math.abs(now.getAsDouble() - before.getAsDouble());
                    if (delta >= absoluteRttThresholdMillis
                            && delta >= relativeRttThreshold * Math.max(before.getAsDouble(), 1e-9)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private PlacementRequest request(ClusterSnapshot cluster, ConnectivityMap smoothed) {
        RunningPipeline r = running;
        Placement current = r != null && usesOnly(r.placement(), cluster) ? r.placement() : null;
        String first = firstNodeId != null && cluster.find(firstNodeId).isPresent() ? firstNodeId : null;
        return new PlacementRequest(model, cluster, smoothed, objective, workload, maxModelLen, first, current);
    }

    private TickOutcome decideAndApply(Instant now, ClusterSnapshot cluster, ConnectivityMap smoothed,
            Set<Trigger> triggers, PlacementRequest request, PipelineMetrics measured) {
        RunningPipeline before = running;
        Prediction runningPrediction = predictSafely(before == null ? null : before.placement(), request);
        PipelineMetrics runningPredicted = runningPrediction != null && runningPrediction.fits()
                ? runningPrediction.metrics() : null;

        PlacementDecision decision;
        try {
            if (cluster.nodes().isEmpty()) {
                throw new InfeasiblePlacementException("no node is reachable");
            }
            decision = agent.decide(request);
        } catch (InfeasiblePlacementException e) {
            noteDecision(now, cluster, smoothed);
            String reason = "no feasible placement: " + message(e);
            if (before == null) {
                backOffDeciding(now, reason);
                gate.pause(reason);
            }
            journalEntry(now, triggers, cluster, smoothed, null, before, runningPredicted,
                    TickOutcome.Action.NO_FEASIBLE_PLACEMENT, false, reason, null);
            return outcome(now, cluster, smoothed, triggers, null, TickOutcome.Action.NO_FEASIBLE_PLACEMENT, reason,
                    runningPredicted, measured);
        } catch (RuntimeException e) {
            String reason = "agent '" + agent.name() + "' failed: " + message(e);
            backOffDeciding(now, reason);
            journalEntry(now, triggers, cluster, smoothed, null, before, runningPredicted, TickOutcome.Action.FAILED,
                    false, reason, null);
            emit(new OrchestratorEvent.TickFailed(now, reason));
            return outcome(now, cluster, smoothed, triggers, null, TickOutcome.Action.FAILED, reason,
                    runningPredicted, measured);
        }
        noteDecision(now, cluster, smoothed);
        emit(new OrchestratorEvent.DecisionMade(now, triggers, decision));
        decideNotBefore = null;
        decideBackoff = initialBackoff;

        Placement proposed = decision.placement();
        Prediction proposedPrediction = predictSafely(proposed, request);
        String invalid = invalidReason(proposed, cluster, proposedPrediction);
        if (invalid != null) {
            String reason = "agent '" + decision.agent() + "' proposed " + proposed + ", which is not usable: " + invalid;
            backOffDeciding(now, reason);
            journalEntry(now, triggers, cluster, smoothed, decision, before, runningPredicted,
                    TickOutcome.Action.FAILED, false, reason, null);
            emit(new OrchestratorEvent.TickFailed(now, reason));
            return outcome(now, cluster, smoothed, triggers, decision, TickOutcome.Action.FAILED, reason,
                    runningPredicted, measured);
        }

        String why;
        if (before == null) {
            why = state == OrchestratorState.DEGRADED ? "retrying after a failed launch" : "no pipeline was running";
        } else if (proposed.equals(before.placement())) {
            String reason = "the agent kept the running placement";
            pendingMeasurementFor = journalEntry(now, triggers, cluster, smoothed, decision, before, runningPredicted,
                    TickOutcome.Action.KEPT, false, reason, null);
            return outcome(now, cluster, smoothed, triggers, decision, TickOutcome.Action.KEPT, reason,
                    runningPredicted, measured);
        } else if (!usesOnly(before.placement(), cluster)) {
            why = "the running placement uses " + gone(before.placement(), cluster) + ", which is gone";
        } else if (runningPrediction == null || !runningPrediction.fits()) {
            why = "the running placement is no longer feasible ("
                    + (runningPrediction == null ? "cannot be predicted" : runningPrediction.infeasibleReason()) + ")";
        } else {
            String hold = holdReason(now, runningPrediction.metrics(), proposedPrediction.metrics());
            if (hold != null) {
                heldByCooldown = hold.startsWith("cooldown");
                pendingMeasurementFor = journalEntry(now, triggers, cluster, smoothed, decision, before, runningPredicted,
                        TickOutcome.Action.SKIPPED, false, hold, null);
                emit(new OrchestratorEvent.ReconfigurationSkipped(now, proposed, hold));
                return outcome(now, cluster, smoothed, triggers, decision, TickOutcome.Action.SKIPPED, hold,
                        runningPredicted, measured);
            }
            why = gainReason(runningPrediction.metrics(), proposedPrediction.metrics());
        }
        return reconfigure(now, cluster, smoothed, triggers, decision, before, runningPredicted, measured,
                proposedPrediction.metrics(), why);
    }

    /** @return why a better-looking placement is held back, or null if it should be applied */
    private String holdReason(Instant now, PipelineMetrics current, PipelineMetrics proposed) {
        if (lastReconfiguredAt != null && !elapsed(lastReconfiguredAt, now, cooldown)) {
            Duration left = Duration.between(now, lastReconfiguredAt.plus(cooldown));
            return "cooldown: the last reconfiguration was " + seconds(Duration.between(lastReconfiguredAt, now))
                    + " ago; " + seconds(left) + " of the " + seconds(cooldown) + " cooldown remain";
        }
        double improvement = relativeImprovement(current, proposed);
        double gainSeconds = horizon.toMillis() / 1000.0 * improvement;
        double costSeconds = restartTimes.estimate().toMillis() / 1000.0 * load;
        if (gainSeconds <= costSeconds) {
            return String.format(Locale.ROOT, "gain too small: %s; %.1f%% better over the %s horizon is worth %.0f s,"
                    + " less than the restart cost of %.0f s (%s restart%s)", compare(current, proposed),
                    improvement * 100, seconds(horizon), gainSeconds, costSeconds, seconds(restartTimes.estimate()),
                    restartTimes.learnt() ? ", measured" : ", default");
        }
        return null;
    }

    private String gainReason(PipelineMetrics current, PipelineMetrics proposed) {
        double improvement = relativeImprovement(current, proposed);
        return String.format(Locale.ROOT, "%s; %.1f%% better over the %s horizon is worth %.0f s, more than the "
                + "restart cost of %.0f s", compare(current, proposed), improvement * 100, seconds(horizon),
                horizon.toMillis() / 1000.0 * improvement, restartTimes.estimate().toMillis() / 1000.0 * load);
    }

    private double relativeImprovement(PipelineMetrics current, PipelineMetrics proposed) {
        double cur = ObjectiveScore.score(objective, current);
        double next = ObjectiveScore.score(objective, proposed);
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
            case BALANCED -> String.format(Locale.ROOT, "predicted ITL %.1f → %.1f ms, TTFT %.0f → %.0f ms, "
                    + "throughput %.1f → %.1f tok/s", a.itlMillis(), b.itlMillis(), a.ttftMillis(), b.ttftMillis(),
                    a.outputTokensPerSecond(), b.outputTokensPerSecond());
        };
    }

    private TickOutcome reconfigure(Instant now, ClusterSnapshot cluster, ConnectivityMap smoothed,
            Set<Trigger> triggers, PlacementDecision decision, RunningPipeline before, PipelineMetrics runningPredicted,
            PipelineMetrics measured, PipelineMetrics proposedPredicted, String why) {
        Placement target = decision.placement();
        Placement previous = before == null ? null : before.placement();
        state = OrchestratorState.RECONFIGURING;
        emit(new OrchestratorEvent.ReconfigurationStarted(now, previous, target));
        gate.pause(previous == null ? "the pipeline " + target + " is starting"
                : "the pipeline is being reconfigured from " + previous + " to " + target);
        Instant t0 = clock.instant();
        if (!gate.awaitDrained(drainTimeout)) {
            LOG.warn("{} request(s) still in flight after the {} drain timeout; stopping the pipeline anyway",
                    gate.inFlight(), drainTimeout);
        }
        if (before != null) {
            try {
                launcher.stop(before);
            } catch (RuntimeException e) {
                LOG.warn("stopping pipeline {} failed ({}); launching {} anyway", before.id(), message(e), target);
            }
            running = null;
        }
        String failure;
        try {
            RunningPipeline started = launcher.launch(target, model, cluster);
            Instant done = clock.instant();
            Duration restart = Duration.between(t0, done);
            restartTimes.record(restart);
            running = started;
            lastReconfiguredAt = done;
            heldByCooldown = false;
            backoff = initialBackoff;
            state = OrchestratorState.RUNNING;
            gate.resume();
            emit(new OrchestratorEvent.Reconfigured(done, target, restart));
            String reason = why + "; healthy after " + seconds(restart);
            pendingMeasurementFor = journalEntry(now, triggers, cluster, smoothed, decision, before,
                    runningPredicted, TickOutcome.Action.RECONFIGURED, true, reason, restart);
            return outcome(now, cluster, smoothed, triggers, decision, TickOutcome.Action.RECONFIGURED, reason,
                    proposedPredicted, measured);
        } catch (RuntimeException e) {
            failure = "launching " + target + " failed: " + message(e);
            LOG.warn(failure);
        }
        if (previous != null && usesOnly(previous, cluster)) {
            try {
                RunningPipeline restored = launcher.launch(previous, model, cluster);
                Instant done = clock.instant();
                running = restored;
                lastReconfiguredAt = done;
                heldByCooldown = false;
                state = OrchestratorState.RUNNING;
                gate.resume();
                emit(new OrchestratorEvent.RolledBack(done, target, previous, failure));
                String reason = failure + "; rolled back to " + previous;
                pendingMeasurementFor = journalEntry(now, triggers, cluster, smoothed, decision, before,
                        runningPredicted, TickOutcome.Action.ROLLED_BACK, false, reason, null);
                return outcome(now, cluster, smoothed, triggers, decision, TickOutcome.Action.ROLLED_BACK, reason,
                        runningPredicted, measured);
            } catch (RuntimeException e) {
                failure = failure + "; rolling back to " + previous + " failed too: " + message(e);
                LOG.warn(failure);
            }
        }
        Instant done = clock.instant();
        nextAttemptAt = done.plus(backoff);
        Duration waited = backoff;
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        running = null;
        state = OrchestratorState.DEGRADED;
        gate.pause("no pipeline is running (" + failure + ")");
        emit(new OrchestratorEvent.Degraded(done, failure, nextAttemptAt));
        String reason = failure + "; degraded, next attempt in " + seconds(waited);
        journalEntry(now, triggers, cluster, smoothed, decision, before, runningPredicted,
                TickOutcome.Action.DEGRADED, false, reason, null);
        return outcome(now, cluster, smoothed, triggers, decision, TickOutcome.Action.DEGRADED, reason, null,
                measured);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void backOffDeciding(Instant now, String failure) {
        decideFailure = failure;
        decideNotBefore = now.plus(decideBackoff);
        decideBackoff = decideBackoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff
                : decideBackoff.multipliedBy(2);
    }

    private void noteDecision(Instant now, ClusterSnapshot cluster, ConnectivityMap smoothed) {
        lastDecisionAt = now;
        lastDecisionNodes = Set.copyOf(cluster.nodeIds());
        lastDecisionConnectivity = smoothed;
        heldByCooldown = false;
    }

    private String invalidReason(Placement p, ClusterSnapshot cluster, Prediction prediction) {
        if (p.totalLayers() != model.layers()) {
            return "it holds " + p.totalLayers() + " layers but the model has " + model.layers();
        }
        if (!usesOnly(p, cluster)) {
            return "it uses " + gone(p, cluster) + ", not among the reachable nodes " + cluster.nodeIds();
        }
        if (prediction == null) {
            return "the performance model cannot evaluate it";
        }
        if (!prediction.fits()) {
            return prediction.infeasibleReason();
        }
        return null;
    }

    private Prediction predictSafely(Placement p, PlacementRequest request) {
        if (p == null || !usesOnly(p, request.cluster()) || p.totalLayers() != model.layers()) {
            return null;
        }
        try {
            return predictor.predict(p, request);
        } catch (RuntimeException e) {
            LOG.warn("could not predict {}: {}", p, message(e));
            return null;
        }
    }

    private PipelineMetrics predictRunning(PlacementRequest request) {
        RunningPipeline r = running;
        Prediction p = predictSafely(r == null ? null : r.placement(), request);
        return p != null && p.fits() ? p.metrics() : null;
    }

    private static boolean usesOnly(Placement p, ClusterSnapshot cluster) {
        return cluster.nodeIds().containsAll(p.nodeIds());
    }

    private static String gone(Placement p, ClusterSnapshot cluster) {
        Set<String> missing = new TreeSet<>(p.nodeIds());
        cluster.nodeIds().forEach(missing::remove);
        return String.join(", ", missing);
    }

    private long journalEntry(Instant now, Set<Trigger> triggers, ClusterSnapshot cluster, ConnectivityMap smoothed,
            PlacementDecision decision, RunningPipeline before, PipelineMetrics runningPredicted,
            TickOutcome.Action action, boolean applied, String reason, Duration restart) {
        DecisionJournal.Entry draft = new DecisionJournal.Entry(0, now, triggers, cluster.nodeIds(), smoothed,
                objective, workload, decision == null ? agent.name() : decision.agent(),
                decision == null ? null : decision.placement(), decision == null ? null : decision.rationale(),
                decision == null ? null : decision.predicted(), decision == null ? null : decision.proposal(),
                before == null ? null : before.placement(), runningPredicted, action, applied, reason,
                restart == null ? null : restart.toMillis() / 1000.0, null, null, null);
        long[] id = {-1};
        journalSafely(() -> id[0] = journal.recordDecision(draft).id());
        return id[0];
    }

    private static void journalSafely(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            // Losing a journal line must not stop the loop that keeps inference running.
            LOG.warn("decision journal: {}", e.getMessage());
        }
    }

    private TickOutcome outcome(Instant now, ClusterSnapshot cluster, ConnectivityMap connectivity,
            Set<Trigger> triggers, PlacementDecision decision, TickOutcome.Action action, String reason,
            PipelineMetrics runningPredicted, PipelineMetrics measured) {
        RunningPipeline r = running;
        return new TickOutcome(now, cluster, connectivity, triggers, decision, action, reason,
                r == null ? null : r.placement(), r == null ? null : runningPredicted, measured, state);
    }

    private void emit(OrchestratorEvent event) {
        for (Consumer<? super OrchestratorEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("orchestrator listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static boolean elapsed(Instant since, Instant now, Duration d) {
        return since == null || !now.isBefore(since.plus(d));
    }

    private static String seconds(Duration d) {
        long s = d.toSeconds();
        if (s >= 120 && s % 60 == 0) {
            return (s / 60) + " min";
        }
        return d.toMillis() % 1000 == 0 ? s + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Configures a {@link PlacementOrchestrator}. Not thread-safe; the orchestrator it builds is immutable in
     * its configuration.
     */
    public static final class Builder {
        private ClusterInventory inventory;
        private LatencyProbe probe;
        private PlacementAgent agent;
        private PipelineLauncher launcher;
        private MetricsSource metricsSource;
        private Objective objective = Objective.minimizeItl();
        private Workload workload = Workload.DEFAULT;
        private ModelSpec model;
        private Integer maxModelLen;
        private String firstNodeId;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private PerformanceModel performanceModel;
        private Predictor predictor;
        private DecisionJournal journal;
        private final List<Consumer<? super OrchestratorEvent>> listeners = new ArrayList<>();
        private Duration tickInterval = Duration.ofSeconds(10);
        private int smoothingWindow = 5;
        private double relativeRttThreshold = 0.25;
        private double absoluteRttThresholdMillis = 1.0;
        private Duration cooldown = Duration.ofMinutes(5);
        private Duration horizon = Duration.ofMinutes(15);
        private Duration maxInterval = Duration.ofMinutes(30);
        private Duration defaultRestartTime = Duration.ofSeconds(60);
        private double load = 1.0;
        private Duration drainTimeout = Duration.ofSeconds(30);
        private Duration initialBackoff = Duration.ofSeconds(10);
        private Duration maxBackoff = Duration.ofMinutes(5);
        private boolean stopOnClose = true;

        private Builder() {
        }

        /** @param v tells which nodes exist now; required @return this builder */
        public Builder inventory(ClusterInventory v) {
            inventory = Objects.requireNonNull(v, "inventory");
            return this;
        }

        /** @param v measures the links; required @return this builder */
        public Builder probe(LatencyProbe v) {
            probe = Objects.requireNonNull(v, "probe");
            return this;
        }

        /** @param v chooses placements (solver, baseline, LLM, guarded LLM); required @return this builder */
        public Builder agent(PlacementAgent v) {
            agent = Objects.requireNonNull(v, "agent");
            return this;
        }

        /** @param v starts and stops the pipeline; required @return this builder */
        public Builder launcher(PipelineLauncher v) {
            launcher = Objects.requireNonNull(v, "launcher");
            return this;
        }

        /** @param v measures the running pipeline, or null for none (the default) @return this builder */
        public Builder metricsSource(MetricsSource v) {
            metricsSource = v;
            return this;
        }

        /** @param v what to optimise; default minimise ITL @return this builder */
        public Builder objective(Objective v) {
            objective = Objects.requireNonNull(v, "objective");
            return this;
        }

        /** @param v the traffic to judge placements under; default {@link Workload#DEFAULT} @return this builder */
        public Builder workload(Workload v) {
            workload = Objects.requireNonNull(v, "workload");
            return this;
        }

        /** @param v the model served; required @return this builder */
        public Builder model(ModelSpec v) {
            model = Objects.requireNonNull(v, "model");
            return this;
        }

        /**
         * @param v vLLM's {@code --max-model-len} in tokens; default min(context length, 4096)
         * @return this builder
         */
        public Builder maxModelLen(int v) {
            maxModelLen = v;
            return this;
        }

        /**
         * @param v the node that must be rank 0 (where clients connect), or null for any (the default); if
         *          it is gone, any node may be rank 0
         * @return this builder
         */
        public Builder firstNodeId(String v) {
            firstNodeId = v;
            return this;
        }

        /** @param v the source of time; default system UTC @return this builder */
        public Builder clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /**
         * @param v runs the loop after {@link #start()}; default a daemon thread owned (and shut down) by the
         *          orchestrator. A given scheduler is not shut down by {@code close()}.
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService v) {
            scheduler = v;
            return this;
        }

        /** @param v predicts metrics for the gain test; default {@link PerformanceModel#defaults()} @return this builder */
        public Builder performanceModel(PerformanceModel v) {
            performanceModel = v;
            return this;
        }

        /** Test seam: predicts with a table instead of the performance model. */
        Builder predictor(Predictor v) {
            predictor = v;
            return this;
        }

        /** @param v where decisions are recorded; default a new in-memory journal @return this builder */
        public Builder journal(DecisionJournal v) {
            journal = v;
            return this;
        }

        /**
         * @param v receives every event, on the ticking thread; may be called several times
         * @return this builder
         */
        public Builder listener(Consumer<? super OrchestratorEvent> v) {
            listeners.add(Objects.requireNonNull(v, "listener"));
            return this;
        }

        /** @param v time between ticks after {@link #start()}; default 10 s @return this builder */
        public Builder tickInterval(Duration v) {
            tickInterval = positive(v, "tickInterval");
            return this;
        }

        /**
         * @param v samples per link whose median is used, 1 to 100; default 5 (two spikes in a row change
         *          nothing; a lasting change shows after three ticks)
         * @return this builder
         */
        public Builder smoothingWindow(int v) {
            if (v < 1 || v > 100) {
                throw new IllegalArgumentException("smoothingWindow must be 1 to 100, was " + v);
            }
            smoothingWindow = v;
            return this;
        }

        /**
         * A link counts as changed when its smoothed RTT moved by at least this fraction of its RTT at the
         * last decision AND by at least the absolute threshold.
         *
         * @param relative     fraction, &ge; 0; default 0.25
         * @param absoluteMillis milliseconds, &ge; 0; default 1.0
         * @return this builder
         */
        public Builder rttChangeThreshold(double relative, double absoluteMillis) {
            if (!(relative >= 0) || !(absoluteMillis >= 0) || Double.isInfinite(relative)
                    || Double.isInfinite(absoluteMillis)) {
                throw new IllegalArgumentException("RTT change thresholds must be finite and >= 0, were " + relative
                        + " and " + absoluteMillis + " ms");
            }
            relativeRttThreshold = relative;
            absoluteRttThresholdMillis = absoluteMillis;
            return this;
        }

        /** @param v least time between reconfigurations (node loss excepted); default 5 min @return this builder */
        public Builder cooldown(Duration v) {
            cooldown = nonNegative(v, "cooldown");
            return this;
        }

        /** @param v how far ahead a predicted gain is counted; default 15 min @return this builder */
        public Builder horizon(Duration v) {
            horizon = positive(v, "horizon");
            return this;
        }

        /** @param v the agent is asked at least this often; default 30 min @return this builder */
        public Builder maxInterval(Duration v) {
            maxInterval = positive(v, "maxInterval");
            return this;
        }

        /** @param v restart time assumed until one is measured; default 60 s @return this builder */
        public Builder defaultRestartTime(Duration v) {
            defaultRestartTime = nonNegative(v, "defaultRestartTime");
            return this;
        }

        /**
         * @param v the fraction of time the pipeline is busy, 0 to 1, which scales the cost of downtime;
         *          default 1 (assume fully loaded: the cautious choice)
         * @return this builder
         */
        public Builder load(double v) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("load must be 0 to 1, was " + v);
            }
            load = v;
            return this;
        }

        /** @param v how long to wait for in-flight requests before stopping; default 30 s @return this builder */
        public Builder drainTimeout(Duration v) {
            drainTimeout = nonNegative(v, "drainTimeout");
            return this;
        }

        /**
         * @param initial wait before the first retry when degraded; default 10 s
         * @param max     the most it grows to, doubling each time; default 5 min
         * @return this builder
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            initialBackoff = positive(initial, "retryBackoff initial");
            maxBackoff = positive(max, "retryBackoff max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("retryBackoff max " + max + " is less than initial " + initial);
            }
            return this;
        }

        /** @param v whether {@code close()} stops the running pipeline; default true @return this builder */
        public Builder stopPipelineOnClose(boolean v) {
            stopOnClose = v;
            return this;
        }

        /**
         * @return the orchestrator, not yet started
         * @throws IllegalStateException naming the missing setting if a required one is missing
         */
        public PlacementOrchestrator build() {
            require(inventory, "inventory");
            require(probe, "probe");
            require(agent, "agent");
            require(launcher, "launcher");
            require(model, "model");
            if (maxModelLen != null && (maxModelLen < 1 || maxModelLen > model.contextLength())) {
                throw new IllegalArgumentException("maxModelLen must be 1 to the model's context length "
                        + model.contextLength() + ", was " + maxModelLen);
            }
            return new PlacementOrchestrator(this);
        }

        private static void require(Object v, String name) {
            if (v == null) {
                throw new IllegalStateException("PlacementOrchestrator.builder()." + name + "(...) is required");
            }
        }

        private static Duration positive(Duration v, String name) {
            Objects.requireNonNull(v, name);
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + v);
            }
            return v;
        }

        private static Duration nonNegative(Duration v, String name) {
            Objects.requireNonNull(v, name);
            if (v.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, was " + v);
            }
            return v;
        }
    }
}
