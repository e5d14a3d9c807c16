package dev.placement.api;

/**
 * The shape of a decoder-only transformer, as far as placement needs it: how many layers, how big each is,
 * and how much KV cache and activation each token costs.
 *
 * <p>Sizes are derived from the shape (biases and norms are ignored; they are well under 0.1% of a layer).
 * For Falcon3-10B-Base: {@link #parametersPerLayer()} ≈ 237.5 M, {@link #kvCacheBytesPerTokenPerLayer()} =
 * 4096, {@link #totalParameters()} ≈ 10.3 B.
 *
 * @param name           the model's id, for example {@code "tiiuae/Falcon3-10B-Base"}; not blank
 * @param architecture   the architecture or {@code model_type}, for example {@code "llama"}; not blank
 * @param layers         number of decoder blocks ({@code num_hidden_layers}); positive
 * @param hiddenSize     width of the residual stream; positive
 * @param ffnSize        inner width of the MLP ({@code intermediate_size}); positive
 * @param attentionHeads query heads; positive
 * @param kvHeads        key/value heads (grouped-query attention when fewer than query heads); 1 to
 *                       {@code attentionHeads}
 * @param headDim        width of one head; positive
 * @param vocabSize      vocabulary size; positive
 * @param contextLength  maximum positions ({@code max_position_embeddings}); positive
 * @param dtypeBytes     bytes per element of the weights that are not quantized and of the activations (2 for
 *                       fp16/bf16, 4 for fp32); 1 to 8
 * @param tiedEmbeddings whether the LM head shares the input embedding's weights
 * @param gatedMlp       whether the MLP is gated (SwiGLU/GeGLU: three matrices) rather than two matrices
 * @param experts        the mixture-of-experts layout, or {@link Experts#NONE} for a dense model
 * @param latentAttention multi-head latent attention (DeepSeek), or {@link LatentAttention#NONE}
 * @param quantization   how the linear layers' weights are stored, or {@link WeightQuantization#NONE}
 * @param kvCacheDtypeBytes bytes per KV-cache element (2 for fp16/bf16, 1 for an fp8 KV cache); 1 to 8
 * @param embeddingSize  width of the embedding table; {@code hiddenSize} unless the model projects its
 *                       embeddings (OPT-350m's {@code word_embed_proj_dim}: 512 for a 1024-wide model)
 */
public record ModelSpec(
        String name,
        String architecture,
        int layers,
        int hiddenSize,
        int ffnSize,
        int attentionHeads,
        int kvHeads,
        int headDim,
        int vocabSize,
        int contextLength,
        int dtypeBytes,
        boolean tiedEmbeddings,
        boolean gatedMlp,
        Experts experts,
        LatentAttention latentAttention,
        WeightQuantization quantization,
        int kvCacheDtypeBytes,
        int embeddingSize) {

    /** The longest max model length chosen when none is given, in tokens: vLLM's KV cache is sized for it. */
    public static final int DEFAULT_MAX_MODEL_LEN_CAP = 4096;

    /**
     * Validates every field; see the class description. Also refuses a model whose weights or KV cache would
     * not fit in a {@code long} of bytes.
     *
     * @param name              the model's id, for example {@code "tiiuae/Falcon3-10B-Base"}; not blank
     * @param architecture      the architecture or {@code model_type}, for example {@code "llama"}; not blank
     * @param layers            number of decoder blocks; positive, more than {@code experts.denseLayers()}
     * @param hiddenSize        width of the residual stream; positive
     * @param ffnSize           inner width of the MLP; positive
     * @param attentionHeads    query heads; positive
     * @param kvHeads           key/value heads; 1 to {@code attentionHeads}
     * @param headDim           width of one head; positive
     * @param vocabSize         vocabulary size; positive
     * @param contextLength     maximum positions, in tokens; positive
     * @param dtypeBytes        bytes per element of the unquantized weights and the activations; 1 to 8
     * @param tiedEmbeddings    whether the LM head shares the input embedding's weights
     * @param gatedMlp          whether the MLP is gated (three matrices) rather than two matrices
     * @param experts           the mixture-of-experts layout, or {@link Experts#NONE}; not null
     * @param latentAttention   multi-head latent attention, or {@link LatentAttention#NONE}; not null
     * @param quantization      how the linear layers' weights are stored, or {@link WeightQuantization#NONE};
     *                          not null
     * @param kvCacheDtypeBytes bytes per KV-cache element; 1 to 8
     * @param embeddingSize     width of the embedding table; positive
     */
    public ModelSpec {
        Checks.notBlank(name, "model.name");
        Checks.notBlank(architecture, "model.architecture");
        Checks.positive(layers, "model.layers");
        Checks.positive(hiddenSize, "model.hiddenSize");
        Checks.positive(ffnSize, "model.ffnSize");
        Checks.positive(attentionHeads, "model.attentionHeads");
        Checks.positive(kvHeads, "model.kvHeads");
        if (kvHeads > attentionHeads) {
            throw new IllegalArgumentException("model.kvHeads (" + kvHeads
                    + ") must not exceed model.attentionHeads (" + attentionHeads + ")");
        }
        Checks.positive(headDim, "model.headDim");
        Checks.positive(vocabSize, "model.vocabSize");
        Checks.positive(contextLength, "model.contextLength");
        if (dtypeBytes < 1 || dtypeBytes > 8) {
            throw new IllegalArgumentException("model.dtypeBytes must be 1 to 8, was " + dtypeBytes);
        }
        Checks.notNull(experts, "model.experts");
        Checks.notNull(latentAttention, "model.latentAttention");
        Checks.notNull(quantization, "model.quantization");
        if (kvCacheDtypeBytes < 1 || kvCacheDtypeBytes > 8) {
            throw new IllegalArgumentException("model.kvCacheDtypeBytes must be 1 to 8, was " + kvCacheDtypeBytes);
        }
        Checks.positive(embeddingSize, "model.embeddingSize");
        if (experts.denseLayers() >= layers) {
            throw new IllegalArgumentException("model.experts.denseLayers (" + experts.denseLayers()
                    + ") must be fewer than model.layers (" + layers + ")");
        }
        try {
            // Every size below is a long product of these fields; refuse a model for which one would wrap round.
            long h = hiddenSize;
            long attention = Math.addExact(latentAttention.parameters(hiddenSize, attentionHeads),
                    Math.multiplyExact(Math.multiplyExact(h, (long) attentionHeads + 2L * kvHeads
                            + attentionHeads), headDim));
            long widths = Math.addExact(Math.addExact(ffnSize, experts.sharedFfnSize()),
                    Math.multiplyExact((long) experts.expertFfnSize(), experts.routed() + 1L));
            long mlp = Math.multiplyExact(3L * h, widths);
            long perLayer = Math.addExact(attention, mlp);
            long embed = Math.multiplyExact(Math.multiplyExact((long) vocabSize, Math.max(h, embeddingSize)),
                    2L * dtypeBytes);
            Math.addExact(Math.multiplyExact(Math.multiplyExact(perLayer, layers), Math.max(4, dtypeBytes)), embed);
            Math.multiplyExact(Math.multiplyExact(2L * kvHeads, headDim), (long) kvCacheDtypeBytes * contextLength);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("model '" + name + "' is too large to size in bytes (hiddenSize "
                    + hiddenSize + ", ffnSize " + ffnSize + ", vocabSize " + vocabSize + ", layers " + layers
                    + "); its weights would exceed 2^63 bytes");
        }
    }

    /**
     * A dense model with ordinary attention, unquantized, its KV cache in its dtype; the parameters are those of
     * the canonical constructor.
     *
     * @param name           the model's id, for example {@code "tiiuae/Falcon3-10B-Base"}; not blank
     * @param architecture   the architecture or {@code model_type}, for example {@code "llama"}; not blank
     * @param layers         number of decoder blocks; positive
     * @param hiddenSize     width of the residual stream, also the embedding table's; positive
     * @param ffnSize        inner width of the MLP; positive
     * @param attentionHeads query heads; positive
     * @param kvHeads        key/value heads; 1 to {@code attentionHeads}
     * @param headDim        width of one head; positive
     * @param vocabSize      vocabulary size; positive
     * @param contextLength  maximum positions, in tokens; positive
     * @param dtypeBytes     bytes per element of the weights, the activations and the KV cache; 1 to 8
     * @param tiedEmbeddings whether the LM head shares the input embedding's weights
     * @param gatedMlp       whether the MLP is gated (three matrices) rather than two matrices
     * @throws IllegalArgumentException as the canonical constructor
     */
    public ModelSpec(String name, String architecture, int layers, int hiddenSize, int ffnSize, int attentionHeads,
            int kvHeads, int headDim, int vocabSize, int contextLength, int dtypeBytes, boolean tiedEmbeddings,
            boolean gatedMlp) {
        this(name, architecture, layers, hiddenSize, ffnSize, attentionHeads, kvHeads, headDim, vocabSize,
                contextLength, dtypeBytes, tiedEmbeddings, gatedMlp, Experts.NONE, LatentAttention.NONE,
                WeightQuantization.NONE, dtypeBytes, hiddenSize);
    }

    /**
     * This model as served with other element sizes: vLLM's {@code --dtype} (for the weights that are not
     * quantized and the activations) and {@code --kv-cache-dtype}.
     *
     * @param servedDtypeBytes   bytes per element, 1 to 8
     * @param servedKvCacheBytes bytes per KV-cache element, 1 to 8
     * @return the model with those sizes
     * @throws IllegalArgumentException if a size is outside 1 to 8
     */
    public ModelSpec servedWith(int servedDtypeBytes, int servedKvCacheBytes) {
        return new ModelSpec(name, architecture, layers, hiddenSize, ffnSize, attentionHeads, kvHeads, headDim,
                vocabSize, contextLength, servedDtypeBytes, tiedEmbeddings, gatedMlp, experts, latentAttention,
                quantization, servedKvCacheBytes, embeddingSize);
    }

    /**
     * The max model length ({@code --max-model-len}) used when none is given: the context length, at most
     * {@value #DEFAULT_MAX_MODEL_LEN_CAP} tokens. The one place this default is written.
     *
     * @return tokens, 1 to {@link #contextLength()}
     */
    public int defaultMaxModelLen() {
        return Math.min(contextLength, DEFAULT_MAX_MODEL_LEN_CAP);
    }

    /** @return parameters of one layer's attention: q, k, v and o, or the latent projections (MLA) */
    public long attentionParameters() {
        if (latentAttention.present()) {
            return latentAttention.parameters(hiddenSize, attentionHeads);
        }
        long h = hiddenSize;
        return h * attentionHeads * headDim + 2L * h * kvHeads * headDim + (long) attentionHeads * headDim * h;
    }

    /** @return parameters of one dense layer: attention plus an MLP {@code ffnSize} wide */
    public long denseLayerParameters() {
        return attentionParameters() + mlpParameters(ffnSize);
    }

    /** @return parameters of one MoE layer: attention, the router, every routed expert and the shared ones */
    public long moeLayerParameters() {
        return attentionParameters() + (long) hiddenSize * experts.routed()
                + experts.routed() * mlpParameters(experts.expertFfnSize()) + mlpParameters(experts.sharedFfnSize());
    }

    /** @return parameters of one routed expert */
    public long expertParameters() {
        return mlpParameters(experts.expertFfnSize());
    }

    /** @return MoE layers: after the leading dense layers, every {@code sparseStep}-th; 0 for a dense model */
    public int moeLayers() {
        return experts.present() ? (layers - experts.denseLayers()) / experts.sparseStep() : 0;
    }

    /**
     * Parameters of a layer past the leading dense ones (the mean of MoE and dense layers where they alternate):
     * what every stage holds per layer, the first stage's leading dense layers aside
     * ({@link #firstDenseLayers()}).
     *
     * @return parameters
     */
    public long parametersPerLayer() {
        if (!experts.present()) {
            return denseLayerParameters();
        }
        int rest = layers - experts.denseLayers();
        int moe = moeLayers();
        return Math.round(((double) moe * moeLayerParameters() + (double) (rest - moe) * denseLayerParameters())
                / rest);
    }

    /** @return the leading layers whose MLP is dense in an MoE model (held by the first stage); 0 otherwise */
    public int firstDenseLayers() {
        return experts.denseLayers();
    }

    /**
     * Parameters a token runs through in one layer past the leading dense ones: attention, the router, its
     * {@code active} experts and the shared ones (the mean where MoE and dense layers alternate).
     *
     * @return parameters
     */
    public long activeParametersPerLayer() {
        if (!experts.present()) {
            return denseLayerParameters();
        }
        long moeActive = attentionParameters() + (long) hiddenSize * experts.routed()
                + experts.active() * expertParameters() + mlpParameters(experts.sharedFfnSize());
        int rest = layers - experts.denseLayers();
        int moe = moeLayers();
        return Math.round(((double) moe * moeActive + (double) (rest - moe) * denseLayerParameters()) / rest);
    }

    /** @return bytes per linear weight: the quantized size, else the dtype's */
    public double bytesPerWeight() {
        return quantization.bytesPerWeight(dtypeBytes);
    }

    /** @return bytes of one layer's weights past the leading dense ones (see {@link #parametersPerLayer()}) */
    public long bytesPerLayer() {
        return Math.round(bytesOf(parametersPerLayer(), 1));
    }

    /** @return bytes of one leading dense layer of an MoE model (see {@link #firstDenseLayers()}) */
    public long denseLayerBytes() {
        return Math.round(bytesOf(denseLayerParameters(), 1));
    }

    /** Bytes of the linear weights of {@code layerCount} layers; attention at the dtype if only experts are quantized. */
    private double bytesOf(long parameters, long layerCount) {
        if (!quantization.expertsOnly()) {
            return parameters * bytesPerWeight();
        }
        double attention = (double) attentionParameters() * layerCount;
        return attention * dtypeBytes + (parameters - attention) * bytesPerWeight();
    }

    /**
     * Bytes one decode step reads from one layer's weights when {@code sequences} tokens go through it: the
     * whole layer for a dense model; for an MoE layer its shared weights and only the distinct experts the batch
     * activates ({@link Experts#distinctActive}).
     *
     * @param sequences tokens in the step's batch (may be fractional); at least 0
     * @return bytes
     */
    public double decodeBytesPerLayer(double sequences) {
        if (!experts.present()) {
            return bytesPerLayer();
        }
        double idle = (experts.routed() - experts.distinctActive(sequences)) * expertParameters() * bytesPerWeight();
        return bytesPerLayer() - idle * moeLayers() / (layers - experts.denseLayers());
    }

    /** @return bytes of the input embedding table (and its projection, if any), held by the first stage */
    public long embeddingBytes() {
        return ((long) vocabSize * embeddingSize + projectionParameters()) * dtypeBytes;
    }

    /**
     * Bytes of the LM head (its projection, if any, and the final norm), held by the last pipeline stage. With
     * tied embeddings the last stage still holds its own copy of the matrix when it is not also the first stage.
     *
     * @return bytes of the LM head
     */
    public long lmHeadBytes() {
        return ((long) vocabSize * embeddingSize + projectionParameters() + hiddenSize) * dtypeBytes;
    }

    /** @return total parameters, counting a tied embedding once */
    public long totalParameters() {
        long embed = (long) vocabSize * embeddingSize;
        return layerParameters() + embed + (tiedEmbeddings ? 0 : embed) + 2 * projectionParameters();
    }

    /** @return total parameters a token runs through: {@link #totalParameters()} with only its active experts */
    public long activeParameters() {
        long embed = (long) vocabSize * embeddingSize;
        int rest = layers - experts.denseLayers();
        return (long) experts.denseLayers() * denseLayerParameters() + rest * activeParametersPerLayer() + embed
                + (tiedEmbeddings ? 0 : embed) + 2 * projectionParameters();
    }

    /** @return total weight bytes of one copy of the model, counting a tied embedding once */
    public long totalBytes() {
        long embed = (long) vocabSize * embeddingSize * dtypeBytes;
        return Math.round(bytesOf(layerParameters(), layers)) + embed + (tiedEmbeddings ? 0 : embed)
                + 2 * projectionParameters() * dtypeBytes;
    }

    /**
     * KV-cache bytes per token per layer: keys and values, {@code 2 × kvHeads × headDim}, or the latent vLLM
     * caches for MLA ({@code kvLoraRank + qkRopeHeadDim}), times {@link #kvCacheDtypeBytes()}.
     *
     * @return bytes
     */
    public long kvCacheBytesPerTokenPerLayer() {
        long elements = latentAttention.present() ? latentAttention.cachedElementsPerToken() : 2L * kvHeads * headDim;
        return elements * kvCacheDtypeBytes;
    }

    /**
     * Bytes sent from one pipeline stage to the next per token: vLLM's Llama-style models send the hidden
     * state and the residual, {@code 2 × hiddenSize × dtypeBytes}.
     *
     * @return activation bytes per token crossing a stage boundary
     */
    public long activationBytesPerToken() {
        return 2L * hiddenSize * dtypeBytes;
    }

    /**
     * FLOPs of one token through one layer in a forward pass ({@code 2 ×} its active parameters, ignoring
     * attention over the context, which the performance model adds separately).
     *
     * @return floating-point operations per token per layer
     */
    public double flopsPerTokenPerLayer() {
        return 2.0 * activeParametersPerLayer();
    }

    private long mlpParameters(int width) {
        return (gatedMlp ? 3L : 2L) * hiddenSize * width;
    }

    /** The embedding's projection to the hidden width (OPT-350m's project_in; the LM head has project_out). */
    private long projectionParameters() {
        return embeddingSize == hiddenSize ? 0 : (long) embeddingSize * hiddenSize;
    }

    private long layerParameters() {
        if (!experts.present()) {
            return layers * denseLayerParameters();
        }
        int moe = moeLayers();
        return (long) (layers - moe) * denseLayerParameters() + (long) moe * moeLayerParameters();
    }
}
