package dev.placement.core.orchestrator;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A placement's predicted metrics, or why there are none: it cannot run ({@code problem} says why), or the
 * predictor could not judge it (both null).
 *
 * @param metrics the predicted metrics, or {@code null}
 * @param problem why the placement cannot run, or {@code null}
 */
record Estimate(PipelineMetrics metrics, String problem) {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    /** Predicts once; a predictor that fails for another reason than infeasibility is logged. */
    static Estimate of(MetricsPredictor predictor, Placement placement, PlacementRequest request) {
        try {
            return new Estimate(predictor.predictMetrics(placement, request), null);
        } catch (InfeasiblePlacementException e) {
            return new Estimate(null, LoopParts.message(e));
        } catch (RuntimeException e) {
            LOG.warn("could not predict {}: {}", placement, LoopParts.message(e));
            return new Estimate(null, null);
        }
    }

    /** @return the problem, or the given words when the predictor could not judge the placement */
    String problemOr(String unjudged) {
        return problem != null ? problem : unjudged;
    }
}
