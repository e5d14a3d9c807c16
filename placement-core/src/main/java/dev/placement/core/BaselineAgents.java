package dev.placement.core;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.List;

/** What the baseline agents share: every node, the pinned one first, and a prediction for the rationale. */
final class BaselineAgents {
    private BaselineAgents() {
    }

    /** The cluster's nodes in cluster order, with the pinned first node (if any) moved to rank 0. */
    static List<NodeSpec> orderedNodes(PlacementRequest request) {
        List<NodeSpec> nodes = new ArrayList<>(request.cluster().nodes());
        if (nodes.isEmpty()) {
            throw new InfeasiblePlacementException("the cluster has no nodes");
        }
        if (request.firstNodeId() != null) {
            NodeSpec first = request.cluster().node(request.firstNodeId());
            nodes.remove(first);
            nodes.add(0, first);
        }
        if (request.model().layers() < nodes.size()) {
            throw new InfeasiblePlacementException("the model has " + request.model().layers()
                    + " layers, fewer than the " + nodes.size() + " nodes that need at least one each");
        }
        return nodes;
    }

    static PlacementDecision decide(String agent, String how, Placement placement, PlacementRequest request,
            PerformanceModel model) {
        Prediction p = model.predict(placement, request);
        if (!p.fits()) {
            throw new InfeasiblePlacementException(how + " " + placement.toSpec() + " does not fit: "
                    + p.infeasibleReason());
        }
        String rationale = how + " " + placement.toSpec() + " (layer partition " + placement.layerPartition()
                + "); predicted " + Rationale.metrics(p.metrics(), p.maxConcurrentSequences()) + ".";
        return new PlacementDecision(placement, agent, rationale, p.metrics(), null);
    }
}
