package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import dev.placement.sim.SimulatedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The probe's logic against a scripted runner that answers with reports iperf3 really printed: when it
 * measures, what it reuses, what it retries and what it leaves absent. {@link BandwidthProbeLoopbackTest} runs
 * real iperf3.
 */
class BandwidthProbeTest {
    private static final Instant START = Instant.parse("2026-01-01T12:00:00Z");
    private static final double LOOPBACK_BYTES_PER_SECOND = Iperf3Reports.LOOPBACK_BITS_PER_SECOND / 8;
    private static final NodeSpec NODE0 = new NodeSpec("node0", "10.0.0.10", ProbeFixtures.T4);
    private static final NodeSpec NODE1 = new NodeSpec("node1", "10.0.0.11", ProbeFixtures.T4);
    private static final NodeSpec NODE2 = new NodeSpec("node2", "10.0.0.12", ProbeFixtures.T4);
    private static final ConnectivityMap RTTS = ConnectivityMap.builder().link("node0", "node1", 1.0)
            .link("node0", "node2", 2.0).link("node1", "node2", 3.0).build();

    private final SimulatedClock clock = SimulatedClock.at(START);
    private final List<String> warnings = new ArrayList<>();
    private final List<Duration> pauses = new ArrayList<>();

    /** Answers each command from a script; records what ran where. Not thread-safe. */
    static final class ScriptedRunner implements CommandRunner {
        final List<String> calls = new ArrayList<>();
        private final BiFunction<NodeSpec, List<String>, CommandResult> script;

        ScriptedRunner(BiFunction<NodeSpec, List<String>, CommandResult> script) {
            this.script = script;
        }

        /** @return a runner whose servers start and whose clients print the loopback report */
        static ScriptedRunner measuring() {
            return new ScriptedRunner((node, argv) -> argv.contains("-s") ? new CommandResult(0, "", "")
                    : new CommandResult(0, Iperf3Reports.LOOPBACK_1S, ""));
        }

        @Override
        public CommandResult run(NodeSpec node, List<String> command, Duration timeout) {
            calls.add(node.id() + " " + String.join(" ", command));
            return script.apply(node, command);
        }

        long clients() {
            return calls.stream().filter(c -> c.contains(" -c ")).count();
        }
    }

    private BandwidthProbe.Builder probe(CommandRunner runner, ConnectivityMap rtts) {
        return BandwidthProbe.builder(runner, new StaticProbe(rtts, clock)).clock(clock).pause(pauses::add)
                .warnings(warnings::add);
    }

    private static ClusterSnapshot cluster(NodeSpec... nodes) {
        return new ClusterSnapshot(List.of(nodes));
    }

    @Test
    void runsAOneOffServerOnTheReceiverAndTheClientOnTheSenderForEveryOrderedPair() {
        ScriptedRunner runner = ScriptedRunner.measuring();

        ConnectivityMap map = probe(runner, RTTS).port(5301).duration(Duration.ofSeconds(2)).build()
                .measure(cluster(NODE0, NODE1));

        assertThat(runner.calls).containsExactly(
                "node1 iperf3 -s -1 -D -p 5301 --idle-timeout 30",
                "node0 iperf3 -c 10.0.0.11 -p 5301 -t 2 -J --connect-timeout 3000",
                "node0 iperf3 -s -1 -D -p 5301 --idle-timeout 30",
                "node1 iperf3 -c 10.0.0.10 -p 5301 -t 2 -J --connect-timeout 3000");
        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).hasValue(LOOPBACK_BYTES_PER_SECOND);
        assertThat(map.bandwidthBytesPerSecond("node1", "node0")).hasValue(LOOPBACK_BYTES_PER_SECOND);
        assertThat(map.requireRttMillis("node0", "node1")).as("the RTTs are the wrapped probe's").isEqualTo(1.0);
        assertThat(warnings).isEmpty();
    }

    @Test
    void reusesTheLastBandwidthsUntilTheRefreshIntervalHasPassed() {
        ScriptedRunner runner = ScriptedRunner.measuring();
        BandwidthProbe probe = probe(runner, RTTS).refreshInterval(Duration.ofMinutes(10)).build();
        ClusterSnapshot cluster = cluster(NODE0, NODE1);

        probe.measure(cluster);
        clock.advance(Duration.ofMinutes(9));
        ConnectivityMap between = probe.measure(cluster);

        assertThat(runner.clients()).as("no iperf3 within the interval").isEqualTo(2);
        assertThat(between.bandwidthBytesPerSecond("node0", "node1")).hasValue(LOOPBACK_BYTES_PER_SECOND);
        assertThat(between.bandwidthBytesPerSecond("node1", "node0")).hasValue(LOOPBACK_BYTES_PER_SECOND);

        clock.advance(Duration.ofMinutes(1));
        probe.measure(cluster);

        assertThat(runner.clients()).as("every pair again once the interval has passed").isEqualTo(4);
    }

    @Test
    void measuresOnEveryCallWithAZeroRefreshInterval() {
        ScriptedRunner runner = ScriptedRunner.measuring();
        BandwidthProbe probe = probe(runner, RTTS).refreshInterval(Duration.ZERO).build();

        probe.measure(cluster(NODE0, NODE1));
        probe.measure(cluster(NODE0, NODE1));

        assertThat(runner.clients()).isEqualTo(4);
    }

    @Test
    void measuresTheLinksOfANodeThatJoinsAtOnceWithoutRemeasuringTheOthers() {
        ScriptedRunner runner = ScriptedRunner.measuring();
        BandwidthProbe probe = probe(runner, RTTS).build();
        probe.measure(cluster(NODE0, NODE1));
        runner.calls.clear();
        clock.advance(Duration.ofMinutes(1));

        ConnectivityMap map = probe.measure(cluster(NODE0, NODE1, NODE2));

        assertThat(runner.calls).filteredOn(c -> c.contains(" -c ")).containsExactlyInAnyOrder(
                "node0 iperf3 -c 10.0.0.12 -p 5201 -t 1 -J --connect-timeout 3000",
                "node1 iperf3 -c 10.0.0.12 -p 5201 -t 1 -J --connect-timeout 3000",
                "node2 iperf3 -c 10.0.0.10 -p 5201 -t 1 -J --connect-timeout 3000",
                "node2 iperf3 -c 10.0.0.11 -p 5201 -t 1 -J --connect-timeout 3000");
        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).as("kept").hasValue(LOOPBACK_BYTES_PER_SECOND);
        assertThat(map.bandwidthBytesPerSecond("node2", "node1")).hasValue(LOOPBACK_BYTES_PER_SECOND);
    }

    @Test
    void measuresOnlyPairsWithAKnownRttBetweenReachableNodes() {
        ScriptedRunner runner = ScriptedRunner.measuring();
        ConnectivityMap rtts = ConnectivityMap.builder().rtt("node0", "node1", 1.0).link("node0", "node2", 2.0)
                .unreachable("node2").build();

        ConnectivityMap map = probe(runner, rtts).build().measure(cluster(NODE0, NODE1, NODE2));

        assertThat(runner.calls).filteredOn(c -> c.contains(" -c "))
                .containsExactly("node0 iperf3 -c 10.0.0.11 -p 5201 -t 1 -J --connect-timeout 3000");
        assertThat(map.bandwidthBytesPerSecond("node1", "node0")).isEmpty();
        assertThat(map.bandwidthBytesPerSecond("node0", "node2")).isEmpty();
    }

    @Test
    void triesAgainWithAFreshServerWhenTheServerWasNotListeningYet() {
        int[] clients = {0};
        ScriptedRunner runner = new ScriptedRunner((node, argv) -> {
            if (argv.contains("-s")) {
                return new CommandRunner.CommandResult(0, "", "");
            }
            return new CommandRunner.CommandResult(0,
                    clients[0]++ < 2 ? Iperf3Reports.CONNECTION_REFUSED : Iperf3Reports.LOOPBACK_1S, "");
        });

        ConnectivityMap map = probe(runner, ConnectivityMap.builder().rtt("node0", "node1", 1.0).build()).build()
                .measure(cluster(NODE0, NODE1));

        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).hasValue(LOOPBACK_BYTES_PER_SECOND);
        assertThat(runner.calls).filteredOn(c -> c.contains(" -s ")).hasSize(3);
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(warnings).isEmpty();
    }

    @Test
    void leavesAPairAbsentAfterTheLastTryAndLogsIperf3sError() {
        ScriptedRunner runner = new ScriptedRunner((node, argv) -> new CommandRunner.CommandResult(0,
                argv.contains("-s") ? "" : Iperf3Reports.CONNECTION_REFUSED, ""));

        ConnectivityMap map = probe(runner, ConnectivityMap.builder().rtt("node0", "node1", 1.0).build()).build()
                .measure(cluster(NODE0, NODE1));

        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).isEmpty();
        assertThat(map.requireRttMillis("node0", "node1")).isEqualTo(1.0);
        assertThat(runner.clients()).isEqualTo(Iperf3Pair.ATTEMPTS);
        assertThat(warnings).containsExactly("bandwidth from 'node0' to 'node1' not measured: iperf3 reported: "
                + "unable to connect to server: Connection refused (4 tries, a fresh server on node 'node1' port "
                + "5201 each time; is the port open and iperf3 able to listen there?)");
    }

    @Test
    void leavesAPairAbsentAndSaysHowToInstallIperf3WhenANodeHasNone() {
        ScriptedRunner runner = new ScriptedRunner((node, argv) -> node.id().equals("node1")
                ? new CommandRunner.CommandResult(127, "", "bash: line 1: iperf3: command not found\n")
                : new CommandRunner.CommandResult(0, argv.contains("-s") ? "" : Iperf3Reports.LOOPBACK_1S, ""));

        ConnectivityMap map = probe(runner, RTTS).build().measure(cluster(NODE0, NODE1));

        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).isEmpty();
        assertThat(map.bandwidthBytesPerSecond("node1", "node0")).isEmpty();
        assertThat(warnings).containsExactly(
                "bandwidth from 'node0' to 'node1' not measured: the iperf3 server on node 'node1' did not start "
                        + "(exit code 127: bash: line 1: iperf3: command not found); install iperf3 there "
                        + "(apt-get install iperf3) or set its path with BandwidthProbe.builder(...).program(...)",
                "bandwidth from 'node1' to 'node0' not measured: the iperf3 client on node 'node1' sending to "
                        + "'node0' gave no rate (exit code 127: bash: line 1: iperf3: command not found; iperf3 "
                        + "printed no report); install iperf3 there (apt-get install iperf3) or set its path with "
                        + "BandwidthProbe.builder(...).program(...)");
        assertThat(runner.clients()).as("a missing program is not retried").isEqualTo(1);
    }

    @Test
    void forgetsAPairsLastBandwidthWhenItsNextMeasurementFails() {
        boolean[] broken = {false};
        ScriptedRunner runner = new ScriptedRunner((node, argv) -> broken[0]
                ? new CommandRunner.CommandResult(0, argv.contains("-s") ? "" : "not a report", "")
                : new CommandRunner.CommandResult(0, argv.contains("-s") ? "" : Iperf3Reports.LOOPBACK_1S, ""));
        BandwidthProbe probe = probe(runner, RTTS).refreshInterval(Duration.ZERO).build();
        probe.measure(cluster(NODE0, NODE1));
        broken[0] = true;

        ConnectivityMap map = probe.measure(cluster(NODE0, NODE1));

        assertThat(map.bandwidthBytesPerSecond("node0", "node1"))
                .as("absent from this measurement: the orchestrator's smoother holds the earlier samples").isEmpty();
        assertThat(warnings).hasSize(2).allSatisfy(w -> assertThat(w).contains("printed no JSON report"));
    }

    @Test
    void neverHandsIperf3AnAddressThatCouldBeReadAsAnOption() {
        ScriptedRunner runner = ScriptedRunner.measuring();
        NodeSpec odd = new NodeSpec("node1", "--logfile=/etc/passwd", ProbeFixtures.T4);

        ConnectivityMap map = probe(runner, ConnectivityMap.builder().rtt("node0", "node1", 1.0).build()).build()
                .measure(cluster(NODE0, odd));

        assertThat(runner.calls).isEmpty();
        assertThat(map.bandwidthBytesPerSecond("node0", "node1")).isEmpty();
        assertThat(warnings).singleElement().asString()
                .contains("node 'node1': address '--logfile=/etc/passwd' is not a host name or IP address");
    }

    @Test
    void refusesInvalidSettingsNamingTheSettingAndItsValue() {
        ScriptedRunner runner = ScriptedRunner.measuring();

        assertThatThrownBy(() -> probe(runner, RTTS).port(0).build()).hasMessage("port must be 1 to 65535, was 0");
        assertThatThrownBy(() -> probe(runner, RTTS).duration(Duration.ofMillis(1500)).build())
                .hasMessage("duration must be whole seconds from 1 to 60 s (iperf3's -t is in seconds), was PT1.5S");
        assertThatThrownBy(() -> probe(runner, RTTS).program("-h").build())
                .hasMessageStartingWith("program '-h' is not a program name or path");
        assertThatThrownBy(() -> probe(runner, RTTS).program("iperf3; reboot").build())
                .hasMessageStartingWith("program 'iperf3; reboot' is not a program name or path");
        assertThatThrownBy(() -> probe(runner, RTTS).refreshInterval(Duration.ofSeconds(-1)))
                .hasMessage("refreshInterval must not be negative, was PT-1S");
    }
}
