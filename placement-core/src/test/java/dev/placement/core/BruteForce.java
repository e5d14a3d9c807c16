package dev.placement.core;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores every valid placement of a small request with the public model API: the reference for the solver. The
 * best runs the most requests at once, then scores best: every objective serves the offered load.
 */
final class BruteForce {
    final PerformanceModel model;
    final PlacementRequest request;
    double bestScore = Double.POSITIVE_INFINITY;
    int bestServed;
    Placement best;
    long placements;

    BruteForce(PerformanceModel model, PlacementRequest request) {
        this.model = model;
        this.request = request;
    }

    /** GPUs per stage of the placements scored: every size from 1 to the most GPUs a node has. */
    private int tensorParallelSize = 1;

    BruteForce run() {
        List<String> ids = request.cluster().nodeIds();
        int most = request.cluster().nodes().stream().mapToInt(n -> n.gpuCount()).max().orElse(1);
        for (tensorParallelSize = 1; tensorParallelSize <= most; tensorParallelSize++) {
            extend(new ArrayList<>(), ids);
        }
        return this;
    }

    private void extend(List<String> path, List<String> ids) {
        if (!path.isEmpty()) {
            splits(path, new ArrayList<>(), request.model().layers());
        }
        for (String id : ids) {
            if (path.contains(id) || (path.isEmpty() && request.firstNodeId() != null
                    && !id.equals(request.firstNodeId()))) {
                continue;
            }
            path.add(id);
            extend(path, ids);
            path.remove(path.size() - 1);
        }
    }

    private void splits(List<String> path, List<Integer> counts, int remaining) {
        int left = path.size() - counts.size();
        if (left == 1) {
            counts.add(remaining);
            score(Placement.of(path, counts).withTensorParallelSize(tensorParallelSize));
            counts.remove(counts.size() - 1);
            return;
        }
        for (int l = 1; l <= remaining - (left - 1); l++) {
            counts.add(l);
            splits(path, counts, remaining - l);
            counts.remove(counts.size() - 1);
        }
    }

    private void score(Placement p) {
        placements++;
        Prediction pr = model.predict(p, request);
        if (!pr.fits()) {
            return;
        }
        double s = ObjectiveScore.score(request.objective(), pr);
        if (pr.servedSequences() > bestServed || (pr.servedSequences() == bestServed && s < bestScore)) {
            bestScore = s;
            bestServed = pr.servedSequences();
            best = Double.isInfinite(s) ? null : p;
        }
    }
}
