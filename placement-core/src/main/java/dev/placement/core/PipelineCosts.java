package dev.placement.core;

import dev.placement.api.ConnectivityMap;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.util.List;

/**
 * The terms of the performance model for one request, precomputed per node so that {@link PerformanceModel}
 * and {@link PlacementSolver} evaluate placements with exactly the same arithmetic. Immutable.
 *
 * <p>Node indices follow {@code request.cluster().nodes()}. Times are milliseconds, sizes bytes. Every term is
 * that of a stage on {@link #tensorParallelSize} GPUs of its node: budgets, bandwidths and compute are the sum over
 * them, and a node that cannot run a stage on that many ({@link TensorParallel#nodeRefuses}) has no budget, so
 * no stage fits on it.
 */
final class PipelineCosts {

    /** Bytes a last stage returns to the driver per sequence per step (sampled token ids and bookkeeping). */
    static final double RETURN_BYTES_PER_SEQUENCE = 16;

    /** Where {@link #metrics} puts each result: mean TTFT, ITL, TPOT in ms, output throughput in tokens/s. */
    static final int TTFT = 0;
    static final int ITL = 1;
    static final int TPOT = 2;
    static final int THROUGHPUT = 3;
    /** The TTFT of the first request of a burst (its wait for a slot plus a lone prefill), ms. */
    static final int FIRST_TTFT = 4;
    /** How much later each further request of a burst gets its first token (the prefill bottleneck β), ms. */
    static final int TTFT_STEP = 5;
    /** The effective concurrency b: requests decoding at once. */
    static final int SEQUENCES = 6;
    /** A request's time from first to last token, (output tokens − 1) × TPOT, ms. */
    static final int DECODE = 7;
    /** Completed requests per second. */
    static final int REQUESTS_PER_SECOND = 8;
    /** The length of the array {@link #metrics} fills. */
    static final int RESULTS = 9;

    final PlacementRequest request;
    final PerformanceModel.Parameters p;
    /** GPUs per stage (tensor parallelism), the same on every stage. */
    final int tensorParallelSize;
    final ModelSpec model;
    final List<NodeSpec> nodes;
    final int n;
    final int layers;
    final int inputTokens;
    final int outputTokens;
    final int concurrency;
    /** Tokens one sequence of the workload occupies in the KV cache at its longest. */
    final int sequenceTokens;
    /** Mean context a decode step attends over: the prompt plus half of the answer. */
    final double decodeContextTokens;
    final long bytesPerLayer;
    /** Bytes the first stage holds less per leading dense layer of an MoE model (0 for a dense model). */
    final long denseLayerSaving;
    /** The model's leading dense layers, held by the first stage. */
    final int firstDenseLayers;
    /** Whether one decode step reads only the experts its batch activates (an MoE model). */
    final boolean moe;
    final long kvBytesPerTokenPerLayer;
    final double activationBytesPerToken;
    final long embeddingBytes;
    final long lmHeadBytes;
    final long lmHeadBytesWhenAlsoFirst;
    final long activationPeakBytes;
    final long logitsPeakBytes;
    final double flopsPerTokenPerLayerDecode;
    final double flopsPerTokenPerLayerPrefill;
    final double lmHeadFlopsPerToken;
    final int prefillChunks;
    /** Largest effective concurrency: min(workload concurrency, maxNumSeqs). */
    final int topConcurrency;
    /**
     * Smallest effective concurrency an eligible placement may have: by default what any fitting placement has
     * (its KV holds at least max-model-len); the solver raises it to the most any placement can serve
     * ({@link #requiring}).
     */
    final int floorConcurrency;

    final long[] budgetBytes;
    final double[] bandwidthBytesPerMilli;
    final double[] flopsPerMilli;
    final String[] ids;
    /** oneWay[i][j]: crossing latency i -> j in ms (crossing factor × RTT/2), NaN when unknown. */
    final double[][] oneWayMillis;
    /** invBw[i][j]: milliseconds per byte on link i -> j. */
    final double[][] millisPerByte;
    /** Why each node cannot run a stage on {@link #tensorParallelSize} GPUs, or null where it can. */
    final String[] tensorParallelRefusals;
    /**
     * What {@link #stageSequences} returns, by node, role and layer count: {@code [(node × 4 + role) × (layers + 1)
     * + layerCount]} with role = first + 2 × last. The solver reads it for every split it scores, where the two
     * divisions it saves were the largest single cost.
     */
    private final int[] stageSequences;
    /** The per-node stage times. */
    private final StageTimes times;

    /** The terms with one GPU per stage. */
    PipelineCosts(PlacementRequest request, PerformanceModel.Parameters p) {
        this(request, p, 1);
    }

    /** The terms with {@code tensorParallelSize} GPUs per stage (at least 1). */
    PipelineCosts(PlacementRequest request, PerformanceModel.Parameters p, int tensorParallelSize) {
        if (tensorParallelSize < 1) {
            throw new IllegalArgumentException("tensorParallelSize must be at least 1, was " + tensorParallelSize);
        }
        this.request = request;
        this.p = p;
        this.tensorParallelSize = tensorParallelSize;
        int t = tensorParallelSize;
        this.model = request.model();
        this.nodes = request.cluster().nodes();
        this.n = nodes.size();
        this.layers = model.layers();
        Workload w = request.workload();
        this.inputTokens = w.inputTokens();
        this.outputTokens = w.outputTokens();
        this.concurrency = w.concurrency();
        this.sequenceTokens = w.inputTokens() + w.outputTokens();
        this.decodeContextTokens = w.inputTokens() + w.outputTokens() / 2.0;
        this.bytesPerLayer = model.bytesPerLayer();
        this.firstDenseLayers = model.firstDenseLayers();
        this.denseLayerSaving = firstDenseLayers == 0 ? 0 : bytesPerLayer - model.denseLayerBytes();
        this.moe = model.experts().present();
        this.kvBytesPerTokenPerLayer = model.kvCacheBytesPerTokenPerLayer() * TensorParallel.kvReplication(model, t);
        this.activationBytesPerToken = model.activationBytesPerToken();
        this.embeddingBytes = model.embeddingBytes();
        this.lmHeadBytes = model.lmHeadBytes();
        // A single stage with tied embeddings reuses the embedding matrix as its LM head: only the norm is extra.
        this.lmHeadBytesWhenAlsoFirst = model.tiedEmbeddings()
                ? (long) model.hiddenSize() * model.dtypeBytes() : model.lmHeadBytes();
        long mlpWidth = Math.max(model.ffnSize(), (long) model.experts().active() * model.experts().expertFfnSize()
                + model.experts().sharedFfnSize());
        // each of the t GPUs holds 1/t of the MLP's width but the whole hidden state, and the whole logits
        this.activationPeakBytes = (long) p.maxBatchedTokens()
                * (2L * mlpWidth + 4L * model.hiddenSize() * t) * model.dtypeBytes();
        this.logitsPeakBytes = (long) p.maxNumSeqs() * model.vocabSize() * 4L * t;
        var mla = model.latentAttention();
        double attentionPerContextToken = mla.present()
                ? 2.0 * model.attentionHeads() * (mla.qkNopeHeadDim() + mla.qkRopeHeadDim() + mla.vHeadDim())
                : 4.0 * model.attentionHeads() * model.headDim();
        this.flopsPerTokenPerLayerDecode = model.flopsPerTokenPerLayer()
                + attentionPerContextToken * decodeContextTokens;
        this.flopsPerTokenPerLayerPrefill = model.flopsPerTokenPerLayer()
                + attentionPerContextToken * (w.inputTokens() + 1) / 2.0;
        this.lmHeadFlopsPerToken = 2.0 * model.vocabSize() * model.hiddenSize();
        this.prefillChunks = (w.inputTokens() + p.maxBatchedTokens() - 1) / p.maxBatchedTokens();
        this.topConcurrency = Math.min(w.concurrency(), p.maxNumSeqs());
        this.floorConcurrency = naturalFloor();

        double util = request.cluster().gpuMemoryUtilization();
        budgetBytes = new long[n];
        bandwidthBytesPerMilli = new double[n];
        flopsPerMilli = new double[n];
        ids = new String[n];
        tensorParallelRefusals = new String[n];
        oneWayMillis = new double[n][n];
        millisPerByte = new double[n][n];
        ConnectivityMap links = request.connectivity();
        double defaultMsPerByte = 1000.0 / p.defaultLinkBandwidthBytesPerSecond();
        for (int i = 0; i < n; i++) {
            NodeSpec node = nodes.get(i);
            ids[i] = node.id();
            tensorParallelRefusals[i] = TensorParallel.nodeRefuses(node, t);
            budgetBytes[i] = tensorParallelRefusals[i] != null ? 0
                    : t * (long) Math.floor(util * node.gpu().memoryBytes());
            PerformanceModel.GpuEfficiency e = p.efficiencyOf(node.gpu().name());
            bandwidthBytesPerMilli[i] = t * node.gpu().memoryBandwidthBytesPerSecond() * e.memoryBandwidthEfficiency()
                    / 1000.0;
            flopsPerMilli[i] = t * node.gpu().fp16FlopsPerSecond() * e.computeEfficiency() / 1000.0;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    oneWayMillis[i][j] = Double.NaN;
                    continue;
                }
                var rtt = links.rttMillis(ids[i], ids[j]);
                oneWayMillis[i][j] = rtt.isPresent() ? p.latencyCrossingFactor() * rtt.getAsDouble() / 2.0 : Double.NaN;
                var bw = links.bandwidthBytesPerSecond(ids[i], ids[j]);
                millisPerByte[i][j] = bw.isPresent() ? 1000.0 / bw.getAsDouble() : defaultMsPerByte;
            }
        }
        times = new StageTimes(this, bandwidthBytesPerMilli, flopsPerMilli);
        stageSequences = new int[n * 4 * (layers + 1)];
        for (int i = 0; i < n; i++) {
            for (int role = 0; role < 4; role++) {
                int at = (i * 4 + role) * (layers + 1);
                stageSequences[at] = -1;
                for (int l = 1; l <= layers; l++) {
                    long tokens = kvCacheTokens(i, l, (role & 1) != 0, (role & 2) != 0);
                    stageSequences[at + l] = tokens < request.maxModelLen() ? -1
                            : (int) Math.min(p.maxNumSeqs(), tokens / sequenceTokens);
                }
            }
        }
    }

    /** The same terms with another floor: shares every table (none is ever written after construction). */
    private PipelineCosts(PipelineCosts o, int floor) {
        this.request = o.request;
        this.p = o.p;
        this.tensorParallelSize = o.tensorParallelSize;
        this.model = o.model;
        this.nodes = o.nodes;
        this.n = o.n;
        this.layers = o.layers;
        this.inputTokens = o.inputTokens;
        this.outputTokens = o.outputTokens;
        this.concurrency = o.concurrency;
        this.sequenceTokens = o.sequenceTokens;
        this.decodeContextTokens = o.decodeContextTokens;
        this.bytesPerLayer = o.bytesPerLayer;
        this.denseLayerSaving = o.denseLayerSaving;
        this.firstDenseLayers = o.firstDenseLayers;
        this.moe = o.moe;
        this.kvBytesPerTokenPerLayer = o.kvBytesPerTokenPerLayer;
        this.activationBytesPerToken = o.activationBytesPerToken;
        this.embeddingBytes = o.embeddingBytes;
        this.lmHeadBytes = o.lmHeadBytes;
        this.lmHeadBytesWhenAlsoFirst = o.lmHeadBytesWhenAlsoFirst;
        this.activationPeakBytes = o.activationPeakBytes;
        this.logitsPeakBytes = o.logitsPeakBytes;
        this.flopsPerTokenPerLayerDecode = o.flopsPerTokenPerLayerDecode;
        this.flopsPerTokenPerLayerPrefill = o.flopsPerTokenPerLayerPrefill;
        this.lmHeadFlopsPerToken = o.lmHeadFlopsPerToken;
        this.prefillChunks = o.prefillChunks;
        this.topConcurrency = o.topConcurrency;
        this.floorConcurrency = floor;
        this.budgetBytes = o.budgetBytes;
        this.bandwidthBytesPerMilli = o.bandwidthBytesPerMilli;
        this.flopsPerMilli = o.flopsPerMilli;
        this.ids = o.ids;
        this.oneWayMillis = o.oneWayMillis;
        this.millisPerByte = o.millisPerByte;
        this.tensorParallelRefusals = o.tensorParallelRefusals;
        this.stageSequences = o.stageSequences;
        this.times = o.times;
    }

    /** The concurrency every fitting placement reaches: its KV cache holds at least one max-model-len sequence. */
    int naturalFloor() {
        return Math.max(1, Math.min(topConcurrency, request.maxModelLen() / sequenceTokens));
    }

    /**
     * These terms with only placements that run at least {@code sequences} workload sequences at once eligible.
     *
     * @param sequences between {@link #naturalFloor()} and {@link #topConcurrency}
     */
    PipelineCosts requiring(int sequences) {
        if (sequences < naturalFloor() || sequences > topConcurrency) {
            throw new IllegalArgumentException("sequences must be in [" + naturalFloor() + ", " + topConcurrency
                    + "], was " + sequences);
        }
        return sequences == floorConcurrency ? this : new PipelineCosts(this, sequences);
    }

    int indexOf(String id) {
        for (int i = 0; i < n; i++) {
            if (ids[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }

    boolean linkKnown(int from, int to) {
        return !Double.isNaN(oneWayMillis[from][to]);
    }

    /**
     * Weights a stage holds: its layers, the embedding on the first stage (and the leading dense layers of an MoE
     * model, lighter than the others), the LM head and final norm on the last.
     */
    long weightBytes(int layerCount, boolean first, boolean last) {
        long w = layerCount * bytesPerLayer;
        if (first) {
            w += embeddingBytes - Math.min(layerCount, firstDenseLayers) * denseLayerSaving;
        }
        if (last) {
            w += first ? lmHeadBytesWhenAlsoFirst : lmHeadBytes;
        }
        return w;
    }

    /**
     * Memory kept back from the KV cache on a stage's GPUs: the fixed reserve of each, the activation peak, and the
     * sampler's logits on the last stage.
     */
    long reserveBytes(boolean last) {
        return p.reserveBytes() * tensorParallelSize + activationPeakBytes + (last ? logitsPeakBytes : 0);
    }

    /** Bytes left for the KV cache (negative when the weights and reserve do not fit). */
    long kvCacheBytes(int node, int layerCount, boolean first, boolean last) {
        return budgetBytes[node] - weightBytes(layerCount, first, last) - reserveBytes(last);
    }

    /** Tokens of KV cache the stage holds, or -1 when its weights and reserve do not fit. */
    long kvCacheTokens(int node, int layerCount, boolean first, boolean last) {
        long kv = kvCacheBytes(node, layerCount, first, last);
        return kv < 0 ? -1 : kv / (layerCount * kvBytesPerTokenPerLayer);
    }

    /**
     * The sequences a stage's KV cache runs at once, at most {@code maxNumSeqs}: its {@link #kvCacheTokens} over
     * a workload sequence's tokens; -1 when it does not hold one max-model-len sequence (or its weights do not
     * fit, or the layer count is outside 1 to the model's layers).
     */
    int stageSequences(int node, int layerCount, boolean first, boolean last) {
        if (layerCount < 1 || layerCount > layers) {
            return -1;
        }
        return stageSequences[(node * 4 + (first ? 1 : 0) + (last ? 2 : 0)) * (layers + 1) + layerCount];
    }

    /**
     * The most layers a node can hold in a role while keeping at least {@code minTokens} of KV cache; the exact
     * inverse of {@link #kvCacheTokens}. Returns 0 when not even one layer fits.
     */
    int maxLayers(int node, boolean first, boolean last, long minTokens) {
        long fixed = budgetBytes[node] - reserveBytes(last) - weightBytes(0, first, last);
        if (fixed <= 0) {
            return 0;
        }
        long perLayer = bytesPerLayer + minTokens * kvBytesPerTokenPerLayer;
        long l = fixed / perLayer;
        if (first && firstDenseLayers > 0) {
            // the leading dense layers weigh less: at least as many as fit of them, then the others
            long dense = perLayer - denseLayerSaving;
            l = Math.min(fixed / dense, firstDenseLayers);
            if (l == firstDenseLayers) {
                l += (fixed - l * dense) / perLayer;
            }
        }
        return (int) Math.min(l, layers);
    }

    /** KV tokens a fitting placement must hold on every stage to run {@code sequences} workload sequences at once. */
    long tokensFor(int sequences) {
        return Math.max((long) request.maxModelLen(), (long) sequences * sequenceTokens);
    }

    /**
     * One decode step of a micro-batch of {@code q} sequences on a stage: the larger of the memory time (weights
     * of its layers and LM head plus the KV cache read) and the compute time, plus, with tensor parallelism, the
     * all-reduces of its layers and the gather of the logits. Milliseconds.
     */
    double decodeMillis(int node, int layerCount, boolean last, double q) {
        return times.decodeMillis(node, layerCount, last, q);
    }

    /** The memory time of {@link #decodeMillis}: weights of the layers and LM head plus the KV cache read, ms. */
    double decodeMemoryMillis(int node, int layerCount, boolean last, double q) {
        return times.decodeMemoryMillis(node, layerCount, last, q);
    }

    /** The ms the all-reduces of one layer add to a decode step of q sequences on a node (0 without TP). */
    double allReduceMillis(int node, double q) {
        return times.allReduceMillis(node, q);
    }

    /** Whether nodes i and j add the same tensor-parallel all-reduce and gather times to a stage. */
    boolean sameIntraNodeTerms(int i, int j) {
        return times.sameIntraNodeTerms(i, j);
    }

    /**
     * The prefill of one request's prompt on a stage: compute over every prompt token, but never faster than
     * reading the stage's weights once per chunk, plus the all-reduces of tensor parallelism. Milliseconds.
     */
    double prefillMillis(int node, int layerCount, boolean last) {
        return times.prefillMillis(node, layerCount, last, prefillChunks);
    }

    /**
     * Turns the aggregates of a placement into metrics. {@code out} (at least {@link #RESULTS} long) receives
     * the means at {@link #TTFT}, {@link #ITL}, {@link #TPOT} (ITL × tpotPerItl) and {@link #THROUGHPUT}, and
     * the spread of a burst at {@link #FIRST_TTFT}, {@link #TTFT_STEP}, {@link #SEQUENCES}, {@link #DECODE} and
     * {@link #REQUESTS_PER_SECOND}. This is the single definition of how terms combine; see
     * {@link PerformanceModel}'s class description.
     *
     * @param stages           number of stages K
     * @param b                effective concurrency (sequences decoding at once)
     * @param sumDecode        Σ per-stage decode step time at micro-batch size q = b / min(K, b)
     * @param maxDecode        max per-stage decode step time
     * @param sumPrefill       Σ per-stage prefill time of one prompt
     * @param maxPrefill       max per-stage prefill time
     * @param sumOneWay        Σ crossing latency over the forward links and the return hop
     * @param sumMsPerByteFwd  Σ ms/byte over the forward links
     * @param maxMsPerByteFwd  max ms/byte over the forward links
     * @param msPerByteReturn  ms/byte of the return hop (0 for one stage)
     */
    void metrics(int stages, int b, double sumDecode, double maxDecode, double sumPrefill, double maxPrefill,
            double sumOneWay, double sumMsPerByteFwd, double maxMsPerByteFwd, double msPerByteReturn, double[] out) {
        int m = Math.min(stages, b);
        double q = (double) b / m;
        double decodeBytes = q * activationBytesPerToken;
        double prefillBytes = inputTokens * activationBytesPerToken;
        double ring = sumDecode + sumOneWay + decodeBytes * sumMsPerByteFwd
                + q * RETURN_BYTES_PER_SEQUENCE * msPerByteReturn + p.stepOverheadMillis();
        double cycle = Math.max(ring, m * Math.max(maxDecode, decodeBytes * maxMsPerByteFwd));
        double prefillAlone = sumPrefill + sumOneWay + prefillBytes * sumMsPerByteFwd
                + RETURN_BYTES_PER_SEQUENCE * msPerByteReturn + p.stepOverheadMillis();
        double prefillBottleneck = Math.max(maxPrefill, prefillBytes * maxMsPerByteFwd);
        double itl = cycle + (b - 1) * prefillBottleneck / Math.max(1, outputTokens - 1);
        double ttftBurst = prefillAlone + prefillBottleneck * (b - 1) / 2.0;
        double service = ttftBurst + (outputTokens - 1) * itl;
        double wait = service * (concurrency - b) / b;
        double throughput = b * (double) outputTokens / (service / 1000.0);
        double tpot = itl * p.tpotPerItl();
        out[TTFT] = ttftBurst + wait;
        out[ITL] = itl;
        out[TPOT] = tpot;
        out[THROUGHPUT] = throughput;
        out[FIRST_TTFT] = wait + prefillAlone;
        out[TTFT_STEP] = prefillBottleneck;
        out[SEQUENCES] = b;
        out[DECODE] = (outputTokens - 1) * tpot;
        out[REQUESTS_PER_SECOND] = b / (service / 1000.0);
    }
}
