package dev.placement.benchmarks;

import dev.placement.api.Objective;
import dev.placement.api.Slo;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import java.util.Locale;

/**
 * A quick timing harness beside the JMH benchmark: solves each benchmark request a few times and prints the
 * best time, the placement and its score. {@code java -cp placement-benchmarks/target/benchmarks.jar
 * dev.placement.benchmarks.SolverTiming}.
 */
public final class SolverTiming {
    private SolverTiming() {
    }

    /**
     * Runs the timings.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        PlacementSolver solver = new PlacementSolver(PerformanceModel.defaults());
        for (Objective.Goal goal : Objective.Goal.values()) {
            Objective objective = goal == Objective.Goal.GOODPUT
                    ? Objective.maximizeGoodput(Slo.parse("ttft=3000,tpot=200")) : Objective.of(goal);
            time(solver, "3x40 " + goal, BenchmarkClusters.testbed(objective));
            for (int n : new int[] {8, 12, 16, 24, 32, 64}) {
                time(solver, n + "x80 " + goal, BenchmarkClusters.edge(n, objective));
            }
        }
    }

    private static void time(PlacementSolver solver, String name, PlacementRequest request) {
        double best = Double.POSITIVE_INFINITY;
        PlacementSolver.Solution s = null;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            s = solver.solve(request);
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
        }
        System.out.printf(Locale.ROOT, "%-16s %9.2f ms  %s  ITL %.1f ms, %.1f tok/s%n", name, best,
                s.best().placement().toSpec(), s.best().metrics().itlMillis(),
                s.best().metrics().outputTokensPerSecond());
    }
}
