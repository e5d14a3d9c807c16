package dev.placement.core;

import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What exo and llama.cpp do: every node of the cluster (in cluster order, the pinned first node at rank 0),
 * layers in proportion to each GPU's usable memory ({@code gpuMemoryUtilization × memory}), rounded by largest
 * remainder with at least one layer each. Name {@value #NAME}. Immutable and thread-safe.
 */
public final class ProportionalAgent implements PlacementAgent {

    /** This agent's name. */
    public static final String NAME = "proportional";

    private final Supplier<PerformanceModel> model;

    /** An agent that predicts with {@link PerformanceModel#defaults()}. */
    public ProportionalAgent() {
        this(PerformanceModel.defaults());
    }

    /**
     * @param model predicts the placement's metrics for the decision; not null
     */
    public ProportionalAgent(PerformanceModel model) {
        Objects.requireNonNull(model, "model");
        this.model = () -> model;
    }

    /**
     * @param model supplies the model that predicts the placement's metrics, once per decision (a
     *              {@link CalibratedModel}, for example); not null, and never supplies null
     */
    public ProportionalAgent(Supplier<PerformanceModel> model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * @throws dev.placement.api.InfeasiblePlacementException if the split does not fit (the reason says why)
     */
    @Override
    public PlacementDecision decide(PlacementRequest request) {
        List<NodeSpec> nodes = BaselineAgents.orderedNodes(request);
        int layers = request.model().layers();
        int k = nodes.size();
        double total = nodes.stream().mapToDouble(n -> n.gpu().memoryBytes()).sum();
        int[] counts = new int[k];
        double[] remainder = new double[k];
        int assigned = 0;
        int spare = layers - k;
        for (int i = 0; i < k; i++) {
            double share = spare * nodes.get(i).gpu().memoryBytes() / total;
            counts[i] = 1 + (int) Math.floor(share);
            remainder[i] = share - Math.floor(share);
            assigned += counts[i];
        }
        while (assigned < layers) {
            int pick = 0;
            for (int i = 1; i < k; i++) {
                if (remainder[i] > remainder[pick]) {
                    pick = i;
                }
            }
            counts[pick]++;
            remainder[pick] = -1;
            assigned++;
        }
        List<String> ids = new ArrayList<>();
        List<Integer> list = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            ids.add(nodes.get(i).id());
            list.add(counts[i]);
        }
        return BaselineAgents.decide(NAME, "a memory-proportional split over all nodes", Placement.of(ids, list),
                request, model.get());
    }
}
