package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementRequestTest {

    private static final GpuSpec T4 = GpuSpec.of("T4", 16, 320, 65);
    private static final ModelSpec FALCON3 = new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040,
            12, 4, 256, 131072, 32768, 2, false, true);
    private static final ModelSpec SHORT = new ModelSpec("org/short", "opt", 12, 768, 3072, 12, 12, 64, 50272,
            2048, 2, true, false);
    private static final ClusterSnapshot CLUSTER = new ClusterSnapshot(List.of(new NodeSpec("node0", "10.0.0.10", T4),
            new NodeSpec("node1", "10.0.0.11", T4)));
    private static final ConnectivityMap LINKS = ConnectivityMap.builder().link("node0", "node1", 2.2).build();

    @Test
    void builderDefaultsMatchTheDocumentation() {
        PlacementRequest r = PlacementRequest.builder(FALCON3, CLUSTER, LINKS).build();
        assertThat(r.objective()).isEqualTo(Objective.minimizeItl());
        assertThat(r.workload()).isEqualTo(Workload.DEFAULT);
        assertThat(r.maxModelLen()).isEqualTo(4096);
        assertThat(r.firstNodeId()).isNull();
        assertThat(r.current()).isNull();
        assertThat(PlacementRequest.builder(SHORT, CLUSTER, LINKS).build().maxModelLen())
                .as("capped at the model's context").isEqualTo(2048);
    }

    @Test
    void rejectsMaxModelLenBeyondTheContextLength() {
        assertThatThrownBy(() -> PlacementRequest.builder(SHORT, CLUSTER, LINKS).maxModelLen(4096).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxModelLen must be 1 to the model's context length 2048, was 4096");
        assertThatThrownBy(() -> PlacementRequest.builder(SHORT, CLUSTER, LINKS).maxModelLen(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
    }

    @Test
    void rejectsAFirstNodeThatIsNotInTheCluster() {
        assertThatThrownBy(() -> PlacementRequest.builder(FALCON3, CLUSTER, LINKS).firstNodeId("node9").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("firstNodeId 'node9' is not in the cluster; known nodes: [node0, node1]");
        assertThat(PlacementRequest.builder(FALCON3, CLUSTER, LINKS).firstNodeId("node1").build().firstNodeId())
                .isEqualTo("node1");
    }

    @Test
    void rejectsMissingParts() {
        assertThatThrownBy(() -> PlacementRequest.builder(FALCON3, null, LINKS).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cluster must not be null");
        assertThatThrownBy(() -> PlacementRequest.builder(FALCON3, CLUSTER, LINKS).objective(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("objective must not be null");
    }

    @Test
    void toBuilderRoundTrips() {
        PlacementRequest r = PlacementRequest.builder(FALCON3, CLUSTER, LINKS).objective(Objective.minimizeTtft())
                .workload(new Workload(1024, 64, 2)).maxModelLen(8192).firstNodeId("node0")
                .current(Placement.parse("node0:20,node1:20")).build();
        assertThat(r.toBuilder().build()).isEqualTo(r);
        assertThat(r.toBuilder().maxModelLen(2048).build().maxModelLen()).isEqualTo(2048);
    }
    @Test
    void findsNothingWrongWithAPlacementThatCanRunOnTheRequest() {
        PlacementRequest r = PlacementRequest.builder(FALCON3, CLUSTER, LINKS).firstNodeId("node0").build();
        assertThat(r.problemsWith(Placement.parse("node0:20,node1:20"))).isEmpty();
        assertThat(r.problemsWith(Placement.parse("node0:40"))).as("one stage crosses no link").isEmpty();
    }

    @Test
    void listsEveryProblemOfAPlacementInPipelineOrder() {
        ClusterSnapshot three = new ClusterSnapshot(List.of(new NodeSpec("node0", "10.0.0.10", T4),
                new NodeSpec("node1", "10.0.0.11", T4), new NodeSpec("node2", "10.0.0.12", T4)));
        ConnectivityMap links = LINKS.toBuilder().unreachable("node2").build();
        PlacementRequest r = PlacementRequest.builder(FALCON3, three, links).firstNodeId("node0").build();

        assertThat(r.problemsWith(Placement.parse("node1:20,node2:10,node9:9"))).containsExactly(
                "the layer counts [20, 10, 9] sum to 39 but the model has 40 layers; the counts must sum to exactly 40",
                "node 'node2' is unreachable and cannot hold a stage",
                "node 'node9' is not among the cluster's nodes [node0, node1, node2]",
                "rank 0 must be node 'node0' (where the API server runs), not 'node1'",
                "no link is known from 'node1' to 'node2', so they cannot be neighbours in the pipeline; known links "
                        + "from 'node1': [node0]",
                "no link is known from 'node2' to 'node9', so they cannot be neighbours in the pipeline; known links "
                        + "from 'node2': []");
    }
}
