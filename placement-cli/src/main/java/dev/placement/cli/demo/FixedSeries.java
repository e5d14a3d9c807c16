package dev.placement.cli.demo;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementRequest;
import dev.placement.core.EvenSplitAgent;
import dev.placement.core.PerformanceModel;
import dev.placement.core.ProportionalAgent;
import java.util.ArrayList;
import java.util.List;

/**
 * The placements the demo compares the agents with, each computed at every step on that step's nodes and true
 * links with the simulation's truth, never run (so never measured):
 * <ul>
 * <li>{@value #ALL_NODES}: vLLM's default, the even split over every node up (13/14/13 on three nodes);</li>
 * <li>{@value #PROPORTIONAL}: layers in proportion to each node's GPU memory, over every node up;</li>
 * <li>{@value #TWO_NODES}: the even split over the cluster's first two nodes (the scenario's {@code firstNode}
 * first when it names one), the same placement at every step: {@code node0:20,node1:20} on the research
 * testbed, the research's 20/20. It does not run at a step where one of its nodes is down.</li>
 * </ul>
 * Immutable.
 */
final class FixedSeries {
    /** The series name of vLLM's default split over every node up. */
    static final String ALL_NODES = "fixed all nodes (vLLM default: even split)";
    /** The series name of the memory-proportional split. */
    static final String PROPORTIONAL = "memory-proportional (exo, llama.cpp)";
    /** The series name of the fixed 2-node placement. */
    static final String TWO_NODES = "fixed 2 nodes (even split, first two nodes)";

    private final PerformanceModel truth;
    private final Placement twoNodes;

    /**
     * @param scenario the scenario; its cluster order (and first node) gives the 2-node placement
     * @param truth    the simulation's truth, which gives every fixed series its metrics
     */
    FixedSeries(DemoScenario scenario, PerformanceModel truth) {
        this.truth = truth;
        this.twoNodes = twoNodes(scenario);
    }

    /**
     * @param scenario a scenario
     * @return the fixed 2-node placement: vLLM's even split over the first node (the scenario's first node if
     *         it names one) and the next node in cluster order; null if the cluster has one node
     */
    static Placement twoNodes(DemoScenario scenario) {
        List<String> ids = new ArrayList<>();
        if (scenario.firstNodeId() != null) {
            ids.add(scenario.firstNodeId());
        }
        for (NodeSpec n : scenario.cluster().nodes()) {
            if (ids.size() < 2 && !ids.contains(n.id())) {
                ids.add(n.id());
            }
        }
        int layers = scenario.model().layers();
        if (ids.size() < 2 || layers < 2) {
            return null;
        }
        return Placement.of(ids, EvenSplitAgent.vllmPartition(layers, 2));
    }

    /**
     * @param truthRequest the step's request on the nodes up and the true links
     * @return the fixed series at this step: all nodes, memory-proportional, 2 nodes
     */
    List<DemoRun.Series> at(PlacementRequest truthRequest) {
        Placement two = twoNodes != null && truthRequest.cluster().nodeIds().containsAll(twoNodes.nodeIds())
                ? twoNodes : null;
        return List.of(chosenBy(ALL_NODES, new EvenSplitAgent(truth), truthRequest),
                chosenBy(PROPORTIONAL, new ProportionalAgent(truth), truthRequest),
                DemoRun.series(TWO_NODES, two, truthRequest, truth));
    }

    private DemoRun.Series chosenBy(String name, PlacementAgent agent, PlacementRequest truthRequest) {
        try {
            return DemoRun.series(name, agent.decide(truthRequest).placement(), truthRequest, truth);
        } catch (InfeasiblePlacementException e) {
            return new DemoRun.Series(name, null, null);
        }
    }
}
