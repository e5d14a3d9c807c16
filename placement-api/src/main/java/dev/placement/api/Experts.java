package dev.placement.api;

/**
 * The mixture-of-experts layout of a model's MLPs, as the MoE families' configs give it (Mixtral
 * {@code num_local_experts}; Qwen-MoE {@code num_experts}, {@code moe_intermediate_size},
 * {@code shared_expert_intermediate_size}; DeepSeek {@code n_routed_experts}, {@code n_shared_experts},
 * {@code first_k_dense_replace}; Llama 4 {@code interleave_moe_layer_step}; gpt-oss {@code num_local_experts}).
 *
 * <p>Every expert is resident in GPU memory (vLLM loads them all); a token runs through {@code active} of the
 * {@code routed} experts, plus the shared ones. A dense model has {@link #NONE}.
 *
 * @param routed        routed experts per MoE layer (E); 0 for a dense model
 * @param active        experts each token is routed to (top-k); 1 to {@code routed}, 0 for a dense model
 * @param expertFfnSize inner width of one routed expert's MLP; positive for an MoE model
 * @param sharedFfnSize total inner width of the shared experts every token runs through (0 if none)
 * @param denseLayers   leading layers whose MLP is dense ({@code ffnSize} wide) instead of MoE (DeepSeek's
 *                      {@code first_k_dense_replace}); 0 or more
 * @param sparseStep    every {@code sparseStep}-th layer after the dense ones is MoE, the others dense (Llama 4
 *                      Maverick: 2); 1 when all are MoE
 */
public record Experts(int routed, int active, int expertFfnSize, int sharedFfnSize, int denseLayers,
        int sparseStep) {

    /** A dense model: no experts. */
    public static final Experts NONE = new Experts(0, 0, 0, 0, 0, 1);

    /**
     * Validates the fields; see the class description.
     *
     * @param routed        routed experts per MoE layer (E); 0 or more, 0 for a dense model
     * @param active        experts each token is routed to (top-k); 1 to {@code routed}, 0 for a dense model
     * @param expertFfnSize inner width of one routed expert's MLP; positive for an MoE model, 0 for a dense one
     * @param sharedFfnSize total inner width of the shared experts; 0 or more, 0 for a dense model
     * @param denseLayers   leading layers whose MLP is dense; 0 or more, 0 for a dense model
     * @param sparseStep    every {@code sparseStep}-th layer after the dense ones is MoE; 1 or more
     */
    public Experts {
        if (routed < 0 || sharedFfnSize < 0 || denseLayers < 0) {
            throw new IllegalArgumentException("model.experts: routed (" + routed + "), sharedFfnSize ("
                    + sharedFfnSize + ") and denseLayers (" + denseLayers + ") must not be negative");
        }
        if (sparseStep < 1) {
            throw new IllegalArgumentException("model.experts.sparseStep must be positive, was " + sparseStep);
        }
        if (routed == 0 && (active != 0 || expertFfnSize != 0 || sharedFfnSize != 0 || denseLayers != 0)) {
            throw new IllegalArgumentException("model.experts: a dense model (0 routed experts) has no active, "
                    + "expert, shared or dense-layer fields");
        }
        if (routed > 0 && (active < 1 || active > routed)) {
            throw new IllegalArgumentException("model.experts.active must be 1 to " + routed + ", was " + active);
        }
        if (routed > 0 && expertFfnSize < 1) {
            throw new IllegalArgumentException("model.experts.expertFfnSize must be positive, was "
                    + expertFfnSize);
        }
    }

    /** @return whether the model has routed experts */
    public boolean present() {
        return routed > 0;
    }

    /**
     * The expected number of distinct routed experts a batch of {@code sequences} tokens activates in one MoE
     * layer, {@code E·(1 − (1 − k/E)^b)}, when tokens choose experts independently and uniformly.
     *
     * @param sequences tokens in the batch (may be fractional: a mean micro-batch); at least 0
     * @return experts, 0 to {@link #routed()}
     */
    public double distinctActive(double sequences) {
        if (routed == 0) {
            return 0;
        }
        return routed * (1 - Math.pow(1 - (double) active / routed, Math.max(0, sequences)));
    }
}
