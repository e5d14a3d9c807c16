package dev.placement.core.llm;

import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Derives the numbers the prompt shows beyond the research's: each node's memory budget in layers and each
 * link's cost per token, with the same terms as the {@link PerformanceModel} (see its class description), so
 * that the prompt and the check of the answer agree. The model stays the judge: these are for the LLM's
 * orientation. Stateless.
 */
final class PromptFacts {

    private PromptFacts() {
    }

    /** @return each node's budget in layers, by node id, in cluster order */
    static Map<String, PromptContext.LayerBudget> budgets(PlacementRequest request, PerformanceModel.Parameters p) {
        Map<String, PromptContext.LayerBudget> out = new LinkedHashMap<>();
        for (NodeSpec node : request.cluster().nodes()) {
            out.put(node.id(), budget(node, request, p));
        }
        return out;
    }

    static PromptContext.LayerBudget budget(NodeSpec node, PlacementRequest request, PerformanceModel.Parameters p) {
        ModelSpec m = request.model();
        double budget = Math.floor(request.cluster().gpuMemoryUtilization() * node.gpu().memoryBytes());
        double reserve = p.reserveBytes()
                + (double) p.maxBatchedTokens() * (2L * m.ffnSize() + 4L * m.hiddenSize()) * m.dtypeBytes();
        double logits = (double) p.maxNumSeqs() * m.vocabSize() * 4;
        // vLLM refuses to start unless every stage's KV cache holds one sequence of max-model-len tokens.
        double perLayer = m.bytesPerLayer() + (double) m.kvCacheBytesPerTokenPerLayer() * request.maxModelLen();
        double lmHeadAlone = m.tiedEmbeddings() ? (double) m.hiddenSize() * m.dtypeBytes() : m.lmHeadBytes();
        double free = budget - reserve;
        return new PromptContext.LayerBudget(
                layers(free, perLayer, m.layers()),
                layers(free - m.embeddingBytes(), perLayer, m.layers()),
                layers(free - logits - m.lmHeadBytes(), perLayer, m.layers()),
                layers(free - logits - m.embeddingBytes() - lmHeadAlone, perLayer, m.layers()));
    }

    private static int layers(double bytes, double perLayer, int modelLayers) {
        return bytes <= 0 ? 0 : (int) Math.min(modelLayers, Math.floor(bytes / perLayer));
    }

    /**
     * @return per ordered pair with a known RTT, the cost in ms of one token's activations crossing it once:
     *         {@code latencyCrossingFactor × RTT/2 + activation bytes / bandwidth}
     */
    static Map<String, Map<String, Double>> crossings(PlacementRequest request, PerformanceModel.Parameters p) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (NodeSpec from : request.cluster().nodes()) {
            for (NodeSpec to : request.cluster().nodes()) {
                OptionalDouble rtt = request.connectivity().rttMillis(from.id(), to.id());
                if (from == to || rtt.isEmpty()) {
                    continue;
                }
                double bandwidth = request.connectivity().bandwidthBytesPerSecond(from.id(), to.id())
                        .orElse(p.defaultLinkBandwidthBytesPerSecond());
                double millis = p.latencyCrossingFactor() * rtt.getAsDouble() / 2
                        + request.model().activationBytesPerToken() / bandwidth * 1000.0;
                out.computeIfAbsent(from.id(), k -> new LinkedHashMap<>()).put(to.id(), millis);
            }
        }
        return out;
    }
}
