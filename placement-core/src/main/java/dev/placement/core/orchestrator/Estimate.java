package dev.placement.core.orchestrator;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A placement's predicted metrics, or why there are none: it cannot run ({@code problem} says why), or the
 * predictor could not judge it (both null). When the predictor is this library's performance model, the whole
 * prediction is kept too: how many requests the placement runs at once and how they spread, which is what
 * comparing placements by the objective needs ({@link dev.placement.core.ObjectiveScore#regret}).
 *
 * @param metrics    the predicted metrics, or {@code null}
 * @param problem    why the placement cannot run, or {@code null}
 * @param prediction the performance model's prediction, or {@code null} when the predictor is another kind or
 *                   there are no metrics
 */
record Estimate(PipelineMetrics metrics, String problem, Prediction prediction) {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    /** An estimate from metrics alone, or a problem. */
    Estimate(PipelineMetrics metrics, String problem) {
        this(metrics, problem, null);
    }

    /** Predicts once; a predictor that fails for another reason than infeasibility is logged. */
    static Estimate of(MetricsPredictor predictor, Placement placement, PlacementRequest request) {
        try {
            PerformanceModel model = model(predictor);
            if (model != null) {
                Prediction p = model.predict(placement, request);
                if (!p.fits()) {
                    return new Estimate(null, p.infeasibleReason());
                }
                return new Estimate(p.metrics(), null, p);
            }
            return new Estimate(predictor.predictMetrics(placement, request), null);
        } catch (InfeasiblePlacementException e) {
            return new Estimate(null, LoopParts.message(e));
        } catch (RuntimeException e) {
            LOG.warn("could not predict {}: {}", placement, LoopParts.message(e));
            return new Estimate(null, null);
        }
    }

    /** @return the performance model behind a predictor, or null when it is another kind */
    static PerformanceModel model(MetricsPredictor predictor) {
        return predictor instanceof CalibratedModel c ? c.current()
                : predictor instanceof PerformanceModel m ? m : null;
    }

    /** @return the problem, or the given words when the predictor could not judge the placement */
    String problemOr(String unjudged) {
        return problem != null ? problem : unjudged;
    }
}
