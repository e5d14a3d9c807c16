package dev.placement.core;

/**
 * The performance model's terms for one pipeline stage.
 *
 * @param nodeId             the node that runs the stage
 * @param rank               the stage's pipeline rank, 0 first
 * @param firstLayer         index of the stage's first layer
 * @param layers             how many layers it holds
 * @param budgetBytes        memory vLLM may use on the node: {@code gpuMemoryUtilization × memory}
 * @param weightBytes        weights held: its layers, plus the embedding on rank 0 and the LM head and final
 *                           norm on the last rank
 * @param reserveBytes       memory kept back for the CUDA context, buffers, the activation peak and (last rank)
 *                           the sampler's logits
 * @param kvCacheBytes       what remains for the KV cache; negative when the weights and reserve do not fit
 * @param kvCacheTokens      tokens of KV cache the stage holds ({@code kvCacheBytes / (layers × KV bytes per
 *                           token per layer)}), or -1 when it does not fit
 * @param decodeStepMillis   one decode step of one micro-batch on this stage, in ms
 * @param prefillMillis      one prompt's prefill on this stage, in ms
 * @param computeBoundDecode whether the decode step is compute bound rather than memory-bandwidth bound
 */
public record StageEstimate(
        String nodeId,
        int rank,
        int firstLayer,
        int layers,
        long budgetBytes,
        long weightBytes,
        long reserveBytes,
        long kvCacheBytes,
        long kvCacheTokens,
        double decodeStepMillis,
        double prefillMillis,
        boolean computeBoundDecode) {
}
