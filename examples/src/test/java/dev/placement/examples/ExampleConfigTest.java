package dev.placement.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.core.input.ClusterFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configuration files the README points users at must stay valid. */
class ExampleConfigTest {

    @Test
    void shippedClusterAndConnectivityFilesParse() {
        ClusterSnapshot cluster = ClusterFiles.readCluster(Path.of("config/cluster-3xT4.yaml"));
        assertThat(cluster.nodeIds()).containsExactly("node0", "node1", "node2");

        ConnectivityMap fast = ClusterFiles.readConnectivity(Path.of("config/connectivity-fast.yaml"), cluster);
        assertThat(fast.requireRttMillis("node2", "node0")).isEqualTo(0.2);

        ConnectivityMap slow = ClusterFiles.readConnectivity(Path.of("config/connectivity-slow-node2.yaml"), cluster);
        assertThat(slow.requireRttMillis("node2", "node1")).isEqualTo(10.2);
        assertThat(slow.bandwidthBytesPerSecond("node1", "node2").getAsDouble()).isEqualTo(300e6 / 8);
    }
}
