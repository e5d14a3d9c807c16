package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ConnectivityMap;
import dev.placement.sim.SimulatedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticAndScriptedProbeTest {
    private final SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));

    private static ConnectivityMap links(double rtt01, double rtt12) {
        return ConnectivityMap.builder().link("node0", "node1", rtt01).link("node1", "node2", rtt12)
                .link("node0", "node2", rtt01 + rtt12).build();
    }

    @Test
    void staticProbeReportsOnlyTheMeasuredClustersLinksStampedNow() {
        StaticProbe probe = new StaticProbe(links(1, 2), clock);
        clock.advance(Duration.ofMinutes(5));

        ConnectivityMap map = probe.measure(ProbeFixtures.loopbackCluster(2));

        assertThat(map.requireRttMillis("node0", "node1")).isEqualTo(1);
        assertThat(map.hasLink("node1", "node2")).isFalse();
        assertThat(map.measuredAt()).isEqualTo(clock.instant());
    }

    @Test
    void scriptedProbePlaysItsScriptThenRepeatsTheLastMap() {
        ScriptedProbe probe = new ScriptedProbe(List.of(links(1, 1), links(1, 9)), clock);

        List<Double> seen = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> probe.measure(ProbeFixtures.loopbackCluster(3)).requireRttMillis("node1", "node2"))
                .toList();

        assertThat(seen).containsExactly(1.0, 9.0, 9.0, 9.0);
        assertThat(probe.calls()).isEqualTo(4);
        assertThatThrownBy(() -> new ScriptedProbe(List.of(), clock)).hasMessageContaining("at least one");
    }
}
