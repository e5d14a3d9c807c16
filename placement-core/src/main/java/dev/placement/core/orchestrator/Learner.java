package dev.placement.core.orchestrator;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.CalibratedModel;
import dev.placement.core.Calibration;
import dev.placement.core.Observation;
import dev.placement.core.PerformanceModel;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learning step of a tick: each metrics sample of what runs goes into the steady window; when the window
 * completes, its observation recalibrates the loop's model, the calibration is journaled and told, and a
 * calibration that changed the model marks the state so that the agent is asked again. Does nothing without
 * a calibrated model. Not thread-safe; used under the tick lock.
 */
final class Learner {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    private final LoopParts parts;

    Learner(LoopParts parts) {
        this.parts = parts;
    }

    void learn(Instant now, RunningPipeline running, PlacementRequest request, PipelineMetrics measured,
            LoopState state) {
        CalibratedModel model = parts.calibration();
        if (model == null || running == null || request.current() == null) {
            return;
        }
        Observation run = state.window().add(running, request, measured);
        if (run == null) {
            return;
        }
        PerformanceModel before = model.current();
        Calibration calibration;
        try {
            calibration = model.observe(run);
        } catch (UncheckedIOException e) {
            // The model adopted the calibration; only the file could not be written.
            LOG.warn("{}", LoopParts.message(e));
            calibration = model.lastCalibration().orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("could not learn from {} ({}): {}", run.placement(), run.measured(), LoopParts.message(e));
            return;
        }
        if (calibration == null) {
            return;
        }
        if (!model.current().equals(before)) {
            state.recalibrated();
        }
        Calibration c = calibration;
        parts.journalSafely(() -> parts.journal().recordCalibration(now, run.placement(), c));
        parts.emit(new OrchestratorEvent.Calibrated(now, run.placement(), c));
    }
}
