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
 * @param dtypeBytes     bytes per weight and per KV element (2 for fp16/bf16, 4 for fp32, 1 for fp8); 1 to 8
 * @param tiedEmbeddings whether the LM head shares the input embedding's weights
 * @param gatedMlp       whether the MLP is gated (SwiGLU/GeGLU: three matrices) rather than two matrices
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
        boolean gatedMlp) {

    /** The longest max model length chosen when none is given, in tokens: vLLM's KV cache is sized for it. */
    public static final int DEFAULT_MAX_MODEL_LEN_CAP = 4096;

    /** Validates every field; see the class description. */
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
        try {
            // Every size below is a long product of these fields; refuse a model for which one would wrap round.
            long h = hiddenSize;
            long attention = Math.multiplyExact(Math.multiplyExact(h, (long) attentionHeads + 2L * kvHeads
                    + attentionHeads), headDim);
            long perLayer = Math.addExact(attention, Math.multiplyExact(3L * h, ffnSize));
            long embed = Math.multiplyExact(Math.multiplyExact((long) vocabSize, h), 2L * dtypeBytes);
            Math.addExact(Math.multiplyExact(Math.multiplyExact(perLayer, layers), dtypeBytes), embed);
            Math.multiplyExact(Math.multiplyExact(2L * kvHeads, headDim), (long) dtypeBytes * contextLength);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("model '" + name + "' is too large to size in bytes (hiddenSize "
                    + hiddenSize + ", ffnSize " + ffnSize + ", vocabSize " + vocabSize + ", layers " + layers
                    + "); its weights would exceed 2^63 bytes");
        }
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

    /** @return parameters of one decoder block: attention (q, k, v, o) plus the MLP */
    public long parametersPerLayer() {
        long h = hiddenSize;
        long q = h * attentionHeads * headDim;
        long kv = 2L * h * kvHeads * headDim;
        long o = (long) attentionHeads * headDim * h;
        long mlp = (gatedMlp ? 3L : 2L) * h * ffnSize;
        return q + kv + o + mlp;
    }

    /** @return bytes of one decoder block's weights */
    public long bytesPerLayer() {
        return parametersPerLayer() * dtypeBytes;
    }

    /** @return bytes of the input embedding table, held by the first pipeline stage */
    public long embeddingBytes() {
        return (long) vocabSize * hiddenSize * dtypeBytes;
    }

    /**
     * Bytes of the LM head (and final norm), held by the last pipeline stage. With tied embeddings the last
     * stage still holds its own copy of the matrix when it is not also the first stage.
     *
     * @return bytes of the LM head
     */
    public long lmHeadBytes() {
        return (long) vocabSize * hiddenSize * dtypeBytes + (long) hiddenSize * dtypeBytes;
    }

    /** @return total parameters, counting a tied embedding once */
    public long totalParameters() {
        long embed = (long) vocabSize * hiddenSize;
        return layers * parametersPerLayer() + embed + (tiedEmbeddings ? 0 : embed);
    }

    /** @return total weight bytes of one copy of the model, counting a tied embedding once */
    public long totalBytes() {
        return totalParameters() * dtypeBytes;
    }

    /** @return KV-cache bytes per token per layer: keys and values, {@code 2 × kvHeads × headDim × dtypeBytes} */
    public long kvCacheBytesPerTokenPerLayer() {
        return 2L * kvHeads * headDim * dtypeBytes;
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
     * FLOPs of one token through one layer in a forward pass ({@code 2 × parameters}, ignoring attention
     * over the context, which the performance model adds separately).
     *
     * @return floating-point operations per token per layer
     */
    public double flopsPerTokenPerLayer() {
        return 2.0 * parametersPerLayer();
    }
}
