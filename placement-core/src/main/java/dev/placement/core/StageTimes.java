package dev.placement.core;

import dev.placement.api.IntraNodeLink;
import dev.placement.api.ModelSpec;

/**
 * The stage-time terms of {@link PipelineCosts}, per node, divided once by the node's bandwidth or compute (every
 * split scored multiplies them): how long a stage of given layers takes to decode one micro-batch step and to
 * prefill one prompt. With tensor parallelism over t GPUs the bandwidth and compute are t times one GPU's, and the
 * all-reduces over the node's {@link IntraNodeLink} are added ({@link TensorParallel}). Immutable.
 */
final class StageTimes {

    private final ModelSpec model;
    private final boolean moe;
    private final double[] bandwidthBytesPerMilli;
    /** ms to read one layer's weights, its weights as a prefill chunk reads them, and one sequence's KV cache. */
    private final double[] weightMillisPerLayer;
    private final double[] prefillWeightMillisPerLayer;
    private final double[] kvMillisPerLayer;
    /** ms to read the LM head; ms of one layer's decode and prefill compute and of the LM head's. */
    private final double[] lmHeadMemoryMillis;
    private final double[] decodeFlopMillis;
    private final double[] prefillFlopMillis;
    private final double[] lmHeadFlopMillis;
    /** ms of a layer's all-reduces at decode: fixed, and per sequence of the micro-batch; 0 without TP. */
    private final double[] allReduceMillisPerLayer;
    private final double[] allReduceMillisPerSequence;
    /** ms of a layer's all-reduces over one prompt's prefill; 0 without TP. */
    private final double[] prefillAllReduceMillisPerLayer;
    /** ms of the last stage's gather of the logits: fixed, and per sequence; 0 without TP. */
    private final double[] gatherMillis;
    private final double[] gatherMillisPerSequence;

    /**
     * @param c                      the request's scalar terms (model, workload, parameters, tensor-parallel size)
     * @param bandwidthBytesPerMilli per node, the stage's effective memory bandwidth
     * @param flopsPerMilli          per node, the stage's effective compute
     */
    StageTimes(PipelineCosts c, double[] bandwidthBytesPerMilli, double[] flopsPerMilli) {
        this.model = c.model;
        this.moe = c.moe;
        this.bandwidthBytesPerMilli = bandwidthBytesPerMilli;
        int n = c.n;
        weightMillisPerLayer = new double[n];
        prefillWeightMillisPerLayer = new double[n];
        kvMillisPerLayer = new double[n];
        lmHeadMemoryMillis = new double[n];
        decodeFlopMillis = new double[n];
        prefillFlopMillis = new double[n];
        lmHeadFlopMillis = new double[n];
        allReduceMillisPerLayer = new double[n];
        allReduceMillisPerSequence = new double[n];
        prefillAllReduceMillisPerLayer = new double[n];
        gatherMillis = new double[n];
        gatherMillisPerSequence = new double[n];
        // a prefill chunk of many tokens activates (nearly) every expert
        double prefillBytesPerLayer = model.decodeBytesPerLayer(Math.min(c.inputTokens, c.p.maxBatchedTokens()));
        int t = c.tensorParallelSize;
        double hiddenBytes = (double) model.hiddenSize() * model.dtypeBytes();
        double logitsBytes = (double) model.vocabSize() * model.dtypeBytes();
        for (int i = 0; i < n; i++) {
            double bw = bandwidthBytesPerMilli[i];
            weightMillisPerLayer[i] = c.bytesPerLayer / bw;
            prefillWeightMillisPerLayer[i] = prefillBytesPerLayer / bw;
            kvMillisPerLayer[i] = c.decodeContextTokens * c.kvBytesPerTokenPerLayer / bw;
            lmHeadMemoryMillis[i] = c.lmHeadBytes / bw;
            decodeFlopMillis[i] = c.flopsPerTokenPerLayerDecode / flopsPerMilli[i];
            prefillFlopMillis[i] = c.inputTokens * c.flopsPerTokenPerLayerPrefill / flopsPerMilli[i];
            lmHeadFlopMillis[i] = c.lmHeadFlopsPerToken / flopsPerMilli[i];
            IntraNodeLink link = c.nodes.get(i).gpu().intraNodeLink();
            if (t > 1 && link != null) {
                int r = TensorParallel.ALL_REDUCES_PER_LAYER;
                double fixed = TensorParallel.allReduceMillis(link, t, 0);
                double ring = TensorParallel.allReduceMillis(link, t, 1) - fixed;
                allReduceMillisPerLayer[i] = r * fixed;
                allReduceMillisPerSequence[i] = r * ring * hiddenBytes;
                prefillAllReduceMillisPerLayer[i] = r * (c.prefillChunks * fixed + ring * c.inputTokens * hiddenBytes);
                // an all-gather moves (t − 1)/t of the logits into each GPU: half a ring all-reduce
                gatherMillis[i] = fixed;
                gatherMillisPerSequence[i] = ring / 2 * logitsBytes;
            }
        }
    }

    /**
     * Whether nodes i and j add the same all-reduce and gather times (every other term follows from their
     * bandwidth and compute, which {@link NodeTables#sameStageTerms} compares).
     */
    boolean sameIntraNodeTerms(int i, int j) {
        return allReduceMillisPerLayer[i] == allReduceMillisPerLayer[j]
                && allReduceMillisPerSequence[i] == allReduceMillisPerSequence[j]
                && gatherMillisPerSequence[i] == gatherMillisPerSequence[j];
    }

    /** See {@link PipelineCosts#decodeMillis}. */
    double decodeMillis(int node, int layerCount, boolean last, double q) {
        double compute = q * (layerCount * decodeFlopMillis[node] + (last ? lmHeadFlopMillis[node] : 0));
        return Math.max(decodeMemoryMillis(node, layerCount, last, q), compute)
                + layerCount * (allReduceMillisPerLayer[node] + q * allReduceMillisPerSequence[node])
                + (last ? gatherMillis[node] + q * gatherMillisPerSequence[node] : 0);
    }

    /** See {@link PipelineCosts#decodeMemoryMillis}. */
    double decodeMemoryMillis(int node, int layerCount, boolean last, double q) {
        double weights = moe ? model.decodeBytesPerLayer(q) / bandwidthBytesPerMilli[node] : weightMillisPerLayer[node];
        return layerCount * (weights + q * kvMillisPerLayer[node]) + (last ? lmHeadMemoryMillis[node] : 0);
    }

    /** See {@link PipelineCosts#prefillMillis}. */
    double prefillMillis(int node, int layerCount, boolean last, int prefillChunks) {
        double compute = layerCount * prefillFlopMillis[node] + (last ? lmHeadFlopMillis[node] : 0);
        double memory = prefillChunks
                * (layerCount * prefillWeightMillisPerLayer[node] + (last ? lmHeadMemoryMillis[node] : 0));
        return Math.max(compute, memory) + layerCount * prefillAllReduceMillisPerLayer[node]
                + (last ? gatherMillis[node] + gatherMillisPerSequence[node] : 0);
    }

    /** The ms a layer's all-reduces add to a decode step of q sequences on a node (0 without TP). */
    double allReduceMillis(int node, double q) {
        return allReduceMillisPerLayer[node] + q * allReduceMillisPerSequence[node];
    }
}
