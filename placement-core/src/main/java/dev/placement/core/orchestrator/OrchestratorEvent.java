package dev.placement.core.orchestrator;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.core.Calibration;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link PlacementOrchestrator} tells its listeners. A closed family: switch over it with pattern
 * matching. Every event carries the orchestrator clock's time. Within a tick, a {@link DecisionRecorded} follows
 * the events of the decision it records, and {@link TickCompleted} is the last event of every tick.
 */
public sealed interface OrchestratorEvent {

    /** @return when it happened, by the orchestrator's clock */
    Instant at();

    /**
     * The agent was asked and answered.
     *
     * @param at       when
     * @param triggers why the agent was asked; not empty
     * @param decision its answer
     */
    record DecisionMade(Instant at, Set<Trigger> triggers, PlacementDecision decision) implements OrchestratorEvent {
        /**
         * Validates and copies.
         *
         * @param at       when; not null
         * @param triggers why the agent was asked; not null, no null element; copied
         * @param decision its answer; not null
         */
        public DecisionMade {
            Objects.requireNonNull(at, "at");
            triggers = Set.copyOf(triggers);
            Objects.requireNonNull(decision, "decision");
        }
    }

    /**
     * A different placement was proposed but not applied.
     *
     * @param at       when
     * @param proposed the placement not applied
     * @param reason   why (cooldown, gain below the restart cost, ...)
     */
    record ReconfigurationSkipped(Instant at, Placement proposed, String reason) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at       when; not null
         * @param proposed the placement not applied; not null
         * @param reason   why; not null
         */
        public ReconfigurationSkipped {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(proposed, "proposed");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Requests are paused and the pipeline is being restarted.
     *
     * @param at   when
     * @param from the placement running before, or {@code null} if none ran
     * @param to   the placement being launched
     */
    record ReconfigurationStarted(Instant at, Placement from, Placement to) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at   when; not null
         * @param from the placement running before, or {@code null} if none ran
         * @param to   the placement being launched; not null
         */
        public ReconfigurationStarted {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(to, "to");
        }
    }

    /**
     * The new placement runs and is healthy; requests flow again.
     *
     * @param at          when
     * @param placement   the placement now running
     * @param restartTime how long requests were held (stop, launch, healthy)
     */
    record Reconfigured(Instant at, Placement placement, Duration restartTime) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at          when; not null
         * @param placement   the placement now running; not null
         * @param restartTime how long requests were held; not null
         */
        public Reconfigured {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(restartTime, "restartTime");
        }
    }

    /**
     * Launching a new placement failed and the previous one was started again.
     *
     * @param at        when
     * @param failed    the placement that failed to launch
     * @param restored  the placement running again
     * @param failure   why the launch failed
     */
    record RolledBack(Instant at, Placement failed, Placement restored, String failure) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at       when; not null
         * @param failed   the placement that failed to launch; not null
         * @param restored the placement running again; not null
         * @param failure  why the launch failed; not null
         */
        public RolledBack {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(failed, "failed");
            Objects.requireNonNull(restored, "restored");
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * Nothing could be launched: no pipeline runs. Requests wait at the gate and are rejected.
     *
     * @param at            when
     * @param failure       why
     * @param nextAttemptAt when the orchestrator will try again
     */
    record Degraded(Instant at, String failure, Instant nextAttemptAt) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at            when; not null
         * @param failure       why; not null
         * @param nextAttemptAt when the orchestrator will try again; not null
         */
        public Degraded {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        }
    }

    /**
     * The loop learnt from a measured run: its calibrated model was recalibrated on the run (and the ones
     * before), and the fit adopted only if it lowered the cross-validated error.
     *
     * @param at          when
     * @param placement   the placement of the run learnt from
     * @param calibration the calibration; {@code calibration.model()} is the model used from now on
     */
    record Calibrated(Instant at, Placement placement, Calibration calibration) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at          when; not null
         * @param placement   the placement of the run learnt from; not null
         * @param calibration the calibration; not null
         */
        public Calibrated {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(calibration, "calibration");
        }
    }

    /**
     * The metrics source measured the running pipeline.
     *
     * @param at        when
     * @param placement the running placement
     * @param metrics   what was measured
     */
    record MetricsMeasured(Instant at, Placement placement, PipelineMetrics metrics) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at        when; not null
         * @param placement the running placement; not null
         * @param metrics   what was measured; not null
         */
        public MetricsMeasured {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(metrics, "metrics");
        }
    }

    /**
     * A decision was journaled: one per {@link DecisionJournal} decision line, whatever became of it (kept,
     * skipped, applied, failed). Its entry says why the agent was asked, who answered, what it proposed (with any
     * advisory LLM proposal, and whether that was applied) and what the orchestrator did.
     *
     * @param at    when the agent was asked
     * @param entry the journal entry (its {@code id} is 0 if the journal failed to record it); its
     *              {@code measurement} is {@code null}, since the first metrics after it are journaled later
     */
    record DecisionRecorded(Instant at, DecisionJournal.Entry entry) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at    when the agent was asked; not null
         * @param entry the journal entry; not null
         */
        public DecisionRecorded {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(entry, "entry");
        }
    }

    /**
     * A tick ended, whatever it did: the last event of every {@link PlacementOrchestrator#runOnce()}.
     *
     * @param at      when the tick began (the outcome's {@code at})
     * @param outcome what it observed, decided and did
     */
    record TickCompleted(Instant at, TickOutcome outcome) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at      when the tick began; not null
         * @param outcome what it observed, decided and did; not null
         */
        public TickCompleted {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /**
     * A tick could not complete: the inventory, probe or agent failed. The running pipeline is left as is.
     *
     * @param at    when
     * @param error what failed, in plain words
     */
    record TickFailed(Instant at, String error) implements OrchestratorEvent {
        /**
         * Validates.
         *
         * @param at    when; not null
         * @param error what failed, in plain words; not null
         */
        public TickFailed {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(error, "error");
        }
    }
}
