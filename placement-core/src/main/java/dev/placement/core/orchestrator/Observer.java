package dev.placement.core.orchestrator;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.MetricsSample;
import dev.placement.api.PipelineMetrics;
import dev.placement.core.Prediction;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first stage of a tick: which nodes are there and reachable, the links between them smoothed per link,
 * what the running pipeline was measured to do and the workload it served (smoothed), the request an agent
 * would be asked, what the loop learns from the measurement ({@link Learner}), and what the running placement
 * is predicted to do on those links. Not thread-safe; called under the tick lock.
 */
final class Observer {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    /**
     * What one tick saw.
     *
     * @param cluster      the reachable nodes
     * @param connectivity the smoothed links among them
     * @param request      the request for the agent (with the running placement as current, if it can still run)
     * @param running      what ran when the tick began, or {@code null}
     * @param estimate     the prediction for the running placement on these links, or {@code null} if none runs
     * @param measured     what the running pipeline was measured to do since the last tick, or {@code null}
     * @param died         why the pipeline that ran was found dead on this tick, or {@code null}
     * @param flapping     links found flapping on this tick (held at their worst RTT), described
     */
    record Observed(ClusterSnapshot cluster, ConnectivityMap connectivity, PlacementRequest request,
            RunningPipeline running, Estimate estimate, PipelineMetrics measured, String died,
            List<String> flapping) {

        /** @return the running placement's predicted metrics, or null if none runs or it cannot run */
        PipelineMetrics runningPredicted() {
            return estimate == null ? null : estimate.metrics();
        }

        /** @return the running placement's whole prediction, or null if none runs or the predictor gives none */
        Prediction runningPrediction() {
            return estimate == null ? null : estimate.prediction();
        }

    }

    private final LoopParts parts;
    private final LoopSettings settings;
    private final ConnectivitySmoother smoother;
    private final LinkFlaps flaps;
    private final WorkloadSmoother workloads;
    private final Learner learner;

    private final PluginCalls calls;
    private final Leftovers leftovers;

    Observer(LoopParts parts, LoopSettings settings, PluginCalls calls, Leftovers leftovers) {
        this.calls = calls;
        this.leftovers = leftovers;
        this.learner = new Learner(parts);
        this.parts = parts;
        this.settings = settings;
        this.smoother = new ConnectivitySmoother(settings.smoothingWindow());
        this.flaps = new LinkFlaps(settings.flapFlips(), settings.flapHold(), settings.relativeRttThreshold(),
                settings.absoluteRttThresholdMillis());
        this.workloads = new WorkloadSmoother(settings.smoothingWindow());
    }

    /**
     * Observes the cluster.
     *
     * @throws RuntimeException whatever the inventory or the probe threw
     */
    Observed observe(Instant now, LoopState state) {
        Duration deadline = settings.deadlines().observe();
        ClusterSnapshot snapshot = calls.call("the inventory", deadline, () -> parts.inventory().snapshot());
        ConnectivityMap raw;
        try {
            raw = calls.call("the probe", deadline, () -> parts.probe().measure(snapshot));
        } catch (Throwable e) {
            throw diedBeforeFailing(now, snapshot, state, e);
        }
        Set<String> reachable = new LinkedHashSet<>(snapshot.nodeIds());
        reachable.removeAll(raw.unreachableNodes());
        ClusterSnapshot cluster = new ClusterSnapshot(
                snapshot.nodes().stream().filter(n -> reachable.contains(n.id())).toList(),
                snapshot.gpuMemoryUtilization());
        List<String> held = new ArrayList<>();
        ConnectivityMap smoothed = flaps.apply(raw, smoother.add(raw, reachable), reachable, now, held);
        held.forEach(h -> LOG.info("{}", h));
        state.observed(cluster, smoothed);

        String died = dropDead(now, state, cluster, true);
        RunningPipeline running = state.running();
        MetricsSample sample = sample(now, running, state);
        if (sample != null) {
            workloads.add(sample.workload());
        }
        PlacementRequest request = request(cluster, smoothed, parts.replicas() != null ? null : running);
        if (sample != null) {
            // Before the estimate: what runs is then predicted by the model that just learnt from it.
            learner.learn(now, running, request, sample.metrics(), state);
        }
        Estimate estimate = running == null || parts.replicas() != null ? null
                : request.current() == null ? new Estimate(null, null)
                : Estimate.of(parts.predictor(), running.placement(), request);
        return new Observed(cluster, smoothed, request, running, estimate, sample == null ? null : sample.metrics(),
                died, List.copyOf(held));
    }

    /**
     * Why the running pipeline cannot be serving, or null if it may be: a node it uses is gone or unreachable
     * (a pipeline does not survive losing a stage, even if the node comes back), or the launcher reports it
     * dead. A health check that throws proves nothing and is only logged.
     */
    private String deathOf(RunningPipeline running, ClusterSnapshot cluster) {
        if (!usesOnly(running.placement(), cluster)) {
            Set<String> gone = new java.util.TreeSet<>(running.placement().nodeIds());
            cluster.nodeIds().forEach(gone::remove);
            return "the pipeline " + running.placement() + " died: it uses " + String.join(", ", gone)
                    + ", which is gone";
        }
        try {
            if (!calls.call("the launcher's health check", settings.deadlines().observe(),
                    () -> parts.launcher().isAlive(running))) {
                return "the pipeline " + running.placement() + " died: the launcher reports " + running.id()
                        + " is no longer running";
            }
        } catch (Throwable e) {
            LOG.warn("could not check pipeline {}: {}", running.id(), LoopParts.message(e));
        }
        return null;
    }

    /**
     * Observing failed after the inventory answered. What it answered still counts: a running pipeline that
     * uses a node it no longer lists is dead. Without this the loop went on reporting that pipeline
     * {@code RUNNING}, with the gate open, for as long as the probe kept failing (found by
     * {@code FaultInjectionTest}).
     *
     * @return what to throw: {@code failure} itself, or a {@link DiedThenFailed} if the pipeline died
     */
    private RuntimeException diedBeforeFailing(Instant now, ClusterSnapshot snapshot, LoopState state,
            Throwable failure) {
        if (snapshot == null || state.replicas().isEmpty()) {
            throw PluginCalls.<RuntimeException>rethrow(failure);
        }
        String died = dropDead(now, state, snapshot, false);
        if (died == null) {
            throw PluginCalls.<RuntimeException>rethrow(failure);
        }
        return new DiedThenFailed(died, failure);
    }

    /**
     * Takes the dead pipelines out of what runs (other replicas go on serving): those using a node that is gone, and
     * with {@code healthCheck} those the launcher reports dead. When none is left, nothing runs (degraded).
     *
     * @return why they are dead, or null if none is
     */
    private String dropDead(Instant now, LoopState state, ClusterSnapshot cluster, boolean healthCheck) {
        List<RunningPipeline> alive = new ArrayList<>();
        List<String> deaths = new ArrayList<>();
        for (RunningPipeline r : state.replicas()) {
            String died = healthCheck || !usesOnly(r.placement(), cluster) ? deathOf(r, cluster) : null;
            if (died == null) {
                alive.add(r);
            } else {
                stopDead(r);
                deaths.add(died);
            }
        }
        if (deaths.isEmpty()) {
            return null;
        }
        String died = String.join("; ", deaths);
        if (alive.isEmpty()) {
            state.died(now, died);
        } else {
            state.replicasNow(alive);
        }
        return died;
    }

    /** Observing failed, but only after the running pipeline was found dead: {@link #died()} says why. */
    static final class DiedThenFailed extends RuntimeException {
        private final String died;

        DiedThenFailed(String died, Throwable cause) {
            super(LoopParts.message(cause), cause);
            this.died = died;
        }

        /** @return why the pipeline is dead */
        String died() {
            return died;
        }
    }

    /**
     * Releases what is left of a dead pipeline; it serves nothing, so there is nothing to drain. One that may
     * still run (its node is gone but its job is not) is stopped again at later ticks, and nothing is launched
     * meanwhile.
     */
    private void stopDead(RunningPipeline dead) {
        leftovers.stop(dead);
    }

    private PlacementRequest request(ClusterSnapshot cluster, ConnectivityMap smoothed, RunningPipeline running) {
        Placement current = running != null && usesOnly(running.placement(), cluster) ? running.placement() : null;
        String first = settings.firstNodeId() != null && cluster.find(settings.firstNodeId()).isPresent()
                ? settings.firstNodeId() : null;
        Workload workload = settings.workloadPinned() ? settings.workload() : workloads.current(settings.workload());
        return new PlacementRequest(settings.model(), cluster, smoothed, settings.objective(), workload,
                settings.maxModelLen(), first, current);
    }

    /** Samples the running pipeline; journals its metrics as the outcome of the decision waiting for one. */
    private MetricsSample sample(Instant now, RunningPipeline running, LoopState state) {
        if (running == null || parts.metricsSource() == null) {
            return null;
        }
        try {
            Optional<MetricsSample> sample = calls.call("the metrics source", settings.deadlines().observe(),
                    () -> parts.metricsSource().sample(running));
            if (sample.isEmpty()) {
                return null;
            }
            PipelineMetrics m = sample.get().metrics();
            parts.emit(new OrchestratorEvent.MetricsMeasured(now, running.placement(), m));
            long pending = state.takePendingMeasurement();
            if (pending > 0) {
                parts.journalSafely(() -> parts.journal().recordMeasured(pending, running.placement(), m, now));
            }
            return sample.get();
        } catch (Throwable e) {
            LOG.warn("could not sample metrics of pipeline {}: {}", running.id(), LoopParts.message(e));
            return null;
        }
    }

    static boolean usesOnly(Placement p, ClusterSnapshot cluster) {
        return cluster.nodeIds().containsAll(p.nodeIds());
    }
}
