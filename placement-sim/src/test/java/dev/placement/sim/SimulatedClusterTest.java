package dev.placement.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.LaunchException;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Placement THREE = Placement.parse("node0:13,node1:14,node2:13");

    /**
     * A ground truth whose numbers the test chooses: a stage holds at most 30 layers; ITL is 20 ms per stage
     * plus the RTT of every crossing, return hop included.
     */
    private static final MetricsPredictor TRUTH = (placement, request) -> {
        for (Stage s : placement.stages()) {
            if (s.layerCount() > 30) {
                throw new InfeasiblePlacementException(s.nodeId() + " cannot hold " + s.layerCount() + " layers");
            }
        }
        List<String> ids = placement.nodeIds();
        double itl = 20 * ids.size();
        for (int i = 0; ids.size() > 1 && i < ids.size(); i++) {
            itl += request.connectivity().requireRttMillis(ids.get(i), ids.get((i + 1) % ids.size()));
        }
        return new PipelineMetrics(900, itl, itl, 8000 / itl, PipelineMetrics.Source.PREDICTED);
    };

    private static SimulatedCluster cluster(long seed, SimulatedClock clock) {
        return SimulatedCluster.builder(clock, ResearchTestbed.NODES, TRUTH).seed(seed).link("node1", "node2", 5)
                .build();
    }

    private static RunningPipeline launch(SimulatedCluster sim, Placement placement, ClusterSnapshot cluster) {
        return sim.launch(placement, PlacementRequest.builder(ResearchTestbed.FALCON3_10B, cluster,
                sim.trueConnectivity()).build());
    }

    @Test
    void givesTheSameMeasurementsForTheSameSeedAndDifferentOnesForAnother() {
        List<Double> a = rtts(cluster(42, SimulatedClock.at(START)));
        List<Double> b = rtts(cluster(42, SimulatedClock.at(START)));
        List<Double> c = rtts(cluster(43, SimulatedClock.at(START)));

        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(a).allSatisfy(v -> assertThat(v).isBetween(5 * 0.7, 5 * 1.3));
    }

    private static List<Double> rtts(SimulatedCluster sim) {
        return java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> sim.measure(sim.snapshot()).requireRttMillis("node1", "node2")).toList();
    }

    @Test
    void launchingTakesTheRestartDelayOnTheSimulatedClockOnly() {
        SimulatedClock clock = SimulatedClock.at(START);
        SimulatedCluster sim = SimulatedCluster.builder(clock, ResearchTestbed.NODES, TRUTH).restartDelay(Duration.ofSeconds(90))
                .build();

        RunningPipeline p = launch(sim, THREE, sim.snapshot());

        assertThat(clock.instant()).isEqualTo(START.plusSeconds(90));
        assertThat(p.startedAt()).isEqualTo(clock.instant());
        assertThat(p.endpoint().toString()).isEqualTo("http://10.0.0.10:8000");
        assertThat(sim.runningPipelines()).containsExactly(p);
        PipelineMetrics m = sim.sample(p).orElseThrow().metrics();
        assertThat(m.source()).isEqualTo(PipelineMetrics.Source.MEASURED);
        assertThat(m.itlMillis()).isPositive();
        sim.stop(p);
        assertThat(sim.sample(p)).isEmpty();
    }

    @Test
    void aFailedNodeLeavesTheInventoryIsUnreachableAndStopsItsPipelines() {
        SimulatedCluster sim = cluster(1, SimulatedClock.at(START));
        ClusterSnapshot all = sim.snapshot();
        RunningPipeline p = launch(sim, THREE, all);

        sim.failNode("node2");

        assertThat(sim.snapshot().nodeIds()).containsExactly("node0", "node1");
        ConnectivityMap map = sim.measure(all);
        assertThat(map.unreachableNodes()).containsExactly("node2");
        assertThat(map.hasLink("node0", "node2")).isFalse();
        assertThat(sim.sample(p)).isEmpty();
        assertThatThrownBy(() -> launch(sim, THREE, all)).isInstanceOf(LaunchException.class)
                .hasMessageContaining("node2");
        sim.recoverNode("node2");
        assertThat(sim.snapshot().nodeIds()).hasSize(3);
    }

    @Test
    void appliesScriptedChangesWhenTheClockReachesThem() {
        SimulatedClock clock = SimulatedClock.at(START);
        SimulatedCluster sim = cluster(1, clock)
                .at(START.plusSeconds(60), c -> c.setRttMillis("node0", "node1", 9))
                .at(START.plusSeconds(120), c -> c.failNode("node1"));

        assertThat(sim.rttMillis("node0", "node1")).isEqualTo(0.2);
        clock.advance(Duration.ofSeconds(60));
        assertThat(sim.rttMillis("node1", "node0")).isEqualTo(9);
        assertThat(sim.failedNodes()).isEmpty();
        clock.advance(Duration.ofSeconds(60));
        assertThat(sim.failedNodes()).containsExactly("node1");
    }

    @Test
    void failsOrderedLaunchesAndPlacementsThatDoNotFit() {
        SimulatedCluster sim = cluster(1, SimulatedClock.at(START));
        sim.failNextLaunches(1);

        assertThatThrownBy(() -> launch(sim, THREE, sim.snapshot()))
                .hasMessageContaining("simulated launch failure");
        assertThat(launch(sim, THREE, sim.snapshot())).isNotNull();
        assertThatThrownBy(() -> launch(sim, Placement.parse("node0:40"), sim.snapshot()))
                .isInstanceOf(LaunchException.class).hasMessageContaining("node0:40");
        assertThat(sim.launches()).isEqualTo(3);
    }

    @Test
    void rejectsUnknownNodesAndBackwardsTime() {
        SimulatedClock clock = SimulatedClock.at(START);
        SimulatedCluster sim = cluster(1, clock);

        assertThatThrownBy(() -> sim.setRttMillis("node0", "node9", 1))
                .hasMessageContaining("unknown node 'node9'").hasMessageContaining("node2");
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).hasMessageContaining("cannot go back");
        assertThat(clock.advanceTo(START.minusSeconds(5))).isEqualTo(START);
    }
    @Test
    void runsEachPipelineWithTheEngineSettingsOfTheRequestItWasLaunchedFor() {
        List<Integer> asked = new java.util.ArrayList<>();
        MetricsPredictor kvBound = (placement, request) -> {
            asked.add(request.maxModelLen());
            if (request.maxModelLen() > 8192 || request.cluster().gpuMemoryUtilization() < 0.5) {
                throw new InfeasiblePlacementException("the KV cache cannot hold one sequence");
            }
            return TRUTH.predictMetrics(placement, request);
        };
        SimulatedCluster sim = SimulatedCluster.builder(SimulatedClock.at(START), ResearchTestbed.NODES, kvBound)
                .build();
        PlacementRequest planned = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, sim.snapshot(),
                sim.trueConnectivity()).maxModelLen(2048).build();

        RunningPipeline p = sim.launch(THREE, planned);
        assertThat(sim.sample(p)).isPresent();
        assertThat(asked).containsOnly(2048);
        assertThatThrownBy(() -> sim.launch(THREE, planned.toBuilder().maxModelLen(16384).build()))
                .isInstanceOf(LaunchException.class).hasMessageContaining("KV cache");
        ClusterSnapshot starved = new ClusterSnapshot(sim.snapshot().nodes(), 0.3);
        assertThatThrownBy(() -> sim.launch(THREE, planned.toBuilder().cluster(starved).build()))
                .isInstanceOf(LaunchException.class);
    }

    @Test
    void aClusterOfOneNodeIsReachableAndServes() {
        SimulatedCluster sim = SimulatedCluster.builder(SimulatedClock.at(START), ResearchTestbed.NODES.subList(0, 1),
                TRUTH).build();

        assertThat(sim.measure(sim.snapshot()).unreachableNodes()).isEmpty();
        assertThat(sim.sample(launch(sim, Placement.parse("node0:30"), sim.snapshot()))).isPresent();
    }
}
