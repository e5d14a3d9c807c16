package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real iperf3 processes on 127.0.0.1, run by a {@link LocalCommandRunner} as SSH would run them on a node.
 * Needs iperf3 on the PATH ({@code .ci/run} installs it). Two nodes at 127.0.0.1 stand for two machines, so
 * every pair is the loopback link.
 */
class BandwidthProbeLoopbackTest {
    /** A plausibility floor only: loopback moves gigabits per second, but a loaded machine far less. */
    private static final double TEN_MBIT_PER_SECOND_IN_BYTES = 10e6 / 8;
    private static final ClusterSnapshot CLUSTER = ProbeFixtures.loopbackCluster(2);
    private static final ConnectivityMap RTTS = ConnectivityMap.builder().link("node0", "node1", 0.05).build();

    private final LocalCommandRunner runner = new LocalCommandRunner();
    private final List<String> warnings = new ArrayList<>();

    private BandwidthProbe.Builder probe(CommandRunner runner) {
        return BandwidthProbe.builder(runner, new StaticProbe(RTTS, Clock.systemUTC())).port(freePort())
                .warnings(warnings::add);
    }

    /** A port nothing listens on now; iperf3's default 5201 may be taken by an iperf3 daemon or another build. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on the loopback interface", e);
        }
    }

    @Test
    void measuresALoopbackPairInBothDirectionsWithRealIperf3() {
        ConnectivityMap map = probe(runner).build().measure(CLUSTER);

        assertThat(warnings).isEmpty();
        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).isPresent();
        assertThat(map.bandwidthBytesPerSecond("node0", "node1").getAsDouble())
                .isGreaterThan(TEN_MBIT_PER_SECOND_IN_BYTES);
        assertThat(map.bandwidthBytesPerSecond("node1", "node0")).isPresent();
        assertThat(map.bandwidthBytesPerSecond("node1", "node0").getAsDouble())
                .isGreaterThan(TEN_MBIT_PER_SECOND_IN_BYTES);
        assertThat(map.requireRttMillis("node0", "node1")).isEqualTo(0.05);
        System.out.printf("loopback bandwidth: node0 -> node1 %.0f Mbit/s, node1 -> node0 %.0f Mbit/s%n",
                map.bandwidthBytesPerSecond("node0", "node1").getAsDouble() * 8 / 1e6,
                map.bandwidthBytesPerSecond("node1", "node0").getAsDouble() * 8 / 1e6);
    }

    @Test
    void leavesAPairAbsentAndLogsWhyWhenItsServerProgramDoesNotExist() {
        ConnectivityMap map = probe(runner).program("/nonexistent/bin/iperf3").build().measure(CLUSTER);

        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).isEmpty();
        assertThat(map.bandwidthBytesPerSecond("node1", "node0")).isEmpty();
        assertThat(map.requireRttMillis("node0", "node1")).as("RTTs are still reported").isEqualTo(0.05);
        assertThat(warnings).hasSize(2).first().asString()
                .startsWith("bandwidth from 'node0' to 'node1' not measured: cannot start the iperf3 server on node "
                        + "'node1': cannot run '/nonexistent/bin/iperf3' on node 'node1'");
    }

    @Test
    void leavesAPairAbsentAndLogsWhyWhenItsServerExitsWithAnError() {
        ConnectivityMap map = probe(runner).program("false").build().measure(CLUSTER);

        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).isEmpty();
        assertThat(warnings).contains("bandwidth from 'node0' to 'node1' not measured: the iperf3 server on node "
                + "'node1' did not start (exit code 1)");
    }

    @Test
    void leavesAPairAbsentWhenNothingListensOnItsPortAfterTheLastTry() {
        // As if the daemonised server exited before listening: it reports success, and the real client finds the
        // port closed.
        List<String> serverStarts = new ArrayList<>();
        CommandRunner noServer = (node, command, timeout) -> {
            if (command.contains("-s")) {
                serverStarts.add(node.id());
                return new CommandRunner.CommandResult(0, "", "");
            }
            return runner.run(node, command, timeout);
        };

        ConnectivityMap map = probe(noServer).pause(d -> { }).build().measure(CLUSTER);

        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).isEmpty();
        assertThat(serverStarts).hasSize(2 * Iperf3Pair.ATTEMPTS);
        assertThat(warnings).hasSize(2).first().asString()
                .startsWith("bandwidth from 'node0' to 'node1' not measured: iperf3 reported: unable to connect to "
                        + "server: Connection refused (4 tries");
    }

    @Test
    void reusesTheMeasuredBandwidthBetweenMeasurementsWithoutRunningIperf3Again() {
        ConnectivityMap rtts = ConnectivityMap.builder().rtt("node0", "node1", 0.05).build();
        BandwidthProbe probe = BandwidthProbe.builder(runner, new StaticProbe(rtts, Clock.systemUTC()))
                .port(freePort()).refreshInterval(Duration.ofHours(1)).warnings(warnings::add).build();

        ConnectivityMap first = probe.measure(CLUSTER);
        int commands = runner.calls().size();
        ConnectivityMap second = probe.measure(CLUSTER);

        assertThat(first.bandwidthBytesPerSecond("node0", "node1")).isPresent();
        assertThat(second.bandwidthBytesPerSecond("node0", "node1")).isEqualTo(
                first.bandwidthBytesPerSecond("node0", "node1"));
        assertThat(runner.calls()).hasSize(commands);
        assertThat(warnings).isEmpty();
    }

    @Test
    void theLocalRunnerRefusesAnyAddressButLoopback() {
        NodeSpec elsewhere = new NodeSpec("node9", "10.0.0.9", ProbeFixtures.T4);

        assertThatThrownBy(() -> runner.run(elsewhere, List.of("true"),
                Duration.ofSeconds(1))).hasMessageContaining("only for nodes at 127.0.0.1");
        assertThatThrownBy(() -> runner.run(CLUSTER.nodes().get(0),
                List.of("iperf3", "-c", "10.0.0.9"), Duration.ofSeconds(1))).hasMessageContaining("only to 127.0.0.1");
    }
}
