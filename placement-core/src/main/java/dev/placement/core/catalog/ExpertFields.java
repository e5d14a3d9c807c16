package dev.placement.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.Experts;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LatentAttention;
import java.util.Locale;

/**
 * Reads the mixture-of-experts layout and multi-head latent attention of the families that have them, each by
 * its own field names (the transformers config classes: {@code MixtralConfig}, {@code Qwen2MoeConfig},
 * {@code Qwen3MoeConfig}, {@code DeepseekV2Config}, {@code DeepseekV3Config}, {@code Llama4TextConfig},
 * {@code GptOssConfig}).
 */
final class ExpertFields {

    private ExpertFields() {
    }

    /** @return the layout a config describes, or {@link Experts#NONE} for a dense family */
    static Experts experts(ConfigFields f, String modelType) {
        return switch (modelType.toLowerCase(Locale.ROOT)) {
            case "mixtral", "gpt_oss" -> new Experts(f.requirePositive("num_local_experts"),
                    f.requirePositive("num_experts_per_tok", "experts_per_token"), f.requirePositive("intermediate_size"),
                    0, 0, 1);
            case "qwen2_moe", "qwen3_moe" -> new Experts(f.requirePositive("num_experts"),
                    f.requirePositive("num_experts_per_tok"), f.requirePositive("moe_intermediate_size"),
                    nonNegative(f, "shared_expert_intermediate_size"), leadingDense(f, "mlp_only_layers"),
                    f.optionalPositive(1, "decoder_sparse_step"));
            case "deepseek_v2", "deepseek_v3" -> {
                int expert = f.requirePositive("moe_intermediate_size");
                yield new Experts(f.requirePositive("n_routed_experts"), f.requirePositive("num_experts_per_tok"),
                        expert, nonNegative(f, "n_shared_experts") * expert, nonNegative(f, "first_k_dense_replace"),
                        f.optionalPositive(1, "moe_layer_freq"));
            }
            // every Llama 4 MoE layer has one shared expert as wide as a routed one
            case "llama4", "llama4_text" -> new Experts(f.requirePositive("num_local_experts"),
                    f.requirePositive("num_experts_per_tok"), f.requirePositive("intermediate_size"),
                    f.requirePositive("intermediate_size"), 0, f.optionalPositive(1, "interleave_moe_layer_step"));
            default -> Experts.NONE;
        };
    }

    /** @return the dense layers' MLP width: Llama 4 names it apart from the experts' */
    static int denseFfnSize(ConfigFields f, String modelType, int ffn) {
        String type = modelType.toLowerCase(Locale.ROOT);
        return type.startsWith("llama4") ? f.optionalPositive(ffn, "intermediate_size_mlp") : ffn;
    }

    /** @return DeepSeek's latent attention, or {@link LatentAttention#NONE} when the config has no kv_lora_rank */
    static LatentAttention latentAttention(ConfigFields f) {
        if (!f.has("kv_lora_rank")) {
            return LatentAttention.NONE;
        }
        return new LatentAttention(f.requirePositive("kv_lora_rank"), nonNegative(f, "q_lora_rank"),
                f.requirePositive("qk_nope_head_dim"), f.requirePositive("qk_rope_head_dim"),
                f.requirePositive("v_head_dim"));
    }

    private static int nonNegative(ConfigFields f, String field) {
        JsonNode v = f.node(field);
        if (v == null) {
            return 0;
        }
        if (!v.isIntegralNumber() || v.intValue() < 0) {
            throw new InvalidInputException(f.source(), f.path(field), "expected a whole number of 0 or more, found "
                    + v);
        }
        return v.intValue();
    }

    /** Layers listed as dense-only must be the leading ones (0, 1, …): the only layout the model handles. */
    private static int leadingDense(ConfigFields f, String field) {
        JsonNode v = f.node(field);
        if (v == null) {
            return 0;
        }
        if (!v.isArray()) {
            throw new InvalidInputException(f.source(), f.path(field), "expected a list of layer indices, found " + v);
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isIntegralNumber() || v.get(i).intValue() != i) {
                throw new InvalidInputException(f.source(), f.path(field), "lists " + v + "; only the leading layers "
                        + "(0, 1, …) can be dense in a model Placement plans");
            }
        }
        return v.size();
    }
}
