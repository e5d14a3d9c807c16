package dev.placement.core;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.util.Objects;

/**
 * A placement that actually ran, the request it ran under (model, cluster, links, workload) and what was
 * measured; the input of {@link PerformanceModel#calibrate}.
 *
 * @param placement the placement that ran
 * @param request   the model, cluster, connectivity map and workload it ran under
 * @param measured  the measured metrics; a zero metric is treated as not measured
 */
public record Observation(Placement placement, PlacementRequest request, PipelineMetrics measured) {

    /**
     * Validates that every field is present.
     *
     * @param placement the placement that ran; not null
     * @param request   the model, cluster, connectivity map and workload it ran under; not null
     * @param measured  the measured metrics, a zero metric meaning not measured; not null
     */
    public Observation {
        Objects.requireNonNull(placement, "observation.placement");
        Objects.requireNonNull(request, "observation.request");
        Objects.requireNonNull(measured, "observation.measured");
    }
}
