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
 * vLLM's default: every node of the cluster (in cluster order, the pinned first node at rank 0), layers split
 * evenly with vLLM's remainder rule (the remainder goes one each to the partitions just before the last: 40
 * layers on 3 ranks gives 13,14,13). Name {@value #NAME}. Immutable and thread-safe.
 */
public final class EvenSplitAgent implements PlacementAgent {

    /** This agent's name. */
    public static final String NAME = "even";

    private final Supplier<PerformanceModel> model;

    /** An agent that predicts with {@link PerformanceModel#defaults()}. */
    public EvenSplitAgent() {
        this(PerformanceModel.defaults());
    }

    /**
     * @param model predicts the placement's metrics for the decision; not null
     */
    public EvenSplitAgent(PerformanceModel model) {
        Objects.requireNonNull(model, "model");
        this.model = () -> model;
    }

    /**
     * @param model supplies the model that predicts the placement's metrics, once per decision (a
     *              {@link CalibratedModel}, for example); not null, and never supplies null
     */
    public EvenSplitAgent(Supplier<PerformanceModel> model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * vLLM's layer partition of {@code layers} over {@code ranks}: {@code layers / ranks} each, then
     * {@code partitions[-i] += 1} for i in 2..remainder+1.
     *
     * @param layers the model's layer count; &ge; ranks
     * @param ranks  the pipeline-parallel size; positive
     * @return the layer counts, rank 0 first
     * @throws IllegalArgumentException if ranks is not positive or exceeds layers
     */
    public static List<Integer> vllmPartition(int layers, int ranks) {
        if (ranks < 1 || ranks > layers) {
            throw new IllegalArgumentException("cannot split " + layers + " layers over " + ranks + " ranks");
        }
        int[] parts = new int[ranks];
        java.util.Arrays.fill(parts, layers / ranks);
        int remainder = layers % ranks;
        for (int i = 2; i <= remainder + 1; i++) {
            parts[Math.floorMod(ranks - i, ranks)] += 1;
        }
        List<Integer> out = new ArrayList<>();
        for (int p : parts) {
            out.add(p);
        }
        return out;
    }

    /**
     * {@inheritDoc}
     *
     * @throws dev.placement.api.InfeasiblePlacementException if the even split does not fit (the reason says why)
     */
    @Override
    public PlacementDecision decide(PlacementRequest request) {
        List<NodeSpec> nodes = BaselineAgents.orderedNodes(request);
        List<String> ids = nodes.stream().map(NodeSpec::id).toList();
        Placement placement = Placement.of(ids, vllmPartition(request.model().layers(), ids.size()));
        return BaselineAgents.decide(NAME, "vLLM's default even split over all nodes", placement, request, model.get());
    }
}
