package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlacementTest {

    @Test
    void givesVllmLayerPartitionInRankOrder() {
        Placement p = Placement.of(List.of("node0", "node1", "node2"), List.of(13, 14, 13));
        assertThat(p.layerPartition()).isEqualTo("13,14,13");
        assertThat(p.pipelineParallelSize()).isEqualTo(3);
        assertThat(p.totalLayers()).isEqualTo(40);
        assertThat(p.nodeIds()).containsExactly("node0", "node1", "node2");
        assertThat(p.layerCounts()).containsExactly(13, 14, 13);
        assertThat(p.stages().get(1)).isEqualTo(new Stage("node1", 13, 14));
        assertThat(p.uses("node2")).isTrue();
        assertThat(p.uses("node3")).isFalse();
    }

    @Test
    void specRoundTripsThroughParse() {
        Placement p = Placement.of(List.of("node0", "jetson-1.local"), List.of(20, 20));
        assertThat(p.toSpec()).isEqualTo("node0:20,jetson-1.local:20");
        assertThat(p.toString()).isEqualTo(p.toSpec());
        assertThat(Placement.parse(p.toSpec())).isEqualTo(p);
        assertThat(Placement.parse(" node0 : 20 , jetson-1.local:20 ")).isEqualTo(p);
    }

    @Test
    void rejectsAGapBetweenStages() {
        assertThatThrownBy(() -> new Placement(List.of(new Stage("a", 0, 10), new Stage("b", 12, 10))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stage 1 on 'b' starts at layer 12 but must start at layer 10 "
                        + "(stages are contiguous, rank 0 starts at layer 0)");
    }

    @Test
    void rejectsOverlappingStages() {
        assertThatThrownBy(() -> new Placement(List.of(new Stage("a", 0, 10), new Stage("b", 8, 10))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starts at layer 8 but must start at layer 10");
    }

    @Test
    void rejectsAFirstStageThatDoesNotStartAtLayerZero() {
        assertThatThrownBy(() -> new Placement(List.of(new Stage("a", 1, 10))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stage 0 on 'a' starts at layer 1 but must start at layer 0");
    }

    @Test
    void rejectsANodeInTwoStages() {
        assertThatThrownBy(() -> Placement.of(List.of("a", "b", "a"), List.of(10, 10, 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node 'a' appears in more than one stage");
    }

    @Test
    void rejectsAnEmptyPlacementAndAnEmptyStage() {
        assertThatThrownBy(() -> new Placement(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a placement needs at least one stage");
        assertThatThrownBy(() -> new Stage("a", 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stage 'a' layerCount must be positive, was 0");
        assertThatThrownBy(() -> new Stage("a", -1, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stage 'a' firstLayer must not be negative, was -1");
    }

    @Test
    void rejectsMismatchedListLengths() {
        assertThatThrownBy(() -> Placement.of(List.of("a", "b"), List.of(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("got 2 nodes but 1 layer counts");
    }

    @Test
    void copiesTheStageList() {
        List<Stage> stages = new java.util.ArrayList<>(List.of(new Stage("a", 0, 4)));
        Placement p = new Placement(stages);
        stages.add(new Stage("b", 4, 4));
        assertThat(p.stages()).hasSize(1);
        assertThatThrownBy(() -> p.stages().add(new Stage("c", 4, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aTensorParallelSizeRoundTripsAfterAnAtAndCountsInTheWorldSize() {
        Placement p = Placement.of(List.of("node0", "node1"), List.of(20, 20)).withTensorParallelSize(2);
        assertThat(p.toSpec()).isEqualTo("node0:20,node1:20@tp2");
        assertThat(Placement.parse(p.toSpec())).isEqualTo(p);
        assertThat(p.worldSize()).isEqualTo(4);
        assertThat(p.layerPartition()).isEqualTo("20,20");
        assertThat(p).isNotEqualTo(p.withTensorParallelSize(1));
        assertThat(Placement.parse("node0:40").tensorParallelSize()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"node0:40@tp", "node0:40@tp0", "node0:40@2", "node0:40@tpx", "node0:40@tp-1"})
    void parseRejectsASuffixThatIsNotTpAndAWholeNumber(String spec) {
        assertThatThrownBy(() -> Placement.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not @tpN with N a whole number of GPUs per stage");
    }

    @Test
    void aTensorParallelSizeBelowOneOrAboveTheCapIsRefused() {
        List<Stage> stages = List.of(new Stage("node0", 0, 40));
        assertThatThrownBy(() -> new Placement(stages, 0)).hasMessage("tensorParallelSize must be 1 to 1024, was 0");
        assertThatThrownBy(() -> new Placement(stages, 1025)).hasMessageContaining("was 1025");
    }

    @Test
    void parseRejectsAZeroLayerEntry() {
        assertThatThrownBy(() -> Placement.parse("node0:0,node1:40"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stage 'node0' layerCount must be positive, was 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node0:20,node1", "node0:20,,node1:20", ":20", "node0:"})
    void parseRejectsAnEntryThatIsNotNodeColonLayers(String spec) {
        assertThatThrownBy(() -> Placement.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not NODE:LAYERS (for example node0:20,node1:20)");
    }

    @Test
    void parseRejectsANonNumericLayerCountNamingTheEntry() {
        assertThatThrownBy(() -> Placement.parse("node0:20,node1:twenty"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("placement entry 'node1:twenty': layer count 'twenty' is not a whole number");
    }

    @Test
    void parseRejectsABlankSpecAndABadNodeId() {
        assertThatThrownBy(() -> Placement.parse("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("placement must not be blank");
        assertThatThrownBy(() -> Placement.parse("node 0:20"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'node 0' is not a valid node id");
    }

    @Test
    void requireLayersChecksTheModelsLayerCount() {
        Placement p = Placement.parse("a:20,b:20");
        assertThat(p.requireLayers(40)).isSameAs(p);
        assertThatThrownBy(() -> p.requireLayers(32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the placement holds 40 layers but the model has 32");
    }
}
