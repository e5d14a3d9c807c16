package dev.placement.core.orchestrator;

import dev.placement.api.ClusterInventory;
import dev.placement.api.LatencyProbe;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.MetricsSource;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PlacementAgent;
import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.ReplicaPlanner;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plug-ins a {@link PlacementOrchestrator} runs its loop with: where it observes, who decides, what
 * launches, what predicts, where it records and who listens, and its clock.
 *
 * @param inventory     which nodes exist
 * @param probe         measures the links
 * @param agent         chooses placements; {@code null} when replicas are planned instead
 * @param launcher      starts and stops the pipeline
 * @param metricsSource measures the running pipeline, or {@code null} for none
 * @param predictor     predicts what runs (and a proposal that comes without a prediction)
 * @param calibration   the model the loop keeps calibrating, or {@code null} if it does not learn
 * @param journal       records every decision
 * @param listeners     receive every event, on the ticking thread (the builder's and those subscribed later)
 * @param clock         the only source of time
 * @param replicas      plans several pipelines instead of asking the agent for one, or {@code null}
 */
record LoopParts(
        ClusterInventory inventory,
        LatencyProbe probe,
        PlacementAgent agent,
        PipelineLauncher launcher,
        MetricsSource metricsSource,
        MetricsPredictor predictor,
        CalibratedModel calibration,
        DecisionJournal journal,
        EventListeners listeners,
        Clock clock,
        Replicas replicas) {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    LoopParts {
        require(inventory, "inventory");
        require(probe, "probe");
        if (replicas == null) {
            require(agent, "agent");
        }
        require(launcher, "launcher");
        Objects.requireNonNull(predictor, "predictor");
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(clock, "clock");
    }

    /**
     * Replica planning: the planner, the model it plans with, and how many replicas.
     *
     * @param model the performance model the planner and the rolling policy predict with
     * @param count how many replicas; 0 lets the planner choose
     */
    record Replicas(ReplicaPlanner planner, PerformanceModel model, int count) {
    }

    /** @return the name journaled as the decider: the agent's, or {@code replica-planner} */
    String deciderName() {
        return replicas != null ? ReplicaDecider.NAME : agent.name();
    }

    /** Tells every listener; a listener that throws is logged and the others still hear of it. */
    void emit(OrchestratorEvent event) {
        listeners.emit(event);
    }

    /** Writes to the journal; a write that fails is logged, because losing a line must not stop the loop. */
    void journalSafely(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warn("decision journal: {}", e.getMessage());
        }
    }

    /** A required builder setting that was not given: the message names the builder call to make. */
    static void require(Object v, String name) {
        if (v == null) {
            throw new IllegalStateException("PlacementOrchestrator.builder()." + name + "(...) is required");
        }
    }

    static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
