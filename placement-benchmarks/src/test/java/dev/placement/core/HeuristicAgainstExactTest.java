package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.benchmarks.BenchmarkClusters;
import dev.placement.benchmarks.RealisticClusters;
import dev.placement.core.catalog.ModelCatalog;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where the solver's heuristic takes over (above {@link PlacementSolver#EXACT_MAX_NODES} nodes), it is within 1%
 * of the exact optimum, run without a budget, on realistic sites of 13 to 16 nodes with a 40- and an 80-layer
 * model ({@link HeuristicGap} runs every such case by hand, including those whose exact search takes minutes).
 * In the solver's package, because the exact search beyond its limit is package-private. Slow for a unit test:
 * the exact search takes seconds per case.
 */
class HeuristicAgainstExactTest {

    private static final ModelSpec FORTY = ModelCatalog.builtIn().get("meta-llama/Llama-2-13b-hf", "test", "model");
    private static final ModelSpec EIGHTY = BenchmarkClusters.eightyLayers();

    static Stream<Arguments> sites() {
        return Stream.of(
                Arguments.of(13, FORTY, Objective.minimizeTtft()),
                Arguments.of(13, EIGHTY, Objective.minimizeItl()),
                Arguments.of(14, FORTY, Objective.maximizeThroughput()),
                Arguments.of(14, EIGHTY, Objective.maximizeThroughput()),
                Arguments.of(15, FORTY, Objective.minimizeItl()),
                Arguments.of(16, FORTY, Objective.minimizeItl()));
    }

    @ParameterizedTest(name = "{0} nodes x {1} layers, {2}")
    @MethodSource("sites")
    void theHeuristicIsWithinOnePercentOfExact(int nodes, ModelSpec model, Objective objective) {
        PlacementRequest request = RealisticClusters.request(nodes, 1, objective, model);
        PerformanceModel performance = PerformanceModel.defaults();
        PlacementSolver solver = new PlacementSolver(performance, Long.MAX_VALUE, 16);
        PlacementSolver.Found heuristic = solver.search(new PipelineCosts(request, performance.parameters()),
                objective, true);
        PlacementSolver.Found exact = solver.search(new PipelineCosts(request, performance.parameters()),
                objective, false);
        assertThat(exact).as("something fits").isNotNull();
        assertThat(exact.proven()).isTrue();
        assertThat(heuristic.score()).as("the exact optimum is no worse").isGreaterThanOrEqualTo(
                exact.score() - 1e-9 * Math.abs(exact.score()));
        double gap = (heuristic.score() - exact.score()) / Math.abs(exact.score());
        assertThat(gap).as("heuristic %s against exact %s", java.util.Arrays.toString(heuristic.path()),
                java.util.Arrays.toString(exact.path())).isLessThanOrEqualTo(0.01);
    }
}
