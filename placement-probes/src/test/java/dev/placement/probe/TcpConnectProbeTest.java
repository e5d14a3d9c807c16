package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.ConnectivityMap;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TcpConnectProbeTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void measuresTheHandshakeToAListeningPortAndEstimatesOtherPairsThroughTheOrigin() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpConnectProbe probe = TcpConnectProbe.builder().port(server.getLocalPort()).samples(3)
                    .clock(java.time.Clock.fixed(NOW, ZoneOffset.UTC)).build();

            ConnectivityMap map = probe.measure(ProbeFixtures.loopbackCluster(3));

            double a = map.requireRttMillis("node0", "node1");
            double b = map.requireRttMillis("node0", "node2");
            assertThat(a).isGreaterThanOrEqualTo(0).isLessThan(1000);
            assertThat(map.requireRttMillis("node1", "node0")).isEqualTo(a);
            assertThat(map.requireRttMillis("node1", "node2")).isEqualTo(a + b);
            assertThat(map.unreachableNodes()).isEmpty();
            assertThat(map.measuredAt()).isEqualTo(NOW);
        }
    }

    @Test
    void reportsANodeWhosePortIsClosedAsUnreachable() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        TcpConnectProbe probe = TcpConnectProbe.builder().port(closedPort)
                .connectTimeout(Duration.ofMillis(500)).build();

        ConnectivityMap map = probe.measure(ProbeFixtures.loopbackCluster(2));

        assertThat(map.unreachableNodes()).containsExactly("node1");
        assertThat(map.hasLink("node0", "node1")).isFalse();
    }

    @Test
    void leavesOtherPairsUnknownWhenEstimationIsOff() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpConnectProbe probe = TcpConnectProbe.builder().port(server.getLocalPort()).samples(1)
                    .originNodeId("node1").estimatePairsThroughOrigin(false).build();

            ConnectivityMap map = probe.measure(ProbeFixtures.loopbackCluster(3));

            assertThat(map.hasLink("node1", "node0")).isTrue();
            assertThat(map.hasLink("node1", "node2")).isTrue();
            assertThat(map.hasLink("node0", "node2")).isFalse();
        }
    }
}
