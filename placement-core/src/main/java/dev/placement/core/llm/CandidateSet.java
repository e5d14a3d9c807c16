package dev.placement.core.llm;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.EvenSplitAgent;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Picks a few candidate placements and predicts them for the prompt: the solver's best, vLLM's even split
 * on all nodes, and the best split over rank 0 and its fastest neighbour. A candidate that cannot be
 * computed is left out; one that does not fit is shown with its reason. Immutable and thread-safe.
 */
final class CandidateSet {

    private final PerformanceModel model;
    private final PlacementSolver solver;

    CandidateSet(PerformanceModel model) {
        this.model = model;
        this.solver = new PlacementSolver(model);
    }

    List<PromptContext.CandidatePrediction> predict(PlacementRequest request) {
        List<PromptContext.CandidatePrediction> out = new ArrayList<>();
        Set<Placement> seen = new HashSet<>();
        Prediction best = null;
        try {
            best = solver.solve(request).best();
            add(out, seen, "the solver's best under the performance model", best);
        } catch (InfeasiblePlacementException | IllegalArgumentException e) {
            // No feasible placement: the LLM will be told by validation; nothing to show here.
        }
        List<NodeSpec> nodes = request.cluster().nodes();
        if (nodes.size() > 1) {
            List<String> ids = new ArrayList<>(request.cluster().nodeIds());
            if (request.firstNodeId() != null) {
                ids.remove(request.firstNodeId());
                ids.add(0, request.firstNodeId());
            }
            if (ids.size() <= request.model().layers()) {
                Placement evenSplit = Placement.of(ids, EvenSplitAgent.vllmPartition(request.model().layers(),
                        ids.size()));
                add(out, seen, "vLLM's default even split on all nodes", model.predict(evenSplit, request));
            }
        }
        if (nodes.size() > 2) {
            String first = request.firstNodeId() != null ? request.firstNodeId()
                    : best != null ? best.placement().nodeIds().get(0) : nodes.get(0).id();
            String partner = fastestNeighbour(first, request);
            if (partner != null) {
                ClusterSnapshot pair = new ClusterSnapshot(List.of(request.cluster().node(first),
                        request.cluster().node(partner)), request.cluster().gpuMemoryUtilization());
                PlacementRequest pairRequest = request.toBuilder().cluster(pair).current(null).build();
                try {
                    add(out, seen, "the best split over the two nodes " + first + " and " + partner,
                            model.predict(solver.solve(pairRequest).best().placement(), request));
                } catch (InfeasiblePlacementException | IllegalArgumentException e) {
                    // The two nodes cannot hold the model together; the other candidates say enough.
                }
            }
        }
        return out;
    }

    private static void add(List<PromptContext.CandidatePrediction> out, Set<Placement> seen, String label,
            Prediction prediction) {
        if (seen.add(prediction.placement())) {
            out.add(new PromptContext.CandidatePrediction(label, prediction));
        }
    }

    /** The reachable node with the lowest RTT from {@code first} (both ways known), or null. */
    private static String fastestNeighbour(String first, PlacementRequest request) {
        String bestId = null;
        double bestRtt = Double.POSITIVE_INFINITY;
        for (NodeSpec n : request.cluster().nodes()) {
            if (n.id().equals(first) || request.connectivity().unreachableNodes().contains(n.id())) {
                continue;
            }
            OptionalDouble there = request.connectivity().rttMillis(first, n.id());
            OptionalDouble back = request.connectivity().rttMillis(n.id(), first);
            if (there.isPresent() && back.isPresent() && there.getAsDouble() + back.getAsDouble() < bestRtt) {
                bestRtt = there.getAsDouble() + back.getAsDouble();
                bestId = n.id();
            }
        }
        return bestId;
    }
}
