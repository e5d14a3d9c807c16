package dev.placement.core;

import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.benchmarks.BenchmarkClusters;
import dev.placement.benchmarks.RealisticClusters;
import dev.placement.core.catalog.ModelCatalog;
import java.util.Locale;

/**
 * How far the solver's heuristic (the beam search it uses above {@link PlacementSolver#EXACT_MAX_NODES} nodes) is
 * from the exact optimum where the exact search can still be run to its end: realistic sites
 * ({@link RealisticClusters}) of 13 to 16 nodes, a 40- and an 80-layer model, the ITL, throughput and TTFT
 * objectives. In this package because the exact search beyond the solver's limit is package-private.
 *
 * <pre>java -cp placement-benchmarks/target/benchmarks.jar dev.placement.core.HeuristicGap [seeds=2]</pre>
 *
 * <p>Prints one line per case (the gap in % of the exact score, both times) and the worst gap; slow: the exact
 * search takes seconds to minutes per case at 15 and 16 nodes.
 */
public final class HeuristicGap {

    private HeuristicGap() {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code seeds=N} (default 2)
     */
    public static void main(String[] args) {
        int seeds = args.length > 0 && args[0].startsWith("seeds=") ? Integer.parseInt(args[0].substring(6)) : 2;
        PerformanceModel model = PerformanceModel.defaults();
        PlacementSolver exact = new PlacementSolver(model, Long.MAX_VALUE, 16);
        ModelSpec[] models = {ModelCatalog.builtIn().get("meta-llama/Llama-2-13b-hf", "benchmark", "model"),
            BenchmarkClusters.eightyLayers()};
        Objective[] objectives = {Objective.minimizeItl(), Objective.maximizeThroughput(), Objective.minimizeTtft()};
        double worst = 0;
        int cases = 0;
        int over = 0;
        System.out.println("| nodes | layers | objective | seed | heuristic ms | exact ms | gap % |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int nodes = 13; nodes <= 16; nodes++) {
            for (ModelSpec m : models) {
                for (Objective objective : objectives) {
                    for (long seed = 1; seed <= seeds; seed++) {
                        PlacementRequest request = RealisticClusters.request(nodes, seed, objective, m);
                        long t0 = System.nanoTime();
                        PlacementSolver.Found h = exact.search(new PipelineCosts(request, model.parameters()),
                                objective, true);
                        long t1 = System.nanoTime();
                        PlacementSolver.Found e = exact.search(new PipelineCosts(request, model.parameters()),
                                objective, false);
                        long t2 = System.nanoTime();
                        if (e == null) {
                            System.out.printf("| %d | %d | %s | %d | — | — | nothing fits |%n", nodes, m.layers(),
                                    objective.goal(), seed);
                            continue;
                        }
                        double gap = 100 * (h.score() - e.score()) / Math.abs(e.score());
                        worst = Math.max(worst, gap);
                        cases++;
                        over += gap > 1 ? 1 : 0;
                        System.out.printf(Locale.ROOT, "| %d | %d | %s | %d | %.0f | %.0f | %.3f |%n", nodes,
                                m.layers(), objective.goal(), seed, (t1 - t0) / 1e6, (t2 - t1) / 1e6, gap);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d cases, %d more than 1%% worse than exact, worst %.3f%%%n", cases, over,
                worst);
    }
}
