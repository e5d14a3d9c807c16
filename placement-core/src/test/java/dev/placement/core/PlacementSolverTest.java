package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import java.util.List;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class PlacementSolverTest {
    private final PerformanceModel model = PerformanceModel.defaults();
    private final PlacementSolver solver = new PlacementSolver(model);

    @Test
    void keepsAllThreeT4sOnAFastUniformNetworkForThroughput() {
        PlacementSolver.Solution s = solver.solve(Fixtures.falconRequest(Fixtures.testbed(0.3, 0, 0),
                Objective.maximizeThroughput()));
        assertThat(s.best().placement().pipelineParallelSize()).isEqualTo(3);
        assertThat(s.excludedNodes()).isEmpty();
        assertThat(s.explanation()).contains("3 of 3 nodes").contains("output tokens/s");
    }

    @Test
    void dropsTheNodeBehindSlowLinksWhenMinimisingItl() {
        // The research's added latency on node0-node1 and node1-node2; node0-node2 stays fast.
        PlacementSolver.Solution s = solver.solve(Fixtures.falconRequest(Fixtures.testbed(0.3, 2, 10),
                Objective.minimizeItl()));
        assertThat(s.best().placement().pipelineParallelSize()).isEqualTo(2);
        assertThat(s.excludedNodes()).containsExactly("node1");
        assertThat(s.best().placement().nodeIds()).containsExactlyInAnyOrder("node0", "node2");
        assertThat(s.explanation()).contains("node1 was left out").contains("ms per token")
                .contains("ms of compute it would save");
    }

    @Test
    void twoNodeSplitBeatsVllmsEvenSplitOnItlOnceLinksAddAFewMilliseconds() {
        Placement two = Placement.parse("node0:20,node1:20");
        Placement even = Placement.parse("node0:13,node1:14,node2:13");
        Objective itl = Objective.minimizeItl();
        PlacementRequest flat = Fixtures.falconRequest(Fixtures.testbed(0.3, 0, 0), itl);
        assertThat(model.predict(even, flat).metrics().outputTokensPerSecond())
                .isGreaterThan(model.predict(two, flat).metrics().outputTokensPerSecond());
        for (double[] added : new double[][] {{2, 6}, {2, 8}, {2, 10}, {4, 8}}) {
            PlacementRequest r = Fixtures.falconRequest(Fixtures.testbed(0.3, added[0], added[1]), itl);
            Prediction p2 = model.predict(two, r);
            Prediction p3 = model.predict(even, r);
            assertThat(p2.metrics().itlMillis()).as("added %s/%s ms", added[0], added[1])
                    .isLessThan(p3.metrics().itlMillis());
            assertThat(p2.metrics().outputTokensPerSecond()).isGreaterThan(p3.metrics().outputTokensPerSecond());
            // The price: less KV cache and less prefill overlap, so a longer time to first token.
            assertThat(p2.metrics().ttftMillis()).isGreaterThan(p3.metrics().ttftMillis());
        }
    }

    @Test
    void amongEquallyGoodPlacementsPrefersTheClusterOrder() {
        // Three identical T4s on a uniform network: every order of the nodes scores the same.
        ConnectivityMap uniform = Fixtures.testbed(0.2, 0, 0);
        for (Objective objective : List.of(Objective.minimizeItl(), Objective.maximizeThroughput())) {
            PlacementRequest r = Fixtures.falconRequest(uniform, objective);
            PlacementSolver.Solution exact = solver.solve(r);
            assertThat(exact.best().placement().nodeIds()).as("%s", objective.goal())
                    .containsExactly("node0", "node1", "node2");
            PlacementSolver.Found heuristic = solver.search(new PipelineCosts(r, model.parameters()), objective, true);
            assertThat(heuristic.placement(new PipelineCosts(r, model.parameters())).nodeIds())
                    .as("heuristic, %s", objective.goal()).containsExactly("node0", "node1", "node2");
            // Renaming the nodes must not change the shape of the answer, only which names it uses.
            Placement swapped = Placement.parse(exact.best().placement().toSpec().replace("node0", "nodeX")
                    .replace("node2", "node0").replace("nodeX", "node2"));
            assertThat(ObjectiveScore.score(objective, model.predict(swapped, r)))
                    .isCloseTo(ObjectiveScore.score(objective, exact.best()),
                            Percentage.withPercentage(1e-7));
        }
    }

    @Test
    void honoursThePinnedFirstNode() {
        PlacementRequest r = Fixtures.falconRequest(Fixtures.testbed(0.3, 2, 10), Objective.minimizeItl())
                .toBuilder().firstNodeId("node1").build();
        PlacementSolver.Solution s = solver.solve(r);
        assertThat(s.best().placement().stages().get(0).nodeId()).isEqualTo("node1");
    }

    @Test
    void saysHowMuchMemoryIsMissingWhenTheModelCannotFit() {
        ClusterSnapshot one = new ClusterSnapshot(List.of(new NodeSpec("node0", "h0", Fixtures.t4())));
        PlacementRequest r = PlacementRequest.builder(Fixtures.falcon(), one, ConnectivityMap.builder().build())
                .maxModelLen(4096).build();
        assertThatThrownBy(() -> solver.solve(r)).isInstanceOf(InfeasiblePlacementException.class)
                .hasMessageContaining("the model needs 20.6 GB of weights")
                .hasMessageContaining("offers").hasMessageContaining("short");
    }

    @Test
    void aNodeWithoutKnownLinksCannotJoinAPipeline() {
        ConnectivityMap onlyOnePair = ConnectivityMap.builder().link("node0", "node2", 0.3).build();
        PlacementSolver.Solution s = solver.solve(Fixtures.falconRequest(onlyOnePair, Objective.maximizeThroughput()));
        assertThat(s.excludedNodes()).containsExactly("node1");
        assertThat(s.explanation()).contains("no RTT is known");
        ConnectivityMap none = ConnectivityMap.builder().build();
        assertThatThrownBy(() -> solver.solve(Fixtures.falconRequest(none, Objective.minimizeItl())))
                .isInstanceOf(InfeasiblePlacementException.class)
                .hasMessageContaining("largest pipeline of known links");
    }

    @Test
    void saysWhichBoundFailsAndByHowMuch() {
        PlacementRequest r = Fixtures.falconRequest(Fixtures.testbed(0.3, 0, 0),
                Objective.minimizeItl().withMaxItlMillis(20));
        assertThatThrownBy(() -> solver.solve(r)).isInstanceOf(InfeasiblePlacementException.class)
                .hasMessageContaining("bound of 20.0 ms").hasMessageContaining("over");
    }

    @Test
    void aBoundSteersTheChoice() {
        PlacementRequest r = Fixtures.falconRequest(Fixtures.testbed(0.3, 2, 10), Objective.minimizeItl());
        double ttftOfBest = solver.solve(r).best().metrics().ttftMillis();
        PlacementSolver.Solution bounded = solver.solve(r.toBuilder()
                .objective(Objective.minimizeItl().withMaxTtftMillis(ttftOfBest - 50)).build());
        assertThat(bounded.best().metrics().ttftMillis()).isLessThanOrEqualTo(ttftOfBest - 50);
    }

    @Test
    void agentsReadTheirModelAtEveryDecisionWhenGivenASupplier() {
        PlacementRequest r = Fixtures.falconRequest(Fixtures.testbed(0.3, 2, 2), Objective.minimizeItl());
        PerformanceModel free = new PerformanceModel(PerformanceModel.Parameters.defaults()
                .withLatencyCrossingFactor(0));
        java.util.concurrent.atomic.AtomicReference<PerformanceModel> current =
                new java.util.concurrent.atomic.AtomicReference<>(model);
        SolverAgent learning = new SolverAgent(current::get);
        EvenSplitAgent even = new EvenSplitAgent(current::get);

        PlacementDecision before = learning.decide(r);
        double evenBefore = even.decide(r).predicted().itlMillis();
        current.set(free);
        PlacementDecision after = learning.decide(r);

        assertThat(before.placement()).isEqualTo(new SolverAgent(model).decide(r).placement());
        assertThat(after.placement()).isEqualTo(new SolverAgent(free).decide(r).placement())
                .as("links cost nothing to the second model").isNotEqualTo(before.placement());
        assertThat(even.decide(r).predicted().itlMillis()).isLessThan(evenBefore);
    }

    @Test
    void agentsDecideWithTheirNamesAndPredictions() {
        PlacementRequest r = Fixtures.falconRequest(Fixtures.testbed(0.3, 0, 0), Objective.minimizeItl());
        PlacementDecision even = new EvenSplitAgent(model).decide(r);
        assertThat(even.agent()).isEqualTo("even");
        assertThat(even.placement().toSpec()).isEqualTo("node0:13,node1:14,node2:13");
        assertThat(even.predicted()).isNotNull();
        PlacementDecision prop = new ProportionalAgent(model).decide(r);
        assertThat(prop.agent()).isEqualTo("proportional");
        assertThat(prop.placement().layerCounts()).containsExactly(14, 13, 13);
        PlacementDecision best = new SolverAgent(model).decide(r);
        assertThat(best.agent()).isEqualTo("solver");
        assertThat(ObjectiveScore.score(r.objective(), best.predicted()))
                .isLessThanOrEqualTo(ObjectiveScore.score(r.objective(), even.predicted()));
    }

    @Test
    void vllmRemainderRuleGoesToThePartitionsBeforeTheLast() {
        assertThat(EvenSplitAgent.vllmPartition(40, 3)).containsExactly(13, 14, 13);
        assertThat(EvenSplitAgent.vllmPartition(40, 2)).containsExactly(20, 20);
        assertThat(EvenSplitAgent.vllmPartition(10, 4)).containsExactly(2, 3, 3, 2);
        assertThat(EvenSplitAgent.vllmPartition(32, 5)).containsExactly(6, 6, 7, 7, 6);
        assertThatThrownBy(() -> EvenSplitAgent.vllmPartition(2, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void evenSplitThatDoesNotFitIsInfeasible() {
        ClusterSnapshot two = new ClusterSnapshot(List.of(new NodeSpec("node0", "h0", Fixtures.t4()),
                new NodeSpec("node1", "h1", dev.placement.api.GpuSpec.of("small", 6, 300, 60))));
        PlacementRequest r = PlacementRequest.builder(Fixtures.falcon(), two,
                ConnectivityMap.builder().link("node0", "node1", 0.3).build()).maxModelLen(4096).build();
        assertThatThrownBy(() -> new EvenSplitAgent().decide(r)).isInstanceOf(InfeasiblePlacementException.class)
                .hasMessageContaining("does not fit").hasMessageContaining("node1");
    }
    /** n identical T4s, every pair 0.2 ms apart: the common edge setup the symmetry reduction is for. */
    static PlacementRequest identicalT4s(int n, dev.placement.api.ModelSpec m, Objective objective) {
        List<NodeSpec> nodes = new java.util.ArrayList<>();
        ConnectivityMap.Builder links = ConnectivityMap.builder();
        for (int i = 0; i < n; i++) {
            nodes.add(new NodeSpec("n" + i, "10.0.0." + (i + 1), Fixtures.t4()));
            for (int j = 0; j < i; j++) {
                links.link("n" + j, "n" + i, 0.2);
            }
        }
        return PlacementRequest.builder(m, new ClusterSnapshot(nodes), links.build()).objective(objective)
                .maxModelLen(4096).build();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"meta-llama/Llama-2-13b-hf, itl",
            "meta-llama/Llama-2-13b-hf, throughput", "tiiuae/Falcon3-10B-Base, itl",
            "tiiuae/Falcon3-10B-Base, throughput"})
    void solvesTwelveIdenticalT4sExactlyWithNodesInClusterOrder(String modelId, String goal) {
        dev.placement.api.ModelSpec m = dev.placement.core.catalog.ModelCatalog.builtIn().get(modelId, "test", "model");
        PlacementRequest request = identicalT4s(12, m, Objective.of(Objective.Goal.parse(goal)));
        PlacementSolver.Solution s = solver.solve(request);
        List<dev.placement.api.Stage> stages = s.best().placement().stages();
        for (int r = 0; r < stages.size(); r++) {
            assertThat(stages.get(r).nodeId()).as("rank %d of %s", r, s.best().placement()).isEqualTo("n" + r);
        }
        assertThat(s.best().fits()).isTrue();
        assertThat(s.proven()).isTrue();
        assertThat(s.explanation()).contains("over every valid placement").doesNotContain("not proven");
        // Exact means no worse than the heuristic, and no worse than any even split over a prefix of the nodes.
        double score = ObjectiveScore.score(request.objective(), s.best());
        PlacementSolver.Found heuristic = solver.search(new PipelineCosts(request, model.parameters()),
                request.objective(), true);
        assertThat(score).isLessThanOrEqualTo(heuristic.score() + 1e-9 * Math.abs(heuristic.score()));
        for (int k = 1; k <= 12; k++) {
            List<String> ids = new java.util.ArrayList<>();
            List<Integer> counts = new java.util.ArrayList<>();
            for (int r = 0; r < k; r++) {
                ids.add("n" + r);
                counts.add(m.layers() / k + (r < m.layers() % k ? 1 : 0));
            }
            Prediction even = model.predict(Placement.of(ids, counts), request);
            if (even.fits()) {
                assertThat(ObjectiveScore.regret(request.objective(), even, s.best())).as("even split over %d nodes", k)
                        .isGreaterThanOrEqualTo(-1e-9);
            }
        }
    }
    @Test
    void whenTheExactSearchRunsOutOfBudgetItSaysSoAndKeepsTheBetterOfItsBestAndTheHeuristics() {
        // Near-identical nodes: RTTs of 0.2 ms with 5% noise, which the symmetry reduction cannot merge.
        java.util.Random rnd = new java.util.Random(7);
        List<NodeSpec> nodes = new java.util.ArrayList<>();
        ConnectivityMap.Builder links = ConnectivityMap.builder();
        for (int i = 0; i < 12; i++) {
            nodes.add(new NodeSpec("n" + i, "10.0.0." + (i + 1), Fixtures.t4()));
            for (int j = 0; j < i; j++) {
                links.link("n" + j, "n" + i, 0.2 * (0.95 + 0.1 * rnd.nextDouble()));
            }
        }
        PlacementRequest request = PlacementRequest.builder(Fixtures.falcon(), new ClusterSnapshot(nodes),
                links.build()).objective(Objective.minimizeItl()).maxModelLen(4096).build();
        PlacementSolver.Solution s = new PlacementSolver(model, 1000).solve(request);
        assertThat(s.proven()).isFalse();
        assertThat(s.explanation()).containsPattern("The exact search stopped after 10[0-9][0-9] steps")
                .contains("not proven optimal").doesNotContain("over every valid placement");
        double score = ObjectiveScore.score(request.objective(), s.best());
        PlacementSolver.Found heuristic = solver.search(new PipelineCosts(request, model.parameters()),
                request.objective(), true);
        assertThat(score).isLessThanOrEqualTo(heuristic.score() + 1e-9 * Math.abs(heuristic.score()));
        // The same budget is plenty for a small cluster: it finishes and says it is exact.
        PlacementSolver.Solution small = new PlacementSolver(model, 1000).solve(
                Fixtures.falconRequest(Fixtures.testbed(0.3, 0, 0), Objective.minimizeItl()));
        assertThat(small.proven()).isTrue();
    }
}
