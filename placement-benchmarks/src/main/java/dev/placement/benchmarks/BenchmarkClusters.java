package dev.placement.benchmarks;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuSpec;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.api.GpuCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The requests the solver benchmarks solve: the research testbed (3× T4, Falcon3-10B-Base, 40 layers) and
 * seeded heterogeneous edge clusters of n nodes for an 80-layer model (Llama-2-70B's shape, 140 GB in fp16).
 * Deterministic: the same size always gives the same cluster.
 */
public final class BenchmarkClusters {
    private BenchmarkClusters() {
    }

    /** Falcon3-10B-Base as the research ran it. */
    public static ModelSpec falcon() {
        return new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040, 12, 4, 256, 131072, 32768, 2,
                false, true);
    }

    /** An 80-layer model with Llama-2-70B's shape. */
    public static ModelSpec eightyLayers() {
        return new ModelSpec("meta-llama/Llama-2-70b-hf", "llama", 80, 8192, 28672, 64, 8, 128, 32000, 4096, 2,
                false, true);
    }

    /**
     * The research testbed with 2 ms added on node0-node1 and 10 ms on node1-node2.
     *
     * @param objective the objective
     * @return the request
     */
    public static PlacementRequest testbed(Objective objective) {
        GpuSpec t4 = GpuCatalog.builtIn().get("T4", "benchmark", "gpu");
        ClusterSnapshot cluster = new ClusterSnapshot(List.of(new NodeSpec("node0", "10.0.0.1", t4),
                new NodeSpec("node1", "10.0.0.2", t4), new NodeSpec("node2", "10.0.0.3", t4)));
        ConnectivityMap links = ConnectivityMap.builder().link("node0", "node1", 2.3).link("node1", "node2", 10.3)
                .link("node0", "node2", 0.3).build();
        return PlacementRequest.builder(falcon(), cluster, links).objective(objective).maxModelLen(4096).build();
    }

    /**
     * A seeded heterogeneous cluster of data-centre and edge GPUs with RTTs of 0.1 to 5 ms (a fifth of the
     * nodes behind slower links of up to 20 ms), every pair measured, default bandwidth.
     *
     * @param nodes     how many nodes
     * @param objective the objective
     * @return the request for the 80-layer model
     */
    public static PlacementRequest edge(int nodes, Objective objective) {
        Random rnd = new Random(1000L + nodes);
        List<String> gpus = List.of("A100-80GB", "A100-40GB", "A30", "L4", "RTX-4090", "A10", "Jetson-AGX-Orin-64GB");
        List<NodeSpec> list = new ArrayList<>();
        boolean[] slow = new boolean[nodes];
        for (int i = 0; i < nodes; i++) {
            GpuSpec gpu = GpuCatalog.builtIn().get(gpus.get(rnd.nextInt(gpus.size())), "benchmark", "gpu");
            list.add(new NodeSpec("node" + i, "10.0." + (i / 250) + "." + (i % 250 + 1), gpu));
            slow[i] = rnd.nextInt(5) == 0;
        }
        ConnectivityMap.Builder links = ConnectivityMap.builder();
        for (int i = 0; i < nodes; i++) {
            for (int j = i + 1; j < nodes; j++) {
                double rtt = 0.1 + rnd.nextDouble() * 4.9 + (slow[i] || slow[j] ? rnd.nextDouble() * 15 : 0);
                links.link("node" + i, "node" + j, rtt);
            }
        }
        return PlacementRequest.builder(eightyLayers(), new ClusterSnapshot(list), links.build())
                .objective(objective).maxModelLen(4096).build();
    }
}
