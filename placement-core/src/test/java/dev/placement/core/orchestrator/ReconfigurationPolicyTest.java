package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacedReplicas;
import dev.placement.core.ReplicaPlan;
import dev.placement.sim.EdgeSite;
import dev.placement.sim.ResearchTestbed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy alone: no loop, no cluster, just the numbers it weighs. */
class ReconfigurationPolicyTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Duration RESTART = Duration.ofSeconds(60);
    private final ReconfigurationPolicy policy = new ReconfigurationPolicy(Objective.minimizeItl(),
            Duration.ofMinutes(5), Duration.ofMinutes(15), 1.0);

    private static PipelineMetrics itl(double millis) {
        return new PipelineMetrics(1000, millis, millis, 1000 / millis, PipelineMetrics.Source.PREDICTED);
    }

    @Test
    void appliesAGainWorthMoreThanTheRestartOverTheHorizon() {
        // 10% better over 15 min is worth 90 s, more than a 60 s restart.
        ReconfigurationPolicy.Verdict v = policy.judge(NOW, null, RESTART, true, itl(100), itl(90));

        assertThat(v.apply()).isTrue();
        assertThat(v.reason()).isEqualTo("predicted ITL 100.0 → 90.0 ms; 10.0% better over the 15 min horizon is "
                + "worth 90 s, more than the restart cost of 60 s");
    }

    @Test
    void holdsBackAGainWorthLessThanTheRestartAndSaysWhichRestartTimeItAssumed() {
        // 5% over 15 min is worth 45 s, less than 60 s.
        ReconfigurationPolicy.Verdict measured = policy.judge(NOW, null, RESTART, true, itl(100), itl(95));
        ReconfigurationPolicy.Verdict assumed = policy.judge(NOW, null, RESTART, false, itl(100), itl(95));

        assertThat(measured.apply()).isFalse();
        assertThat(measured.heldByCooldown()).isFalse();
        assertThat(measured.reason()).startsWith("gain too small: predicted ITL 100.0 → 95.0 ms; 5.0% better")
                .endsWith("less than the restart cost of 60 s (60 s restart, measured)");
        assertThat(assumed.reason()).endsWith("(60 s restart, default)");
    }

    @Test
    void holdsEvenALargeGainWithinTheCooldownAndSaysHowLongRemains() {
        ReconfigurationPolicy.Verdict v = policy.judge(NOW, NOW.minusSeconds(120), RESTART, true, itl(200), itl(90));

        assertThat(v.apply()).isFalse();
        assertThat(v.heldByCooldown()).isTrue();
        assertThat(v.reason()).isEqualTo("cooldown: the last reconfiguration was 2 min ago; 3 min of the 5 min "
                + "cooldown remain");
    }

    @Test
    void aCheaperRestartOrALighterLoadMakesTheSameGainWorthIt() {
        PipelineMetrics current = itl(100);
        PipelineMetrics proposed = itl(95);
        ReconfigurationPolicy halfLoaded = new ReconfigurationPolicy(Objective.minimizeItl(), Duration.ofMinutes(5),
                Duration.ofMinutes(15), 0.5);

        assertThat(policy.judge(NOW, null, Duration.ofSeconds(40), true, current, proposed).apply()).isTrue();
        assertThat(halfLoaded.judge(NOW, null, RESTART, true, current, proposed).apply()).isTrue();
    }

    @Test
    void replacesAPlacementThatBreaksABoundByOneThatMeetsIt() {
        ReconfigurationPolicy bounded = new ReconfigurationPolicy(Objective.minimizeItl().withMaxItlMillis(95),
                Duration.ofMinutes(5), Duration.ofMinutes(15), 1.0);

        ReconfigurationPolicy.Verdict v = bounded.judge(NOW, null, RESTART, true, itl(100), itl(99.9 - 5));

        assertThat(v.apply()).as("breaking the bound counts as a 100%% gain").isTrue();
        assertThat(v.reason()).contains("100.0% better");
    }

    @Test
    void aRunningPlacementThatServesFewerRequestsAtOnceIsReplacedThoughItsItlLooksBetter() {
        PerformanceModel model = PerformanceModel.defaults();
        PlacementRequest r = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, ResearchTestbed.cluster(),
                ResearchTestbed.links(0.2, 2, 10)).workload(new Workload(1024, 128, 16)).maxModelLen(4096).build();
        Estimate fewer = Estimate.of(model, Placement.parse("node0:27,node1:13"), r);
        Estimate all = Estimate.of(model, Placement.parse("node0:20,node1:20"), r);
        assertThat(fewer.metrics().itlMillis()).isLessThan(all.metrics().itlMillis());
        assertThat(fewer.prediction().servedSequences()).isLessThan(all.prediction().servedSequences());

        assertThat(policy.judge(NOW, null, RESTART, true, fewer, all).apply()).isTrue();
        assertThat(policy.judge(NOW, null, RESTART, true, all, fewer).apply()).isFalse();
        // Judged on metrics alone, the running one would have been kept.
        assertThat(policy.judge(NOW, null, RESTART, true, fewer.metrics(), all.metrics()).apply()).isFalse();
    }

    @Test
    void aRollingChangeCostsOnlyTheShareOfCapacityItRestarts() {
        List<NodeSpec> nodes = EdgeSite.NODES.subList(0, 4);
        ConnectivityMap links = ConnectivityMap.builder()
                .link("t4-0", "t4-1", 0.3).link("t4-2", "t4-3", 0.3).link("t4-0", "t4-2", 6)
                .link("t4-0", "t4-3", 6).link("t4-1", "t4-2", 6).link("t4-1", "t4-3", 6).build();
        PlacementRequest request = PlacementRequest.builder(ResearchTestbed.FALCON3_10B,
                new ClusterSnapshot(nodes), links).objective(Objective.maximizeThroughput())
                .workload(new Workload(512, 128, 16)).maxModelLen(4096).build();
        PerformanceModel model = PerformanceModel.defaults();
        ReplicaPlan crossing = PlacedReplicas.predict(model, request,
                List.of(Placement.parse("t4-0:20,t4-2:20"), Placement.parse("t4-1:20,t4-3:20")));
        ReplicaPlan paired = PlacedReplicas.predict(model, request,
                List.of(Placement.parse("t4-0:20,t4-1:20"), Placement.parse("t4-2:20,t4-3:20")));
        ReconfigurationPolicy throughput = new ReconfigurationPolicy(Objective.maximizeThroughput(),
                Duration.ofMinutes(5), Duration.ofMinutes(15), 1.0);

        ReconfigurationPolicy.Verdict all = throughput.judgeReplicas(NOW, null, RESTART, true, crossing, paired, 1.0);
        ReconfigurationPolicy.Verdict half = throughput.judgeReplicas(NOW, null, RESTART, true, crossing, paired,
                0.5);
        ReconfigurationPolicy.Verdict back = throughput.judgeReplicas(NOW, null, RESTART, true, paired, crossing,
                0.5);

        assertThat(paired.totals().outputTokensPerSecond()).isGreaterThan(crossing.totals().outputTokensPerSecond());
        assertThat(all.reason()).contains("over the cluster").contains("restart cost of 60 s");
        assertThat(half.reason()).contains("restart cost of 30 s");
        assertThat(back.apply()).isFalse(); // a worse plan is never worth a restart
        assertThat(throughput.judgeReplicas(NOW, NOW.minusSeconds(60), RESTART, true, crossing, paired, 0.5))
                .satisfies(v -> assertThat(v.heldByCooldown()).isTrue());
    }
}
