package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterSnapshotTest {

    private static final GpuSpec T4 = GpuSpec.of("T4", 16, 320, 65);

    @Test
    void gpuSpecConvertsDataSheetUnits() {
        assertThat(T4.memoryBytes()).isEqualTo(16L << 30);
        assertThat(T4.memoryBandwidthBytesPerSecond()).isEqualTo(320e9);
        assertThat(T4.fp16FlopsPerSecond()).isEqualTo(65e12);
        assertThatThrownBy(() -> GpuSpec.of("X", 0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpu.memoryGiB must be a positive finite number, was 0.0");
        assertThatThrownBy(() -> GpuSpec.of(" ", 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpu.name must not be blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node 1", "", "n/1", "a;rm -rf", "x12345678901234567890123456789012345678901234567890123456789012345"})
    void nodeSpecRejectsAnInvalidId(String id) {
        assertThatThrownBy(() -> new NodeSpec(id, "10.0.0.1", T4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node.id '" + id + "' is not a valid node id: use 1 to 64 of the characters");
    }

    @Test
    void nodeSpecAcceptsTheIdAlphabetAndCopiesLabels() {
        Map<String, String> labels = new HashMap<>(Map.of("zone", "lab"));
        NodeSpec node = new NodeSpec("jetson-1.lab_A", "jetson1.local", T4, 2, labels);
        labels.put("rack", "3");
        assertThat(node.labels()).containsOnlyKeys("zone");
        assertThat(new NodeSpec("n", "h", T4).labels()).isEmpty();
        assertThat(new NodeSpec("n", "h", T4, 1, null).labels()).isEmpty();
    }

    @Test
    void nodeSpecRejectsBlankAddressMissingGpuAndZeroGpus() {
        assertThatThrownBy(() -> new NodeSpec("n", " ", T4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node 'n' address must not be blank");
        assertThatThrownBy(() -> new NodeSpec("n", "h", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("node 'n' gpu must not be null");
        assertThatThrownBy(() -> new NodeSpec("n", "h", T4, 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node 'n' gpuCount must be positive, was 0");
    }

    @Test
    void clusterRejectsDuplicateNodeIds() {
        List<NodeSpec> nodes = List.of(new NodeSpec("a", "h1", T4), new NodeSpec("a", "h2", T4));
        assertThatThrownBy(() -> new ClusterSnapshot(nodes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id 'a' appears twice; ids must be unique");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -0.1, 1.01, Double.NaN})
    void clusterRejectsUtilisationOutsideZeroToOne(double utilisation) {
        assertThatThrownBy(() -> new ClusterSnapshot(List.of(), utilisation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gpuMemoryUtilization must be in (0, 1], was " + utilisation);
    }

    @Test
    void clusterDefaultsToVllmUtilisationAndFindsNodes() {
        ClusterSnapshot cluster = new ClusterSnapshot(List.of(new NodeSpec("a", "h1", T4),
                new NodeSpec("b", "h2", T4)));
        assertThat(cluster.gpuMemoryUtilization()).isEqualTo(0.9);
        assertThat(new ClusterSnapshot(List.of(), 1.0).gpuMemoryUtilization()).isEqualTo(1.0);
        assertThat(cluster.nodeIds()).containsExactly("a", "b");
        assertThat(cluster.find("b")).isPresent();
        assertThat(cluster.find("c")).isEmpty();
        assertThatThrownBy(() -> cluster.node("c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown node 'c'; known nodes: [a, b]");
        assertThat(cluster.without("a").nodeIds()).containsExactly("b");
        assertThat(cluster.without("zz")).isEqualTo(cluster);
    }
}
