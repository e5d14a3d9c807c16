package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.PlacementRequest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlacementSolverPropertyTest {

    private static boolean notWorse(double solver, double reference) {
        return solver <= reference + 1e-9 * Math.max(1, Math.abs(reference));
    }

    /**
     * Asserts that the solver serves as many requests as brute force's best and scores no worse, or fails as
     * brute force found nothing; returns its solution, or null when nothing fits.
     */
    private static PlacementSolver.Solution matchesBruteForce(PlacementSolver solver, PlacementRequest request,
            BruteForce reference, int trial) {
        if (reference.best == null) {
            assertThatThrownBy(() -> solver.solve(request)).as("trial %d", trial)
                    .isInstanceOf(InfeasiblePlacementException.class);
            return null;
        }
        PlacementSolver.Solution s = solver.solve(request);
        Prediction p = solver.model().predict(s.best().placement(), request);
        assertThat(p.fits()).isTrue();
        double score = ObjectiveScore.score(request.objective(), p);
        assertThat(p.servedSequences()).as("trial %d: sequences served", trial).isEqualTo(reference.bestServed);
        assertThat(notWorse(score, reference.bestScore))
                .as("trial %d: solver %s scored %s, brute force %s scored %s", trial, s.best().placement(), score,
                        reference.best, reference.bestScore)
                .isTrue();
        return s;
    }

    @Test
    void neverWorseThanBruteForceOnRandomSmallClusters() {
        PerformanceModel model = PerformanceModel.defaults();
        PlacementSolver solver = new PlacementSolver(model);
        Random rnd = new Random(20261127);
        int feasible = 0;
        int multiStage = 0;
        for (int trial = 0; trial < 200; trial++) {
            int nodes = 2 + rnd.nextInt(5);
            int layers = nodes + rnd.nextInt(nodes <= 3 ? 9 : nodes <= 5 ? 5 : 3);
            PlacementRequest request = Fixtures.randomRequest(rnd, nodes, layers);
            BruteForce reference = new BruteForce(model, request).run();
            PlacementSolver.Solution s = matchesBruteForce(solver, request, reference, trial);
            if (s == null) {
                continue;
            }
            feasible++;
            if (request.firstNodeId() != null) {
                assertThat(s.best().placement().stages().get(0).nodeId()).isEqualTo(request.firstNodeId());
            }
            if (reference.best.pipelineParallelSize() > 1) {
                multiStage++;
            }
        }
        // The random clusters must exercise the interesting cases, not only trivial or impossible ones.
        assertThat(feasible).isGreaterThan(100);
        assertThat(multiStage).isGreaterThan(40);
    }

    @Test
    void choosingTheTensorParallelSizeWithThePlacementIsNeverWorseThanBruteForceOverEverySize() {
        PerformanceModel model = PerformanceModel.defaults();
        PlacementSolver solver = new PlacementSolver(model);
        Random rnd = new Random(20261203);
        int feasible = 0;
        int tensorParallel = 0;
        int pipelineOfTensorParallel = 0;
        for (int trial = 0; trial < 150; trial++) {
            int nodes = 1 + rnd.nextInt(4);
            int layers = nodes + rnd.nextInt(nodes <= 2 ? 9 : 5);
            PlacementRequest request = Fixtures.randomMultiGpuRequest(rnd, nodes, layers);
            BruteForce reference = new BruteForce(model, request).run();
            PlacementSolver.Solution s = matchesBruteForce(solver, request, reference, trial);
            if (s == null) {
                continue;
            }
            feasible++;
            if (reference.best.tensorParallelSize() > 1) {
                tensorParallel++;
                if (reference.best.pipelineParallelSize() > 1) {
                    pipelineOfTensorParallel++;
                }
            }
        }
        // Both answers must be common: tensor parallelism where it pays, one GPU per stage where it does not.
        assertThat(feasible).isGreaterThan(80);
        assertThat(tensorParallel).isBetween(15, feasible - 15);
        assertThat(pipelineOfTensorParallel).isGreaterThan(3);
    }

    @Test
    void symmetryReductionLosesNothingOnClustersOfIdenticalNodes() {
        symmetricClustersMatchBruteForce(new Random(4242), false);
    }

    @Test
    void dominanceAmongCandidatesOnTheSameGpusLosesNothingOnNearIdenticalNodes() {
        symmetricClustersMatchBruteForce(new Random(777), true);
    }

    private void symmetricClustersMatchBruteForce(Random rnd, boolean noisy) {
        PerformanceModel model = PerformanceModel.defaults();
        PlacementSolver solver = new PlacementSolver(model);
        int feasible = 0;
        int reduced = 0;
        for (int trial = 0; trial < 150; trial++) {
            int nodes = 2 + rnd.nextInt(5);
            int layers = nodes + rnd.nextInt(nodes <= 3 ? 9 : nodes <= 5 ? 5 : 3);
            PlacementRequest request = Fixtures.randomSymmetricRequest(rnd, nodes, layers, noisy);
            PipelineCosts costs = new PipelineCosts(request, model.parameters());
            int first = request.firstNodeId() == null ? -1 : costs.indexOf(request.firstNodeId());
            if (java.util.Arrays.stream(ExactSearch.lowerMates(costs, first)).anyMatch(m -> m != 0)) {
                reduced++;
            }
            // Brute force enumerates every placement, with no symmetry reduction.
            BruteForce reference = new BruteForce(model, request).run();
            PlacementSolver.Solution s = matchesBruteForce(solver, request, reference, trial);
            if (s == null) {
                continue;
            }
            feasible++;
            // The exact search alone (no heuristic incumbent) must reach the optimum too.
            ExactSearch exact = new ExactSearch(costs.requiring(reference.bestServed), request.objective());
            exact.run(first, Double.POSITIVE_INFINITY);
            assertThat(exact.bestFirst).as("trial %d: exact search found nothing", trial).isNotNegative();
            assertThat(notWorse(exact.bestScore, reference.bestScore))
                    .as("trial %d: exact search %s, brute force %s", trial, exact.bestScore, reference.bestScore)
                    .isTrue();
            if (request.firstNodeId() != null) {
                assertThat(s.best().placement().stages().get(0).nodeId()).isEqualTo(request.firstNodeId());
            }
        }
        assertThat(feasible).isGreaterThan(60);
        if (!noisy) {
            assertThat(reduced).isGreaterThan(80);
        }
    }

    @Test
    void heuristicIsWithinOnePercentOfExactOnEveryRandomEightToTwelveNodeCluster() {
        PerformanceModel model = PerformanceModel.defaults();
        PlacementSolver solver = new PlacementSolver(model);
        Random rnd = new Random(99);
        int compared = 0;
        for (int trial = 0; trial < 60; trial++) {
            int nodes = 8 + rnd.nextInt(5);
            PlacementRequest request = Fixtures.randomRequest(rnd, nodes, 16 + rnd.nextInt(24));
            PlacementSolver.Found exact = solver.search(new PipelineCosts(request, model.parameters()),
                    request.objective(), false);
            PlacementSolver.Found heuristic = solver.search(new PipelineCosts(request, model.parameters()),
                    request.objective(), true);
            if (exact == null) {
                assertThat(heuristic).isNull();
                continue;
            }
            compared++;
            assertThat(heuristic).as("trial %d: heuristic found nothing", trial).isNotNull();
            double e = exact.score();
            double h = heuristic.score();
            assertThat(notWorse(e, h)).as("trial %d: exact %s worse than heuristic %s", trial, e, h).isTrue();
            assertThat(h - e).as("trial %d: heuristic %s, exact %s", trial, h, e)
                    .isLessThanOrEqualTo(0.01 * Math.abs(e) + 1e-9);
        }
        assertThat(compared).isGreaterThan(50);
    }
}
