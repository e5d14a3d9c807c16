package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
import dev.placement.sim.ResearchTestbed;
import org.junit.jupiter.api.Test;

/** Regret against the solver's best: score ratios for latencies, the inverse ratio for throughput. */
class RegretTest {
    private static final PerformanceModel MODEL = PerformanceModel.defaults();

    private static PlacementRequest request(Objective objective) {
        return PlacementRequest.builder(ResearchTestbed.FALCON3_10B, ResearchTestbed.cluster(),
                ResearchTestbed.links(0.2, 2, 10)).objective(objective).maxModelLen(4096).build();
    }

    private static Prediction predict(String placement, PlacementRequest request) {
        return MODEL.predict(Placement.parse(placement), request);
    }

    @Test
    void latencyRegretIsTheAgentsScoreOverTheBestsMinusOne() {
        PlacementRequest request = request(Objective.minimizeItl());
        Prediction best = new PlacementSolver(MODEL).solve(request).best();
        Prediction even = predict("node0:13,node1:14,node2:13", request);
        assertThat(Regret.of(request.objective(), even, best))
                .isCloseTo(even.metrics().itlMillis() / best.metrics().itlMillis() - 1, within(1e-12))
                .isPositive();
        assertThat(Regret.of(request.objective(), best, best)).isZero();
    }

    @Test
    void throughputRegretIsTheBestsThroughputOverTheAgentsMinusOne() {
        PlacementRequest request = request(Objective.maximizeThroughput());
        Prediction best = new PlacementSolver(MODEL).solve(request).best();
        Prediction even = predict("node0:13,node1:14,node2:13", request);
        assertThat(Regret.of(request.objective(), even, best)).isCloseTo(
                best.metrics().outputTokensPerSecond() / even.metrics().outputTokensPerSecond() - 1, within(1e-12))
                .isPositive();
    }

    @Test
    void aPlacementThatDoesNotFitIsIneligibleWithItsReason() {
        PlacementRequest request = request(Objective.minimizeItl());
        Prediction best = new PlacementSolver(MODEL).solve(request).best();
        Prediction alone = predict("node0:40", request);
        assertThat(Regret.of(request.objective(), alone, best)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Regret.whyIneligible(request.objective(), alone, best)).startsWith("node0:40 does not fit: stage 0")
                .contains("short");
    }

    @Test
    void aPlacementThatBreaksABoundIsIneligible() {
        Prediction best = new PlacementSolver(MODEL).solve(request(Objective.minimizeItl())).best();
        PlacementRequest request = request(Objective.minimizeItl().withMaxItlMillis(best.metrics().itlMillis() + 1));
        Prediction even = predict("node0:13,node1:14,node2:13", request);
        assertThat(even.metrics().itlMillis()).isGreaterThan(best.metrics().itlMillis() + 1);
        assertThat(Regret.of(request.objective(), even, best)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Regret.whyIneligible(request.objective(), even, best)).contains("not eligible for the objective itl");
    }

    @Test
    void aPlacementThatRunsFewerRequestsAtOnceIsIneligible() {
        PlacementRequest request = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, ResearchTestbed.cluster(),
                ResearchTestbed.links(0.2, 2, 10)).objective(Objective.minimizeItl()).maxModelLen(4096)
                .workload(new dev.placement.api.Workload(1024, 128, 16)).build();
        Prediction best = new PlacementSolver(MODEL).solve(request).best();
        Prediction fewer = predict("node0:27,node1:13", request);
        assertThat(fewer.metrics().itlMillis()).isLessThan(best.metrics().itlMillis());
        assertThat(Regret.of(request.objective(), fewer, best)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Regret.whyIneligible(request.objective(), fewer, best)).contains("does not serve the offered load");
    }
}
