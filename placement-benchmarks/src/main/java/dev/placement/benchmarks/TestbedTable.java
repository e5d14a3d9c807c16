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
import java.util.List;
import java.util.Locale;

/**
 * Prints the performance model's predictions for the research testbed (3× T4, Falcon3-10B-Base, default
 * workload) as link latency is added, as the Markdown table in docs/PERFORMANCE.md.
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
    }
}
