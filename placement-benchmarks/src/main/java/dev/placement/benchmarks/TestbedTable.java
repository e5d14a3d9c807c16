package dev.placement.benchmarks;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
import dev.placement.api.GpuCatalog;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import dev.placement.sim.ResearchTestbed;
import java.util.List;
import java.util.Locale;

/**
 * Prints the performance model's predictions for the research testbed (3× T4, Falcon3-10B-Base, default
 * workload) as link latency is added, and the choices per goal under 16 concurrent long prompts, as the
 * Markdown tables in docs/PERFORMANCE.md.
 * {@code java -cp placement-benchmarks/target/benchmarks.jar dev.placement.benchmarks.TestbedTable}.
 */
public final class TestbedTable {
    private TestbedTable() {
    }

    /**
     * Prints the table.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        PerformanceModel model = PerformanceModel.defaults();
        PlacementSolver solver = new PlacementSolver(model);
        var t4 = GpuCatalog.builtIn().get("T4", "table", "gpu");
        ClusterSnapshot cluster = new ClusterSnapshot(List.of(new NodeSpec("node0", "a", t4),
                new NodeSpec("node1", "b", t4), new NodeSpec("node2", "c", t4)));
        Placement two = Placement.parse("node0:20,node1:20");
        Placement three = Placement.parse("node0:13,node1:14,node2:13");
        System.out.println("| added RTT node0-node1, node1-node2 (ms) | 20/20 ITL | 13/14/13 ITL | 20/20 TTFT | "
                + "13/14/13 TTFT | 20/20 tok/s | 13/14/13 tok/s | solver, objective itl | "
                + "solver, objective throughput |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (double[] a : new double[][] {{0, 0}, {2, 2}, {2, 4}, {2, 6}, {2, 8}, {2, 10}, {4, 8}}) {
            ConnectivityMap links = ConnectivityMap.builder().link("node0", "node1", 0.3 + a[0])
                    .link("node1", "node2", 0.3 + a[1]).link("node0", "node2", 0.3).build();
            PlacementRequest r = PlacementRequest.builder(BenchmarkClusters.falcon(), cluster, links).maxModelLen(4096)
                    .build();
            Prediction p2 = model.predict(two, r);
            Prediction p3 = model.predict(three, r);
            String itl = solver.solve(r).best().placement().toSpec();
            String tps = solver.solve(r.toBuilder().objective(Objective.maximizeThroughput()).build()).best()
                    .placement().toSpec();
            System.out.printf(Locale.ROOT, "| [%.0f, %.0f] | %.1f | %.1f | %.0f | %.0f | %.1f | %.1f | %s | %s |%n",
                    a[0], a[1], p2.metrics().itlMillis(), p3.metrics().itlMillis(), p2.metrics().ttftMillis(),
                    p3.metrics().ttftMillis(), p2.metrics().outputTokensPerSecond(),
                    p3.metrics().outputTokensPerSecond(), itl, tps);
        }
        servingTheLoad(model, solver);
    }

    /**
     * The research's ladder with node2 behind both added latencies ({@link ResearchTestbed#links}) and 16
     * concurrent 1024-token prompts: each goal's choice (all of them run the 16 requests at once), the goodput
     * choice against an SLO, and the frontier's size.
     */
    private static void servingTheLoad(PerformanceModel model, PlacementSolver solver) {
        Slo slo = Slo.parse("ttft=4000,tpot=160");
        System.out.println();
        System.out.println("| [a, b] | itl | ttft | throughput | balanced | goodput (" + slo.toSpec()
                + "), req/s | frontier points |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (double[] a : new double[][] {{0, 0}, {2, 2}, {2, 4}, {2, 6}, {2, 8}, {2, 10}}) {
            PlacementRequest r = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, ResearchTestbed.cluster(),
                    ResearchTestbed.links(0.2, a[0], a[1])).workload(new Workload(1024, 128, 16)).maxModelLen(4096)
                    .build();
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| [%.0f, %.0f] |", a[0], a[1]));
            for (Objective.Goal g : List.of(Objective.Goal.ITL, Objective.Goal.TTFT, Objective.Goal.THROUGHPUT,
                    Objective.Goal.BALANCED)) {
                row.append(' ').append(solver.solve(r.toBuilder().objective(Objective.of(g)).build()).best()
                        .placement().layerPartition()).append(" |");
            }
            Prediction g = solver.solve(r.toBuilder().objective(Objective.maximizeGoodput(slo)).build()).best();
            row.append(String.format(Locale.ROOT, " %s: %.3f |", g.placement().layerPartition(),
                    g.spread().goodput(slo)));
            row.append(' ').append(solver.frontier(r, 8).size()).append(" |");
            System.out.println(row);
        }
    }
}
