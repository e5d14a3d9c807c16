package dev.placement.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.GpuCatalog;
import dev.placement.api.InvalidInputException;
import dev.placement.api.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectivityFileProbeTest {
    private static final ClusterSnapshot DECLARED = new ClusterSnapshot(List.of(
            new NodeSpec("node0", "10.0.0.10", GpuCatalog.builtIn().get("T4")),
            new NodeSpec("node1", "10.0.0.11", GpuCatalog.builtIn().get("T4")),
            new NodeSpec("node2", "10.0.0.12", GpuCatalog.builtIn().get("T4"))));
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void everyMeasurementReadsTheFileAsItIsNowAndStampsItNow() throws Exception {
        Path file = Files.writeString(dir.resolve("links.yaml"), "rttMillis: {node0: {node1: 0.2, node2: 0.2}}\n");
        ConnectivityFileProbe probe = new ConnectivityFileProbe(file, DECLARED, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(probe.measure(DECLARED).requireRttMillis("node1", "node0")).isEqualTo(0.2);
        assertThat(probe.measure(DECLARED).measuredAt()).isEqualTo(NOW);

        Files.writeString(file, "rttMillis: {node0: {node1: 2.2, node2: 12.2}}\n");
        assertThat(probe.measure(DECLARED).requireRttMillis("node0", "node2")).isEqualTo(12.2);
    }

    @Test
    void aNodeThatIsDownMayStillBeNamedButAnUnknownOneOrABrokenFileIsReported() throws Exception {
        Path file = Files.writeString(dir.resolve("links.yaml"), "rttMillis: {node0: {node1: 2.2, node2: 12.2}}\n");
        ConnectivityFileProbe probe = new ConnectivityFileProbe(file, DECLARED, Clock.systemUTC());
        assertThat(probe.measure(DECLARED.without("node2")).requireRttMillis("node0", "node1")).isEqualTo(2.2);

        Files.writeString(file, "rttMillis: {node0: {node7: 1}}\n");
        assertThatThrownBy(() -> probe.measure(DECLARED)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("links.yaml: ").hasMessageContaining("node7");
        Files.delete(file);
        assertThatThrownBy(() -> probe.measure(DECLARED)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not found");
    }
}
