package dev.placement.api;

/**
 * Multi-head latent attention (DeepSeek V2/V3): keys and values are compressed into a latent of
 * {@code kvLoraRank} plus a shared rotary part of {@code qkRopeHeadDim}, which is all vLLM caches per token
 * and layer. A model with ordinary attention has {@link #NONE}.
 *
 * @param kvLoraRank    width of the compressed key/value latent ({@code kv_lora_rank}); 0 when absent
 * @param qLoraRank     width of the compressed query ({@code q_lora_rank}); 0 when queries are not compressed
 * @param qkNopeHeadDim per-head width of the non-rotary query/key part ({@code qk_nope_head_dim})
 * @param qkRopeHeadDim per-head width of the rotary part ({@code qk_rope_head_dim})
 * @param vHeadDim      per-head width of the values ({@code v_head_dim})
 */
public record LatentAttention(int kvLoraRank, int qLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim) {

    /** Ordinary attention. */
    public static final LatentAttention NONE = new LatentAttention(0, 0, 0, 0, 0);

    /**
     * Validates the fields; see the class description. All widths are 0 or more, and 0 without a
     * {@code kvLoraRank}.
     *
     * @param kvLoraRank    width of the compressed key/value latent; 0 for ordinary attention
     * @param qLoraRank     width of the compressed query; 0 when queries are not compressed
     * @param qkNopeHeadDim per-head width of the non-rotary query/key part; positive with a {@code kvLoraRank}
     * @param qkRopeHeadDim per-head width of the rotary part; positive with a {@code kvLoraRank}
     * @param vHeadDim      per-head width of the values; positive with a {@code kvLoraRank}
     */
    public LatentAttention {
        if (kvLoraRank < 0 || qLoraRank < 0 || qkNopeHeadDim < 0 || qkRopeHeadDim < 0 || vHeadDim < 0) {
            throw new IllegalArgumentException("model.latentAttention: widths must not be negative");
        }
        if (kvLoraRank > 0 && (qkNopeHeadDim < 1 || qkRopeHeadDim < 1 || vHeadDim < 1)) {
            throw new IllegalArgumentException("model.latentAttention: kvLoraRank " + kvLoraRank
                    + " needs positive qkNopeHeadDim, qkRopeHeadDim and vHeadDim");
        }
        if (kvLoraRank == 0 && (qLoraRank != 0 || qkNopeHeadDim != 0 || qkRopeHeadDim != 0 || vHeadDim != 0)) {
            throw new IllegalArgumentException("model.latentAttention: the widths need a kvLoraRank");
        }
    }

    /** @return whether the model uses latent attention */
    public boolean present() {
        return kvLoraRank > 0;
    }

    /**
     * Parameters of one layer's attention: the query projection (through the query latent when there is one),
     * the key/value down projection with the rotary part, the up projection to per-head keys and values, and the
     * output projection.
     *
     * @param hidden width of the residual stream
     * @param heads  attention heads
     * @return parameters
     */
    public long parameters(int hidden, int heads) {
        long qHead = (long) qkNopeHeadDim + qkRopeHeadDim;
        long q = qLoraRank > 0 ? (long) hidden * qLoraRank + (long) qLoraRank * heads * qHead
                : (long) hidden * heads * qHead;
        long kvDown = (long) hidden * (kvLoraRank + qkRopeHeadDim);
        long kvUp = (long) kvLoraRank * heads * (qkNopeHeadDim + vHeadDim);
        long o = (long) heads * vHeadDim * hidden;
        return q + kvDown + kvUp + o;
    }

    /** @return elements vLLM caches per token and layer: {@code kvLoraRank + qkRopeHeadDim} */
    public int cachedElementsPerToken() {
        return kvLoraRank + qkRopeHeadDim;
    }
}
