package dev.placement.core;

import dev.placement.api.IntraNodeLink;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules and terms of tensor parallelism inside a pipeline stage, as vLLM runs it: a stage on t GPUs of its
 * node holds 1/t of each layer on each GPU (attention split by heads, the MLP by its width, the embedding and LM
 * head by vocabulary), so it reads its weights and computes t times as fast, and pays two all-reduces of its
 * activations per layer over the node's {@link IntraNodeLink} (after attention and after the MLP; vLLM's
 * {@code RowParallelLinear} reduces its results) and, on the last stage, the gather of the logits. vLLM requires
 * the same t on every stage. Stateless.
 */
final class TensorParallel {

    /** All-reduces per layer: after the attention output projection and after the MLP's down projection. */
    static final int ALL_REDUCES_PER_LAYER = 2;

    private TensorParallel() {
    }

    /**
     * Why vLLM refuses to split this model over t GPUs per stage, or null when it does not. The query heads must
     * divide evenly ({@code divide(total_num_heads, tp_size)} in vLLM's {@code QKVParallelLinear}); the KV heads
     * divide evenly, or t is a multiple of them (each GPU then holds a replica of one).
     */
    static String modelRefuses(ModelSpec model, int t) {
        if (t == 1) {
            return null;
        }
        if (model.attentionHeads() % t != 0) {
            return "its " + model.attentionHeads() + " attention heads do not divide over " + t + " GPUs";
        }
        int kv = model.kvHeads();
        if (!model.latentAttention().present() && kv % t != 0 && t % kv != 0) {
            return "its " + kv + " KV heads neither divide over " + t + " GPUs nor divide " + t;
        }
        return null;
    }

    /** Why a node cannot run a stage on t of its GPUs, or null when it can. */
    static String nodeRefuses(NodeSpec node, int t) {
        if (t == 1) {
            return null;
        }
        if (node.gpuCount() < t) {
            return node.id() + " has " + node.gpuCount() + (node.gpuCount() == 1 ? " GPU" : " GPUs") + ", fewer than "
                    + "the " + t + " each stage runs on";
        }
        if (node.gpu().intraNodeLink() == null) {
            return node.id() + "'s " + node.gpu().name() + " has no link to another GPU (one to a node)";
        }
        return null;
    }

    /**
     * The tensor-parallel sizes worth solving for: 1, and every t from 2 to the most GPUs any node has that the
     * model allows and at least one node can run; ascending.
     */
    static int[] sizes(PlacementRequest request) {
        int most = 1;
        for (NodeSpec n : request.cluster().nodes()) {
            most = Math.max(most, n.gpuCount());
        }
        List<Integer> sizes = new ArrayList<>(List.of(1));
        for (int t = 2; t <= Math.min(most, Placement.MAX_TENSOR_PARALLEL_SIZE); t++) {
            if (modelRefuses(request.model(), t) != null) {
                continue;
            }
            for (NodeSpec n : request.cluster().nodes()) {
                if (nodeRefuses(n, t) == null) {
                    sizes.add(t);
                    break;
                }
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * How much more KV cache t GPUs hold together than one GPU would for the same tokens: 1 while the KV heads
     * divide evenly; t / KV heads when each GPU holds a replica of one head; t for multi-head latent attention,
     * whose latent vLLM caches whole on every GPU.
     */
    static int kvReplication(ModelSpec model, int t) {
        if (model.latentAttention().present()) {
            return t;
        }
        return Math.max(t, model.kvHeads()) / model.kvHeads();
    }

    /**
     * Milliseconds of one ring all-reduce of {@code bytes} among t GPUs: its fixed latency plus 2(t−1)/t of the
     * bytes over the link's one-way bandwidth. 0 for t = 1.
     */
    static double allReduceMillis(IntraNodeLink link, int t, double bytes) {
        if (t == 1) {
            return 0;
        }
        return link.allReduceLatencyMicros() / 1000.0 + 2.0 * (t - 1) / t * bytes * millisPerByte(link);
    }

    /** Milliseconds per byte of the link, one way. */
    static double millisPerByte(IntraNodeLink link) {
        return 1000.0 / link.bandwidthBytesPerSecond();
    }
}
