package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetryReductionTest {
    private final PerformanceModel model = PerformanceModel.defaults();

    private PipelineCosts costs(double added01, double added12, String firstNode) {
        PlacementRequest.Builder request = PlacementRequest.builder(Fixtures.falcon(), Fixtures.threeT4(),
                Fixtures.testbed(0.3, added01, added12)).objective(Objective.minimizeItl()).maxModelLen(4096);
        if (firstNode != null) {
            request.firstNodeId(firstNode);
        }
        return new PipelineCosts(request.build(), model.parameters());
    }

    @Test
    void identicalNodesOnAUniformNetworkAreInterchangeableExceptThePinnedFirstNode() {
        assertThat(SymmetryReduction.lowerMates(costs(0, 0, null), -1)).containsExactly(0, 0b01, 0b11);
        assertThat(SymmetryReduction.lowerMates(costs(0, 0, "node1"), 1)).containsExactly(0, 0, 0b01);
    }

    @Test
    void nodesWithDifferentLinksAreNotInterchangeable() {
        // node1 sits behind the slow links; node0 and node2 then differ in their links to node1.
        assertThat(SymmetryReduction.lowerMates(costs(2, 10, null), -1)).containsExactly(0, 0, 0);
    }

    @Test
    void aCandidateOnTheSameKindsOfNodeIsDominatedUnlessALinkTermIsSmaller() {
        // Unequal links: nothing is interchangeable, but all three are T4s, so every stage runs on the same kind.
        SymmetryReduction symmetry = new SymmetryReduction(new NodeTables(costs(2, 10, null)), -1);
        assertThat(symmetry.dominated(0, 0b111, 2, new double[] {1, 1, 1, 1})).isFalse();
        assertThat(symmetry.dominated(1, 0b111, 0, new double[] {2, 1, 1, 1})).isTrue();
        assertThat(symmetry.dominated(2, 0b111, 1, new double[] {1, 1, 1, 0.5})).isFalse();
        // A pipeline of two stages has other splits than one of three.
        assertThat(symmetry.dominated(0, 0b011, 1, new double[] {9, 9, 9, 9})).isFalse();
        // One stage on node0 alone has other splits than node0 both first and last of more.
        assertThat(symmetry.dominated(0, 0b001, 0, new double[] {9, 9, 9, 9})).isFalse();
    }

    @Test
    void candidatesOnDifferentKindsOfNodeNeverDominateEachOtherOnLargeClusters() {
        // 16 nodes of 16 kinds: a 64-bit key packing 4 bits per kind lost the first and last kinds from 14 nodes.
        PlacementRequest request = Fixtures.randomRequest(new Random(5), 16, 40);
        NodeTables tables = new NodeTables(new PipelineCosts(request, model.parameters()));
        assertThat(Arrays.stream(tables.type).distinct().count()).isEqualTo(16);
        SymmetryReduction symmetry = new SymmetryReduction(tables, -1);

        assertThat(symmetry.dominated(0, 0b111, 1, new double[] {1, 1, 1, 1})).isFalse();
        // The same middle node (2), other first and last nodes: other stage terms, other splits.
        assertThat(symmetry.dominated(3, 0b11100, 4, new double[] {2, 2, 2, 2})).isFalse();
        assertThat(symmetry.dominated(15, 0b1000000000000101, 0, new double[] {2, 2, 2, 2})).isFalse();
        // The same kinds again are still dominated.
        assertThat(symmetry.dominated(0, 0b111, 1, new double[] {3, 3, 3, 3})).isTrue();
    }
}
