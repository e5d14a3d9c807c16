package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.ConnectivityMap;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import org.junit.jupiter.api.Test;

/** Every objective serves the offered load; goodput and regret judge placements the same way. */
class ServedLoadTest {
    private static final PerformanceModel MODEL = PerformanceModel.defaults();
    /** The research's [2,10] step: node2 behind both added latencies. */
    private static final ConnectivityMap LADDER_2_10 = ConnectivityMap.builder().link("node0", "node1", 2.2)
            .link("node1", "node2", 10.2).link("node0", "node2", 12.2).build();

    private static PlacementRequest sixteenLongPrompts(ConnectivityMap links, Objective objective) {
        return Fixtures.falconRequest(links, objective).toBuilder().workload(new Workload(1024, 128, 16)).build();
    }

    @Test
    void theItlChoiceRunsEverySequenceAtOnceThoughFewerWouldDecodeFaster() {
        PlacementRequest r = sixteenLongPrompts(LADDER_2_10, Objective.minimizeItl());
        Prediction fewer = MODEL.predict(Placement.parse("node0:27,node1:13"), r);
        PlacementSolver.Solution s = new PlacementSolver(MODEL).solve(r);
        // 27/13 decodes faster only because its KV cache runs 4 of the 16 requests.
        assertThat(fewer.servedSequences()).isLessThan(16);
        assertThat(fewer.metrics().itlMillis()).isLessThan(s.best().metrics().itlMillis());
        assertThat(s.best().servedSequences()).isEqualTo(16);
        assertThat(s.best().placement().toSpec()).isEqualTo("node0:20,node1:20");
        assertThat(s.explanation()).contains("node0:27,node1:13 would predict").contains("runs 4 of the 16");
        assertThat(ObjectiveScore.regret(r.objective(), fewer, s.best())).isInfinite().isPositive();
    }

    @Test
    void whenNoPlacementHoldsTheLoadTheOneHoldingTheMostWins() {
        PlacementRequest r = Fixtures.falconRequest(LADDER_2_10, Objective.minimizeItl()).toBuilder()
                .workload(new Workload(3000, 1000, 200)).build();
        PlacementSolver.Solution s = new PlacementSolver(MODEL).solve(r);
        int most = 0;
        for (String spec : new String[] {"node0:14,node1:14,node2:12", "node0:13,node1:14,node2:13",
                "node0:20,node1:20", "node0:12,node1:14,node2:14"}) {
            Prediction p = MODEL.predict(Placement.parse(spec), r);
            most = Math.max(most, p.fits() ? p.servedSequences() : 0);
        }
        assertThat(s.best().servedSequences()).isLessThan(200).isGreaterThanOrEqualTo(most);
        assertThat(s.explanation()).contains("No placement's KV cache runs all 200 concurrent requests");
    }

    @Test
    void withLinksMissingTheSearchDecidesWhatCanBeHeld() {
        // node1-node2 unknown: only pipelines through node0 on both sides of node1 and node2 are possible.
        ConnectivityMap partial = ConnectivityMap.builder().link("node0", "node1", 0.5).link("node0", "node2", 0.5)
                .build();
        PlacementRequest r = sixteenLongPrompts(partial, Objective.minimizeItl());
        BruteForce reference = new BruteForce(MODEL, r).run();
        PlacementSolver.Solution s = new PlacementSolver(MODEL).solve(r);
        assertThat(s.best().servedSequences()).isEqualTo(reference.bestServed);
        assertThat(s.best().placement().pipelineParallelSize()).isLessThanOrEqualTo(2);
    }

    @Test
    void theFirstRequestOfABurstPrefillsAloneAndEachLaterOneWaitsTheBottleneck() {
        PlacementRequest r = sixteenLongPrompts(LADDER_2_10, Objective.minimizeItl());
        Prediction p = MODEL.predict(Placement.parse("node0:14,node1:14,node2:12"), r);
        Prediction.Spread s = p.spread();
        assertThat(s.sequences()).isEqualTo(16);
        double mean = 0;
        for (int i = 0; i < s.sequences(); i++) {
            mean += s.ttftMillis(i) / s.sequences();
        }
        // The positions' mean is the model's mean TTFT; every request decodes at the same pace.
        assertThat(mean).isCloseTo(p.metrics().ttftMillis(), within(1e-6 * mean));
        assertThat(s.ttftMillis(15) - s.ttftMillis(0)).isCloseTo(15 * s.ttftStepMillis(), within(1e-6));
        assertThat(s.requestsPerSecond() * 128).isCloseTo(p.metrics().outputTokensPerSecond(), within(1e-6));
        // An SLO between the 5th and 6th request's TTFT lets exactly 5 of 16 through.
        Slo slo = new Slo((s.ttftMillis(4) + s.ttftMillis(5)) / 2, null, null, null);
        assertThat(s.shareWithin(slo)).isEqualTo(5 / 16.0);
        assertThat(s.goodput(slo)).isCloseTo(5 / 16.0 * s.requestsPerSecond(), within(1e-12));
        // E2EL bounds the same positions, shifted by the decode time.
        Slo e2el = new Slo(null, null, null, (s.e2elMillis(9) + s.e2elMillis(10)) / 2);
        assertThat(s.shareWithin(e2el)).isEqualTo(10 / 16.0);
        assertThat(s.shareWithin(new Slo(null, null, s.tpotMillis() * 0.99, null))).isZero();
        assertThat(s.shareWithin(new Slo(null, s.itlMillis(), s.tpotMillis(), null))).isEqualTo(1.0);
    }

    @Test
    void theGoodputObjectiveTakesThePlacementWithMostRequestsWithinTheSlo() {
        Slo slo = new Slo(4000.0, null, 160.0, null);
        PlacementRequest r = sixteenLongPrompts(LADDER_2_10, Objective.maximizeGoodput(slo));
        PlacementSolver.Solution s = new PlacementSolver(MODEL).solve(r);
        double best = s.best().spread().goodput(slo);
        BruteForce reference = new BruteForce(MODEL, r).run();
        assertThat(-reference.bestScore).isCloseTo(best, within(1e-9 * best));
        assertThat(best).isPositive();
        assertThat(s.explanation()).contains("goodput").contains("ttft=4000,tpot=160");
    }

    @Test
    void regretIsTheRelativeLossOnTheObjective() {
        PlacementRequest itl = sixteenLongPrompts(LADDER_2_10, Objective.minimizeItl());
        Prediction two = MODEL.predict(Placement.parse("node0:20,node1:20"), itl);
        Prediction three = MODEL.predict(Placement.parse("node0:13,node1:14,node2:13"), itl);
        assertThat(ObjectiveScore.regret(itl.objective(), three, two)).isCloseTo(
                three.metrics().itlMillis() / two.metrics().itlMillis() - 1, within(1e-12));
        assertThat(ObjectiveScore.regret(itl.objective(), two, two)).isZero();
        Objective tput = Objective.maximizeThroughput();
        assertThat(ObjectiveScore.regret(tput, three, two)).isCloseTo(two.metrics().outputTokensPerSecond()
                / three.metrics().outputTokensPerSecond() - 1, within(1e-12));
        Prediction broken = MODEL.predict(Placement.parse("node0:38,node1:2"), itl);
        assertThat(broken.fits()).isFalse();
        assertThat(ObjectiveScore.regret(itl.objective(), broken, two)).isEqualTo(Double.POSITIVE_INFINITY);
    }
}
