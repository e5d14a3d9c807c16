package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class PairwiseProbeTest {
    private static final ClusterSnapshot CLUSTER = new ClusterSnapshot(List.of(
            new NodeSpec("node0", "10.0.0.10", ProbeFixtures.T4),
            new NodeSpec("node1", "10.0.0.11", ProbeFixtures.T4),
            new NodeSpec("node2", "10.0.0.12", ProbeFixtures.T4)));

    /** Answers each command from a script keyed by "from->targetAddress"; records what was run. */
    static final class ScriptedRunner implements CommandRunner {
        final List<String> calls = new ArrayList<>();
        final BiFunction<NodeSpec, String, CommandResult> script;

        ScriptedRunner(BiFunction<NodeSpec, String, CommandResult> script) {
            this.script = script;
        }

        @Override
        public synchronized CommandResult run(NodeSpec node, List<String> command, Duration timeout) {
            calls.add(node.id() + " " + String.join(" ", command));
            return script.apply(node, command.get(command.size() - 1));
        }
    }

    @Test
    void fillsTheFullMatrixOfOrderedPairsFromPingOnEachNode() {
        Map<String, Double> rtt = Map.of("10.0.0.11", 2.0, "10.0.0.12", 6.0, "10.0.0.10", 1.0);
        ScriptedRunner runner = new ScriptedRunner((node, target) -> new CommandRunner.CommandResult(0,
                ProbeFixtures.iputilsReplies(target, rtt.get(target) + (node.id().equals("node2") ? 1 : 0),
                        50.0, rtt.get(target)), ""));

        ConnectivityMap map = PairwiseProbe.builder(runner).build().measure(CLUSTER);

        assertThat(runner.calls).hasSize(6).allSatisfy(c -> assertThat(c).contains("ping -n -c 3"));
        assertThat(map.requireRttMillis("node0", "node1")).isEqualTo(2.0);
        assertThat(map.requireRttMillis("node0", "node2")).isEqualTo(6.0);
        assertThat(map.requireRttMillis("node2", "node0")).isEqualTo(2.0); // median of 2, 50, 1
        assertThat(map.requireRttMillis("node1", "node2")).isEqualTo(6.0);
        assertThat(map.unreachableNodes()).isEmpty();
        assertThat(PairwiseProbe.builder(runner).parallelism(1).build().measure(CLUSTER).rttMillis())
                .as("one node at a time measures the same").isEqualTo(map.rttMillis());
    }

    @Test
    void reportsANodeThatNoOtherNodeReachesAndOneThatRunsNothing() {
        ScriptedRunner runner = new ScriptedRunner((node, target) -> {
            if (node.id().equals("node1")) {
                throw new PlacementException("ssh: connect to host 10.0.0.11 port 22: Connection refused");
            }
            if (target.equals("10.0.0.12")) {
                return new CommandRunner.CommandResult(1, ProbeFixtures.iputilsNoReply(target), "");
            }
            return new CommandRunner.CommandResult(0, ProbeFixtures.iputilsReplies(target, 1.5), "");
        });

        ConnectivityMap map = PairwiseProbe.builder(runner).build().measure(CLUSTER);

        assertThat(map.unreachableNodes()).containsExactlyInAnyOrder("node1", "node2");
        assertThat(map.requireRttMillis("node0", "node1")).isEqualTo(1.5);
        assertThat(map.hasLink("node0", "node2")).isFalse();
        assertThat(map.hasLink("node1", "node0")).isFalse();
    }

    @Test
    void failsClearlyWhenANodeHasNoPingProgram() {
        ScriptedRunner runner = new ScriptedRunner((node, target) ->
                new CommandRunner.CommandResult(127, "", "bash: ping: command not found"));

        assertThatThrownBy(() -> PairwiseProbe.builder(runner).build().measure(CLUSTER))
                .isInstanceOf(PlacementException.class)
                .hasMessageContaining("node0")
                .hasMessageContaining("install iputils-ping");
    }

    @Test
    void failsClearlyWhenPingMayNotSendIcmpRatherThanReportingEveryNodeUnreachable() {
        ScriptedRunner runner = new ScriptedRunner((node, target) ->
                new CommandRunner.CommandResult(2, "", "ping: socket: Operation not permitted"));

        assertThatThrownBy(() -> PairwiseProbe.builder(runner).build().measure(CLUSTER))
                .isInstanceOf(PlacementException.class)
                .hasMessageContaining("may not send ICMP")
                .hasMessageContaining("ping_group_range");
    }
}
