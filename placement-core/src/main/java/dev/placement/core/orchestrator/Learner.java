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
 *
 * <p>Only a material change asks the agent again: one that moves the prediction of what runs (TTFT, ITL or
 * TPOT) by at least {@value #MATERIAL} of itself; each refit moves the parameters a little, and asking an
 * agent (perhaps an LLM) for every such step would be churn.
 */
final class Learner {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    /** The relative change of a predicted metric of what runs that makes a recalibration worth a decision. */
    static final double MATERIAL = 0.02;

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
        if (changesPrediction(before, model.current(), run)) {
            state.recalibrated();
        }
        Calibration c = calibration;
        parts.journalSafely(() -> parts.journal().recordCalibration(now, run.placement(), c));
        parts.emit(new OrchestratorEvent.Calibrated(now, run.placement(), c));
    }

    private static boolean changesPrediction(PerformanceModel before, PerformanceModel after, Observation run) {
        if (before.equals(after)) {
            return false;
        }
        PipelineMetrics a = before.predict(run.placement(), run.request()).metrics();
        PipelineMetrics b = after.predict(run.placement(), run.request()).metrics();
        return moved(a.ttftMillis(), b.ttftMillis()) || moved(a.itlMillis(), b.itlMillis())
                || moved(a.tpotMillis(), b.tpotMillis());
    }

    private static boolean moved(double from, double to) {
        return Math.abs(to - from) >= MATERIAL * Math.abs(from);
    }
}
