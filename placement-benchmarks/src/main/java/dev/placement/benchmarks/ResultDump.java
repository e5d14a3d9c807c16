package dev.placement.benchmarks;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Slo;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import java.util.Locale;

/**
 * Prints the solver's answer (placement, proven flag, objective metrics to 17 digits) for every goal on a fixed
 * list of seeded clusters, one line each, so that a change to the solver that must not change its results can be
 * checked by diffing the output before and after. {@code java -cp placement-benchmarks/target/benchmarks.jar
 * dev.placement.benchmarks.ResultDump [clusters=200] [maxNodes=64] > dump.txt}: realistic sites of 2 to
 * {@code maxNodes} nodes (seeded by their index) and the benchmark's edge clusters of the same sizes.
 */
public final class ResultDump {
    private ResultDump() {
    }

    /**
     * Prints the dump.
     *
     * @param args {@code clusters=N} how many sizes and seeds to walk, {@code maxNodes=N} the largest size
     */
    public static void main(String[] args) {
        int clusters = 200;
        int maxNodes = 64;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "clusters" -> clusters = Integer.parseInt(kv[1]);
                case "maxNodes" -> maxNodes = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown setting " + a);
            }
        }
        PlacementSolver solver = new PlacementSolver(PerformanceModel.defaults());
        for (int i = 0; i < clusters; i++) {
            int n = 2 + (i * 7) % (maxNodes - 1);
            for (Objective.Goal goal : Objective.Goal.values()) {
                Objective objective = goal == Objective.Goal.GOODPUT
                        ? Objective.maximizeGoodput(Slo.parse("ttft=3000,tpot=200")) : Objective.of(goal);
                dump(solver, "real n=" + n + " seed=" + i + " " + goal, RealisticClusters.request(n, i, objective));
                if (i % 4 == 0) {
                    dump(solver, "edge n=" + n + " " + goal, BenchmarkClusters.edge(n, objective));
                }
            }
        }
    }

    private static void dump(PlacementSolver solver, String name, PlacementRequest request) {
        try {
            PlacementSolver.Solution s = solver.solve(request);
            System.out.printf(Locale.ROOT, "%s: %s proven=%b ttft=%.17g itl=%.17g tput=%.17g%n", name,
                    s.best().placement().toSpec(), s.proven(), s.best().metrics().ttftMillis(),
                    s.best().metrics().itlMillis(), s.best().metrics().outputTokensPerSecond());
        } catch (InfeasiblePlacementException e) {
            System.out.println(name + ": infeasible");
        }
    }
}
