package dev.placement.sim;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuCatalog;
import dev.placement.api.GpuSpec;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import java.util.List;

/**
 * The research's testbed as values, for tests, examples and simulations: three NVIDIA T4 nodes (16 GB) and
 * Falcon3-10B-Base served in fp16, with link latency added on node0–node1 and node1–node2.
 */
public final class ResearchTestbed {

    /** The NVIDIA T4 as the built-in GPU catalogue describes it. */
    public static final GpuSpec T4 = GpuCatalog.builtIn().get("T4");

    /**
     * Falcon3-10B-Base's shape (its {@code config.json}): 40 layers, hidden 3072, FFN 23040, 12 heads, 4 KV
     * heads, head dimension 256, vocabulary 131072, context 32768, 2 bytes per weight (fp16 on a T4), untied
     * embeddings, gated MLP.
     */
    public static final ModelSpec FALCON3_10B = new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040,
            12, 4, 256, 131072, 32768, 2, false, true);

    /** The three nodes, node0 to node2 at 10.0.0.10 to 10.0.0.12, each with one T4. */
    public static final List<NodeSpec> NODES = List.of(new NodeSpec("node0", "10.0.0.10", T4),
            new NodeSpec("node1", "10.0.0.11", T4), new NodeSpec("node2", "10.0.0.12", T4));

    private ResearchTestbed() {
    }

    /** @return the three nodes with vLLM's default GPU memory fraction */
    public static ClusterSnapshot cluster() {
        return new ClusterSnapshot(NODES);
    }

    /**
     * The testbed's links at one step [a, b] of the research's latency ladder: a added on node0–node1, b on
     * node1–node2, and node2 behind both, so node0–node2 (the return hop of the 3-node ring) carries a + b, as
     * {@code examples/config/connectivity-slow-node2.yaml} has it. The 3-node ring then crosses 2 × (a + b) of
     * added RTT, and node0 + node1 is the fastest pair.
     *
     * @param baseRttMillis the RTT of every link before latency is added, ms
     * @param added01Millis a, latency added on node0–node1, ms
     * @param added12Millis b, latency added on node1–node2, ms
     * @return the links, symmetric
     */
    public static ConnectivityMap links(double baseRttMillis, double added01Millis, double added12Millis) {
        return ConnectivityMap.builder().link("node0", "node1", baseRttMillis + added01Millis)
                .link("node1", "node2", baseRttMillis + added12Millis)
                .link("node0", "node2", baseRttMillis + added01Millis + added12Millis).build();
    }
}
