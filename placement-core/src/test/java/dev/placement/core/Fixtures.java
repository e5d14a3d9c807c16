package dev.placement.core;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuSpec;
import dev.placement.api.IntraNodeLink;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Slo;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.api.GpuCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Clusters, models and requests shared by the tests of this package. */
final class Fixtures {
    private Fixtures() {
    }

    /** Falcon3-10B-Base as the research ran it (fp16 on T4, --dtype half). */
    static ModelSpec falcon() {
        return new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040, 12, 4, 256, 131072, 32768, 2,
                false, true);
    }

    static GpuSpec t4() {
        return GpuCatalog.builtIn().get("T4", "test", "gpu");
    }

    static ClusterSnapshot threeT4() {
        return new ClusterSnapshot(List.of(new NodeSpec("node0", "10.0.0.1", t4()),
                new NodeSpec("node1", "10.0.0.2", t4()), new NodeSpec("node2", "10.0.0.3", t4())));
    }

    /**
     * The research testbed's links: a base RTT everywhere, plus added RTT on node0-node1 and node1-node2.
     */
    static ConnectivityMap testbed(double baseRtt, double added01, double added12) {
        return ConnectivityMap.builder().link("node0", "node1", baseRtt + added01)
                .link("node1", "node2", baseRtt + added12).link("node0", "node2", baseRtt).build();
    }

    static PlacementRequest falconRequest(ConnectivityMap links, Objective objective) {
        return PlacementRequest.builder(falcon(), threeT4(), links).objective(objective).maxModelLen(4096).build();
    }

    /** A small random model: few layers so brute force stays fast. */
    static ModelSpec smallModel(Random rnd, int layers) {
        int hidden = 512 * (1 + rnd.nextInt(4));
        int heads = 8;
        int kvHeads = rnd.nextBoolean() ? 8 : 2;
        return new ModelSpec("test/small-" + layers, "llama", layers, hidden, hidden * (2 + rnd.nextInt(3)), heads,
                kvHeads, hidden / heads, 32000, 8192, 2, rnd.nextBoolean(), rnd.nextBoolean());
    }

    /**
     * A random cluster of GPUs sized so that the given model needs a few of them; random RTTs, some links
     * missing, some bandwidths measured.
     */
    static PlacementRequest randomRequest(Random rnd, int nodes, int layers) {
        ModelSpec model = smallModel(rnd, layers);
        double total = model.totalBytes();
        List<NodeSpec> list = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            double memGiB = (total / (1 << 30)) * (0.25 + rnd.nextDouble() * 0.9) + 1.4;
            double bw = 100 + rnd.nextInt(900);
            double tflops = 10 + rnd.nextInt(150);
            list.add(new NodeSpec("n" + i, "10.0.0." + (i + 1), GpuSpec.of("gpu" + i, memGiB, bw, tflops)));
        }
        ConnectivityMap.Builder links = ConnectivityMap.builder();
        boolean measureBandwidth = rnd.nextBoolean();
        for (int i = 0; i < nodes; i++) {
            for (int j = i + 1; j < nodes; j++) {
                if (rnd.nextInt(10) == 0) {
                    continue;
                }
                double rtt = rnd.nextInt(4) == 0 ? rnd.nextDouble() * 20 : rnd.nextDouble() * 2;
                if (measureBandwidth && rnd.nextBoolean()) {
                    links.link("n" + i, "n" + j, rtt, (20 + rnd.nextInt(200)) * 1e6);
                } else if (rnd.nextInt(8) == 0) {
                    links.rtt("n" + i, "n" + j, rtt).rtt("n" + j, "n" + i, rtt * (1 + rnd.nextDouble()));
                } else {
                    links.link("n" + i, "n" + j, rtt);
                }
            }
        }
        Objective objective = randomObjective(rnd);
        if (rnd.nextInt(6) == 0) {
            objective = objective.withMaxItlMillis(5 + rnd.nextDouble() * 200);
        }
        Workload workload = new Workload(16 + rnd.nextInt(1000), 2 + rnd.nextInt(200), 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 64));
        int maxModelLen = Math.min(model.contextLength(), workload.inputTokens() + workload.outputTokens()
                + rnd.nextInt(2048));
        PlacementRequest.Builder b = PlacementRequest.builder(model, new ClusterSnapshot(list), links.build())
                .objective(objective).workload(workload).maxModelLen(maxModelLen);
        if (rnd.nextInt(4) == 0) {
            b.firstNodeId("n" + rnd.nextInt(nodes));
        }
        return b.build();
    }
    /**
     * {@link #randomRequest} on nodes of 1 to 4 GPUs joined by random intra-node links (PCIe or NVLink, 8 to 300
     * GB/s, 2 to 60 µs per all-reduce), so that tensor parallelism sometimes pays and sometimes does not.
     */
    static PlacementRequest randomMultiGpuRequest(Random rnd, int nodes, int layers) {
        PlacementRequest r = randomRequest(rnd, nodes, layers);
        List<NodeSpec> list = new ArrayList<>();
        for (NodeSpec n : r.cluster().nodes()) {
            IntraNodeLink link = new IntraNodeLink(rnd.nextBoolean() ? IntraNodeLink.Kind.PCIE
                    : IntraNodeLink.Kind.NVLINK, (8 + rnd.nextInt(292)) * 1e9, 2 + rnd.nextInt(58));
            list.add(new NodeSpec(n.id(), n.address(), n.gpu().withIntraNodeLink(link), 1 + rnd.nextInt(4),
                    n.labels()));
        }
        return r.toBuilder().cluster(new ClusterSnapshot(list)).build();
    }

    /**
     * A random cluster with symmetry, the case the exact search reduces: in half of them every node has the
     * same GPU and every link the same RTT; otherwise a uniform group of identical nodes on one RTT plus one or
     * two distinct nodes (another GPU, or other RTTs), sometimes a uniformly missing link or a measured
     * bandwidth on the uniform links; a pinned first node in a quarter. With {@code noisy}, every RTT of the
     * uniform links gets ±5% of random noise (near-identical nodes: the same GPUs, no exact symmetry).
     */
    static PlacementRequest randomSymmetricRequest(Random rnd, int nodes, int layers, boolean noisy) {
        ModelSpec model = smallModel(rnd, layers);
        double total = model.totalBytes();
        double memGiB = (total / (1 << 30)) * (0.25 + rnd.nextDouble() * 0.9) + 1.4;
        GpuSpec shared = GpuSpec.of("shared", memGiB, 100 + rnd.nextInt(900), 10 + rnd.nextInt(150));
        boolean allUniform = rnd.nextBoolean();
        int distinct = allUniform ? 0 : 1 + rnd.nextInt(Math.min(2, nodes - 1));
        List<NodeSpec> list = new ArrayList<>();
        // The distinct nodes sit at random positions, so that classes are not always a prefix of the cluster.
        List<Integer> odd = new ArrayList<>();
        while (odd.size() < distinct) {
            int i = rnd.nextInt(nodes);
            if (!odd.contains(i)) {
                odd.add(i);
            }
        }
        boolean oddGpu = rnd.nextBoolean();
        for (int i = 0; i < nodes; i++) {
            GpuSpec gpu = odd.contains(i) && oddGpu
                    ? GpuSpec.of("odd" + i, memGiB * (0.5 + rnd.nextDouble()), 100 + rnd.nextInt(900),
                            10 + rnd.nextInt(150))
                    : shared;
            list.add(new NodeSpec("n" + i, "10.0.0." + (i + 1), gpu));
        }
        double rtt = rnd.nextDouble() * 2;
        boolean measured = rnd.nextInt(4) == 0;
        double bandwidth = (20 + rnd.nextInt(200)) * 1e6;
        ConnectivityMap.Builder links = ConnectivityMap.builder();
        for (int i = 0; i < nodes; i++) {
            for (int j = i + 1; j < nodes; j++) {
                boolean touchesOdd = odd.contains(i) || odd.contains(j);
                if (touchesOdd && !oddGpu) {
                    if (rnd.nextInt(6) == 0) {
                        continue;
                    }
                    links.link("n" + i, "n" + j, rnd.nextDouble() * 5);
                } else {
                    double r = noisy ? rtt * (0.95 + 0.1 * rnd.nextDouble()) : rtt;
                    if (measured) {
                        links.link("n" + i, "n" + j, r, bandwidth);
                    } else {
                        links.link("n" + i, "n" + j, r);
                    }
                }
            }
        }
        Objective objective = randomObjective(rnd);
        if (rnd.nextInt(6) == 0) {
            objective = objective.withMaxItlMillis(5 + rnd.nextDouble() * 200);
        }
        Workload workload = new Workload(16 + rnd.nextInt(1000), 2 + rnd.nextInt(200),
                1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 64));
        int maxModelLen = Math.min(model.contextLength(), workload.inputTokens() + workload.outputTokens()
                + rnd.nextInt(2048));
        PlacementRequest.Builder b = PlacementRequest.builder(model, new ClusterSnapshot(list), links.build())
                .objective(objective).workload(workload).maxModelLen(maxModelLen);
        if (rnd.nextInt(4) == 0) {
            b.firstNodeId("n" + rnd.nextInt(nodes));
        }
        return b.build();
    }

    /** Any goal; goodput with a random TTFT and TPOT SLO (some that no placement meets, some that all meet). */
    static Objective randomObjective(Random rnd) {
        Objective.Goal goal = Objective.Goal.values()[rnd.nextInt(Objective.Goal.values().length)];
        if (goal == Objective.Goal.GOODPUT) {
            return Objective.maximizeGoodput(new Slo(50 + rnd.nextDouble() * 5000, null,
                    rnd.nextBoolean() ? 5 + rnd.nextDouble() * 200 : null, null));
        }
        return Objective.of(goal);
    }
}
