package dev.placement.core.orchestrator;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.Prediction;

/**
 * How the orchestrator predicts a placement's metrics: the {@link dev.placement.core.PerformanceModel} in
 * production; a scripted table in tests, so loop behaviour is tested apart from the model's numbers.
 */
@FunctionalInterface
interface Predictor {
    Prediction predict(Placement placement, PlacementRequest request);
}
