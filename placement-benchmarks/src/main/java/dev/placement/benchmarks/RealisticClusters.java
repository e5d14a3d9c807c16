package dev.placement.benchmarks;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuCatalog;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded clusters that look like real sites (issue 14): a mix of T4, A10, A30, L4, A100-40GB, RTX-4090 and
 * Jetson AGX Orin (32 or 64 GB) nodes from the built-in GPU catalogue; RTTs of 0.1 to 5 ms on most links, 10 to
 * 30 ms on 8% of them (a WAN hop); about 15% of the pairs not measured at all (missing from the map); a measured
 * bandwidth on every present link (1, 10 or 25 GbE at 60-95% of line rate, 50-500 Mbit/s on the slow ones).
 * Values are rounded as a connectivity file writes them (RTT to 0.01 ms, bandwidth to 1 Mbit/s), so the request
 * built here and the one {@code placement plan} reads from {@link #write} are the same. Deterministic: the same
 * size and seed always give the same cluster.
 */
public final class RealisticClusters {
    /** The catalogue names of the GPU kinds drawn from, with equal weight (an Orin is either size). */
    static final List<String> GPUS = List.of("T4", "A10", "A30", "L4", "A100-40GB", "RTX-4090", "Jetson-AGX-Orin");
    /** The share of node pairs with no measurement. */
    static final double MISSING = 0.15;
    /** The share of the measured links that cross a WAN hop (10-30 ms). */
    static final double SLOW = 0.08;

    private RealisticClusters() {
    }

    /** One generated site: nodes, and per pair (i &lt; j) an RTT in ms and a bandwidth in Mbit/s, or NaN. */
    record Site(List<NodeSpec> nodes, double[][] rtt, double[][] mbps) {
        ClusterSnapshot cluster() {
            return new ClusterSnapshot(nodes);
        }

        ConnectivityMap links() {
            ConnectivityMap.Builder b = ConnectivityMap.builder();
            for (int i = 0; i < nodes.size(); i++) {
                for (int j = i + 1; j < nodes.size(); j++) {
                    if (!Double.isNaN(rtt[i][j])) {
                        b.link(nodes.get(i).id(), nodes.get(j).id(), rtt[i][j], mbps[i][j] * 1e6 / 8);
                    }
                }
            }
            return b.build();
        }
    }

    /**
     * The site of {@code nodes} nodes for a seed.
     *
     * @param nodes how many nodes, at least 1
     * @param seed  the seed
     * @return the site
     */
    static Site site(int nodes, long seed) {
        Random rnd = new Random(seed * 1_000_003L + nodes);
        List<NodeSpec> list = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            String kind = GPUS.get(rnd.nextInt(GPUS.size()));
            if (kind.equals("Jetson-AGX-Orin")) {
                kind = rnd.nextBoolean() ? "Jetson-AGX-Orin-32GB" : "Jetson-AGX-Orin-64GB";
            }
            list.add(new NodeSpec("node" + i, "10." + (i / 62500) + "." + (i / 250 % 250) + "." + (i % 250 + 1),
                    GpuCatalog.builtIn().get(kind, "benchmark", "gpu")));
        }
        double[][] rtt = new double[nodes][nodes];
        double[][] mbps = new double[nodes][nodes];
        double[] lineRates = {1000, 10_000, 25_000};
        for (int i = 0; i < nodes; i++) {
            for (int j = 0; j < nodes; j++) {
                rtt[i][j] = Double.NaN;
                mbps[i][j] = Double.NaN;
            }
        }
        for (int i = 0; i < nodes; i++) {
            for (int j = i + 1; j < nodes; j++) {
                if (rnd.nextDouble() < MISSING) {
                    continue;
                }
                boolean slow = rnd.nextDouble() < SLOW;
                double r = slow ? 10 + 20 * rnd.nextDouble() : 0.1 + 4.9 * rnd.nextDouble();
                double m = slow ? 50 + 450 * rnd.nextDouble()
                        : lineRates[rnd.nextInt(lineRates.length)] * (0.6 + 0.35 * rnd.nextDouble());
                rtt[i][j] = Math.round(r * 100) / 100.0;
                mbps[i][j] = Math.max(1, Math.round(m));
            }
        }
        return new Site(list, rtt, mbps);
    }

    /**
     * The request for the 80-layer model (Llama-2-70B's shape) on a realistic site, with the CLI's default
     * workload (512 in, 128 out, 8 at once) and a max model length of 4096.
     *
     * @param nodes     how many nodes
     * @param seed      the seed
     * @param objective the objective
     * @return the request
     */
    public static PlacementRequest request(int nodes, long seed, Objective objective) {
        return request(nodes, seed, objective, BenchmarkClusters.eightyLayers());
    }

    /**
     * The request for another model on the same site as {@link #request(int, long, Objective)}.
     *
     * @param nodes     how many nodes
     * @param seed      the seed
     * @param objective the objective
     * @param model     the model
     * @return the request
     */
    public static PlacementRequest request(int nodes, long seed, Objective objective, ModelSpec model) {
        Site s = site(nodes, seed);
        return PlacementRequest.builder(model, s.cluster(), s.links()).objective(objective).maxModelLen(4096).build();
    }

    /**
     * Writes the site as {@code cluster.yaml}, {@code connectivity.yaml} and the model's {@code config.json} into
     * a directory, for {@code placement plan --cluster DIR/cluster.yaml --connectivity DIR/connectivity.yaml
     * --model DIR/config.json --max-model-len 4096}.
     *
     * @param nodes how many nodes
     * @param seed  the seed
     * @param dir   the directory (created if absent)
     */
    public static void write(int nodes, long seed, Path dir) {
        Site s = site(nodes, seed);
        StringBuilder cluster = new StringBuilder("# Realistic site, " + nodes + " nodes, seed " + seed
                + " (RealisticClusters)\ngpuMemoryUtilization: 0.9\nnodes:\n");
        for (NodeSpec node : s.nodes()) {
            cluster.append("  - {id: ").append(node.id()).append(", address: ").append(node.address())
                    .append(", gpu: ").append(node.gpu().name()).append("}\n");
        }
        StringBuilder rtt = new StringBuilder("rttMillis:\n");
        StringBuilder bw = new StringBuilder("bandwidthMbps:\n");
        for (int i = 0; i < nodes; i++) {
            StringBuilder r = new StringBuilder();
            StringBuilder m = new StringBuilder();
            for (int j = i + 1; j < nodes; j++) {
                if (!Double.isNaN(s.rtt()[i][j])) {
                    // Compact (no space after a comma, no trailing zeros): a 512-node site is about 3 MB.
                    String sep = r.length() == 0 ? "" : ",";
                    r.append(sep).append("node").append(j).append(": ")
                            .append(BigDecimal.valueOf(s.rtt()[i][j]).stripTrailingZeros().toPlainString());
                    m.append(sep).append("node").append(j).append(": ").append((long) s.mbps()[i][j]);
                }
            }
            if (r.length() > 0) {
                rtt.append("  node").append(i).append(": {").append(r).append("}\n");
                bw.append("  node").append(i).append(": {").append(m).append("}\n");
            }
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cluster.yaml"), cluster, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("connectivity.yaml"), rtt.append(bw), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("config.json"), LLAMA_2_70B, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Llama-2-70b-hf's published config.json fields (the shape {@link BenchmarkClusters#eightyLayers} uses). */
    static final String LLAMA_2_70B = """
            {
              "_name_or_path": "meta-llama/Llama-2-70b-hf",
              "architectures": ["LlamaForCausalLM"],
              "hidden_size": 8192,
              "intermediate_size": 28672,
              "max_position_embeddings": 4096,
              "model_type": "llama",
              "num_attention_heads": 64,
              "num_hidden_layers": 80,
              "num_key_value_heads": 8,
              "tie_word_embeddings": false,
              "torch_dtype": "float16",
              "vocab_size": 32000
            }
            """;
}
