package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerformanceModelTest {
    private final PerformanceModel model = PerformanceModel.defaults();
    private final Placement twoNodes = Placement.parse("node0:20,node1:20");
    private final Placement threeNodes = Placement.parse("node0:13,node1:14,node2:13");

    private PlacementRequest request(ConnectivityMap links, Workload workload, int maxModelLen) {
        return PlacementRequest.builder(Fixtures.falcon(), Fixtures.threeT4(), links).workload(workload)
                .maxModelLen(maxModelLen).build();
    }

    private PlacementRequest fast(Workload workload) {
        return request(Fixtures.testbed(0.3, 0, 0), workload, 4096);
    }

    @Test
    void falconTwentyTwentyFitsOnTwoT4sWithRoomForKvCache() {
        Prediction p = model.predict(twoNodes, fast(Workload.DEFAULT));
        assertThat(p.fits()).isTrue();
        StageEstimate first = p.stages().get(0);
        StageEstimate last = p.stages().get(1);
        long perLayer = Fixtures.falcon().bytesPerLayer();
        // Embedding on rank 0, LM head and final norm on the last rank.
        assertThat(first.weightBytes()).isEqualTo(20 * perLayer + Fixtures.falcon().embeddingBytes());
        assertThat(last.weightBytes()).isEqualTo(20 * perLayer + Fixtures.falcon().lmHeadBytes());
        assertThat(first.weightBytes() / 1e9).isBetween(10.2, 10.4);
        assertThat(last.reserveBytes()).isGreaterThan(first.reserveBytes());
        assertThat(last.kvCacheTokens()).isGreaterThan(4096 * 5);
        assertThat(p.maxConcurrentSequences()).isEqualTo((int) (Math.min(first.kvCacheTokens(), last.kvCacheTokens())
                / (Workload.DEFAULT.inputTokens() + Workload.DEFAULT.outputTokens())));
    }

    @Test
    void oneT4CannotHoldFalconAndTheReasonSaysByHowMuch() {
        Prediction p = model.predict(Placement.parse("node0:40"), fast(Workload.DEFAULT));
        assertThat(p.fits()).isFalse();
        assertThat(p.infeasibleReason()).contains("node0").contains("GB of weights").contains("short");
        assertThat(p.maxConcurrentSequences()).isZero();
    }

    @Test
    void stageThatCannotHoldOneMaxModelLenSequenceDoesNotFit() {
        Placement uneven = Placement.parse("node0:26,node1:14");
        assertThat(model.predict(uneven, request(Fixtures.testbed(0.3, 0, 0), new Workload(512, 128, 1), 4096)).fits())
                .isTrue();
        Prediction p = model.predict(uneven, request(Fixtures.testbed(0.3, 0, 0), new Workload(512, 128, 1), 16384));
        assertThat(p.fits()).isFalse();
        assertThat(p.infeasibleReason()).contains("stage 0 on node0").contains("max-model-len 16384");
    }

    @Test
    void unknownLinkMakesThePredictionInfeasible() {
        ConnectivityMap oneWay = ConnectivityMap.builder().rtt("node0", "node1", 0.3).build();
        Prediction p = model.predict(twoNodes, request(oneWay, Workload.DEFAULT, 4096));
        assertThat(p.fits()).isFalse();
        assertThat(p.infeasibleReason()).contains("return hop node1→node0");
        assertThat(p.links()).extracting(LinkEstimate::known).containsExactly(true, false);
    }

    @Test
    void everyDecodeStepPaysEachCrossingIncludingTheReturnHop() {
        Workload single = new Workload(512, 128, 1);
        double base = model.predict(twoNodes, request(Fixtures.testbed(0, 0, 0), single, 4096)).metrics().itlMillis();
        double slow = model.predict(twoNodes, request(Fixtures.testbed(0, 10, 0), single, 4096)).metrics().itlMillis();
        // Two crossings (node0→node1 and the return hop), each the crossing factor × RTT/2.
        assertThat(slow - base).isCloseTo(2 * model.parameters().latencyCrossingFactor() * 10 / 2, within(1e-9));
    }

    @Test
    void decodeIsMemoryBoundForFewSequencesAndComputeBoundForMany() {
        Prediction few = model.predict(twoNodes, fast(new Workload(64, 64, 1)));
        Prediction many = model.predict(twoNodes, fast(new Workload(64, 64, 256)));
        assertThat(few.stages()).noneMatch(StageEstimate::computeBoundDecode);
        assertThat(many.stages()).allMatch(StageEstimate::computeBoundDecode);
        assertThat(many.metrics().outputTokensPerSecond()).isGreaterThan(20 * few.metrics().outputTokensPerSecond());
    }

    @Test
    void moreStagesOverlapPrefillsSoABurstGetsItsFirstTokensSooner() {
        Workload alone = new Workload(512, 128, 1);
        Workload burst = new Workload(512, 128, 8);
        assertThat(model.predict(threeNodes, fast(burst)).metrics().ttftMillis())
                .isLessThan(model.predict(twoNodes, fast(burst)).metrics().ttftMillis());
        // A lone request gains nothing from more stages and pays one more crossing.
        assertThat(model.predict(threeNodes, fast(alone)).metrics().ttftMillis())
                .isGreaterThan(model.predict(twoNodes, fast(alone)).metrics().ttftMillis());
    }

    @Test
    void kvCapacityBoundsConcurrencyAndThroughput() {
        Workload heavy = new Workload(512, 128, 256);
        Prediction two = model.predict(twoNodes, fast(heavy));
        Prediction three = model.predict(threeNodes, fast(heavy));
        assertThat(three.maxConcurrentSequences()).isGreaterThan(2 * two.maxConcurrentSequences());
        assertThat(three.metrics().outputTokensPerSecond()).isGreaterThan(two.metrics().outputTokensPerSecond());
        // Requests beyond the KV capacity wait, which shows in TTFT.
        assertThat(two.metrics().ttftMillis()).isGreaterThan(three.metrics().ttftMillis());
    }

    @Test
    void tpotEqualsItlAndMetricsArePredicted() {
        Prediction p = model.predict(threeNodes, fast(Workload.DEFAULT));
        assertThat(p.metrics().tpotMillis()).isEqualTo(p.metrics().itlMillis());
        assertThat(p.metrics().source()).isEqualTo(dev.placement.api.PipelineMetrics.Source.PREDICTED);
        assertThat(p.links()).hasSize(3);
        assertThat(p.links().get(2).returnHop()).isTrue();
        assertThat(p.links().get(2).fromNodeId()).isEqualTo("node2");
        assertThat(p.links().get(2).toNodeId()).isEqualTo("node0");
    }

    @Test
    void rejectsPlacementsThatDoNotMatchTheRequest() {
        assertThatThrownBy(() -> model.predict(Placement.parse("node0:20,node9:20"), fast(Workload.DEFAULT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node9");
        assertThatThrownBy(() -> model.predict(Placement.parse("node0:20,node1:19"), fast(Workload.DEFAULT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("39");
    }

    @Test
    void workloadLongerThanMaxModelLenDoesNotFit() {
        Prediction p = model.predict(twoNodes, request(Fixtures.testbed(0.3, 0, 0), new Workload(4000, 200, 1), 4096));
        assertThat(p.fits()).isFalse();
        assertThat(p.infeasibleReason()).contains("4200").contains("max-model-len 4096");
    }

    @Test
    void singleStageWithTiedEmbeddingsHoldsTheMatrixOnce() {
        var tied = new dev.placement.api.ModelSpec("t", "llama", 4, 1024, 4096, 8, 8, 128, 32000, 2048, 2, true, true);
        var cluster = new ClusterSnapshot(List.of(new NodeSpec("a", "h", Fixtures.t4())));
        var req = PlacementRequest.builder(tied, cluster, ConnectivityMap.builder().build())
                .objective(Objective.minimizeItl()).maxModelLen(1024).build();
        Prediction p = model.predict(Placement.parse("a:4"), req);
        assertThat(p.stages().get(0).weightBytes())
                .isEqualTo(4 * tied.bytesPerLayer() + tied.embeddingBytes() + 1024L * 2);
    }

    @Test
    void tpotIsItlTimesTpotPerItlAndNothingElseMoves() {
        PlacementRequest r = request(Fixtures.testbed(0.3, 2, 4), new Workload(512, 128, 8), 4096);
        var before = model.predict(threeNodes, r).metrics();
        var after = new PerformanceModel(PerformanceModel.Parameters.defaults().withTpotPerItl(1.25))
                .predict(threeNodes, r).metrics();
        assertThat(before.tpotMillis()).isEqualTo(before.itlMillis());
        assertThat(after.tpotMillis()).isEqualTo(before.itlMillis() * 1.25);
        assertThat(after.itlMillis()).isEqualTo(before.itlMillis());
        assertThat(after.ttftMillis()).isEqualTo(before.ttftMillis());
        assertThat(after.outputTokensPerSecond()).isEqualTo(before.outputTokensPerSecond());
    }

    @Test
    void efficienciesOfAGpuKindApplyToThatKindOnly() {
        var a10 = dev.placement.api.GpuCatalog.builtIn().get("A10", "test", "gpu");
        var mixed = new ClusterSnapshot(List.of(new NodeSpec("node0", "h0", Fixtures.t4()),
                new NodeSpec("node1", "h1", a10), new NodeSpec("node2", "h2", Fixtures.t4())));
        PlacementRequest r = PlacementRequest.builder(Fixtures.falcon(), mixed, Fixtures.testbed(0.3, 0, 0))
                .maxModelLen(4096).build();
        PerformanceModel.Parameters d = PerformanceModel.Parameters.defaults();
        Prediction base = model.predict(threeNodes, r);
        Prediction slowA10 = new PerformanceModel(d.withGpuEfficiency("A10",
                new PerformanceModel.GpuEfficiency(0.4, 0.2))).predict(threeNodes, r);
        assertThat(slowA10.stages().get(0).decodeStepMillis()).isEqualTo(base.stages().get(0).decodeStepMillis());
        assertThat(slowA10.stages().get(2).prefillMillis()).isEqualTo(base.stages().get(2).prefillMillis());
        assertThat(slowA10.stages().get(1).decodeStepMillis()).isCloseTo(2 * base.stages().get(1).decodeStepMillis(),
                within(1e-9));
        assertThat(slowA10.stages().get(1).prefillMillis()).isCloseTo(2 * base.stages().get(1).prefillMillis(),
                within(1e-9));
        // An entry equal to the global efficiencies changes nothing, to the last bit.
        Prediction same = new PerformanceModel(d.withGpuEfficiency("T4",
                new PerformanceModel.GpuEfficiency(0.80, 0.40))).predict(threeNodes, r);
        assertThat(same.metrics()).isEqualTo(base.metrics());
    }

    @Test
    void theEightArgumentConstructorMeansTheDefaultsOfTheNewFields() {
        PerformanceModel.Parameters old = new PerformanceModel.Parameters(0.80, 0.40, 3.0, 1.0, 1L << 30, 2048, 256,
                125e6);
        assertThat(old).isEqualTo(PerformanceModel.Parameters.defaults());
        assertThat(old.tpotPerItl()).isEqualTo(1.0);
        assertThat(old.gpuEfficiencies()).isEmpty();
        assertThat(old.efficiencyOf("T4")).isEqualTo(new PerformanceModel.GpuEfficiency(0.80, 0.40));
        assertThatThrownBy(() -> old.withTpotPerItl(0)).hasMessageContaining("tpotPerItl");
        assertThatThrownBy(() -> new PerformanceModel.GpuEfficiency(0.5, 1.5)).hasMessageContaining("(0, 1]");
    }

    /** The calibration scores runs through the solver's path; both must be the same arithmetic to the bit. */
    @Test
    void theSolversScoringPathPredictsExactlyWhatPredictDoes() {
        java.util.Random rnd = new java.util.Random(11);
        String[] specs = {"node0:20,node1:20", "node0:13,node1:14,node2:13", "node0:21,node2:19", "node1:24,node2:16"};
        for (int i = 0; i < 300; i++) {
            PerformanceModel.Parameters p = PerformanceModel.Parameters.defaults()
                    .withMemoryBandwidthEfficiency(0.2 + 0.8 * rnd.nextDouble())
                    .withComputeEfficiency(0.05 + 0.95 * rnd.nextDouble())
                    .withLatencyCrossingFactor(10 * rnd.nextDouble()).withStepOverheadMillis(20 * rnd.nextDouble())
                    .withTpotPerItl(0.5 + 1.5 * rnd.nextDouble());
            PlacementRequest r = request(Fixtures.testbed(0.1 + rnd.nextDouble(), rnd.nextInt(11), rnd.nextInt(11)),
                    new Workload(64 + rnd.nextInt(960), 16 + rnd.nextInt(240), 1 + rnd.nextInt(16)), 4096);
            Placement placement = Placement.parse(specs[rnd.nextInt(specs.length)]);
            PipelineCosts c = new PipelineCosts(r, p);
            int[] path = placement.stages().stream().mapToInt(s -> c.indexOf(s.nodeId())).toArray();
            int[] layers = placement.stages().stream().mapToInt(s -> s.layerCount()).toArray();
            SplitEvaluator ev = new SplitEvaluator(c, r.objective());
            double[] m = new double[PipelineCosts.RESULTS];
            ev.score(path, layers, ev.linkTerms(path), m);
            Prediction whole = new PerformanceModel(p).predict(placement, r);
            var predicted = whole.metrics();
            Prediction.Spread spread = whole.spread();
            assertThat(m).containsExactly(predicted.ttftMillis(), predicted.itlMillis(), predicted.tpotMillis(),
                    predicted.outputTokensPerSecond(), spread.firstTtftMillis(), spread.ttftStepMillis(),
                    spread.sequences(), spread.decodeMillis(), spread.requestsPerSecond());
        }
    }

    @Test
    void aMeasuredSlowLinkCostsThePrefillItsTransferTime() {
        Workload longPrompts = new Workload(1024, 128, 1);
        ConnectivityMap base = Fixtures.testbed(0.3, 0, 0);
        ConnectivityMap gigabit = base.toBuilder().link("node0", "node1", 0.3, 125e6).build();
        ConnectivityMap wifi = base.toBuilder().link("node0", "node1", 0.3, 12.5e6).build();

        double absent = model.predict(twoNodes, request(base, longPrompts, 4096)).metrics().ttftMillis();
        double atGigabit = model.predict(twoNodes, request(gigabit, longPrompts, 4096)).metrics().ttftMillis();
        double atWifi = model.predict(twoNodes, request(wifi, longPrompts, 4096)).metrics().ttftMillis();

        assertThat(atGigabit).as("1000 Mbps measured is the default assumed").isCloseTo(absent, within(1e-9));
        // 1024 prompt tokens × 3072 hidden × 2 (hidden state and residual) × 2 bytes = 12.6 MB over node0 → node1:
        // 101 ms at 1000 Mbps, 1007 ms at 100 Mbps.
        double bytes = 1024 * 3072 * 2 * 2.0;
        assertThat(atWifi - atGigabit).isCloseTo(bytes / 12.5e6 * 1000 - bytes / 125e6 * 1000, within(1.0));
    }
}
