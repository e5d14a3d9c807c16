package dev.placement.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a family of Hugging Face configs spells a model's shape, and what it leaves out: each family maps its own
 * field names ({@code n_embd}, {@code d_model}, {@code ffn_dim}…) and defaults onto one {@link Shape}, and knows
 * its rules for key/value heads and tied embeddings, following vLLM and the transformers config classes.
 */
enum ModelFamily {

    /**
     * Llama-style decoders: gated (SwiGLU/GeGLU) MLP, {@code num_hidden_layers}, {@code intermediate_size}; the
     * MoE families among them (Mixtral, Qwen-MoE, DeepSeek, Llama 4, gpt-oss) add their experts
     * ({@link ExpertFields}).
     */
    LLAMA,
    OPT,
    GPT2,
    GPT_NEOX,
    FALCON,
    MPT;

    /** {@code model_type} → family. */
    private static final Map<String, ModelFamily> BY_MODEL_TYPE = Map.ofEntries(
            Map.entry("llama", LLAMA),
            Map.entry("mistral", LLAMA),
            Map.entry("qwen2", LLAMA),
            Map.entry("qwen3", LLAMA),
            Map.entry("gemma", LLAMA),
            Map.entry("gemma2", LLAMA),
            Map.entry("gemma3_text", LLAMA),
            Map.entry("phi3", LLAMA),
            Map.entry("granite", LLAMA),
            Map.entry("olmo2", LLAMA),
            Map.entry("gemma3", LLAMA),
            Map.entry("mixtral", LLAMA),
            Map.entry("qwen2_moe", LLAMA),
            Map.entry("qwen3_moe", LLAMA),
            Map.entry("deepseek_v2", LLAMA),
            Map.entry("deepseek_v3", LLAMA),
            Map.entry("llama4", LLAMA),
            Map.entry("llama4_text", LLAMA),
            Map.entry("gpt_oss", LLAMA),
            Map.entry("opt", OPT),
            Map.entry("gpt2", GPT2),
            Map.entry("gptj", GPT2),
            Map.entry("gpt_bigcode", GPT2),
            Map.entry("gpt_neox", GPT_NEOX),
            Map.entry("falcon", FALCON),
            Map.entry("refinedweb", FALCON),
            Map.entry("refinedwebmodel", FALCON),
            Map.entry("mpt", MPT));

    /**
     * {@code tie_word_embeddings} when a config leaves it out: the default of each transformers config class
     * ({@code PretrainedConfig} says true; {@code LlamaConfig}, {@code MistralConfig}, {@code Qwen2Config},
     * {@code Qwen3Config}, {@code Phi3Config}, {@code GraniteConfig}, {@code Olmo2Config} and
     * {@code GPTNeoXConfig} override it with false).
     */
    private static final Map<String, Boolean> UNTIED_BY_DEFAULT = Map.of(
            "llama", true, "mistral", true, "qwen2", true, "qwen3", true, "phi3", true, "granite", true,
            "olmo2", true, "gpt_neox", true);

    /** The parts of a model's shape whose field names differ by family. */
    record Shape(int layers, int hidden, int ffn, int heads, int vocab, int context) {
    }

    /** Reads this family's spelling of the shape; throws naming the first field that is missing or bad. */
    Shape shape(ConfigFields f) {
        return switch (this) {
            case LLAMA -> llama(f);
            case OPT -> opt(f);
            case GPT2 -> gpt2(f);
            case GPT_NEOX -> gptNeox(f);
            case FALCON -> falcon(f);
            case MPT -> mpt(f);
        };
    }

    private static Shape llama(ConfigFields f) {
        int hidden = f.requirePositive("hidden_size");
        return new Shape(f.requirePositive("num_hidden_layers"), hidden, f.requirePositive("intermediate_size"),
                f.requirePositive("num_attention_heads"), f.requirePositive("vocab_size"),
                f.requirePositive("max_position_embeddings"));
    }

    private static Shape opt(ConfigFields f) {
        return new Shape(f.requirePositive("num_hidden_layers"), f.requirePositive("hidden_size", "d_model"),
                f.requirePositive("ffn_dim"), f.requirePositive("num_attention_heads"),
                f.requirePositive("vocab_size"), f.optionalPositive(2048, "max_position_embeddings"));
    }

    private static Shape gpt2(ConfigFields f) {
        int hidden = f.requirePositive("n_embd", "hidden_size");
        // n_inner is null in GPT-2's configs, meaning four times the width
        return new Shape(f.requirePositive("n_layer", "num_hidden_layers"), hidden, f.optionalPositive(4 * hidden,
                "n_inner"), f.requirePositive("n_head", "num_attention_heads"), f.requirePositive("vocab_size"),
                f.optionalPositive(1024, "n_positions", "n_ctx", "max_position_embeddings"));
    }

    private static Shape gptNeox(ConfigFields f) {
        return new Shape(f.requirePositive("num_hidden_layers"), f.requirePositive("hidden_size"),
                f.requirePositive("intermediate_size"), f.requirePositive("num_attention_heads"),
                f.requirePositive("vocab_size"), f.optionalPositive(2048, "max_position_embeddings"));
    }

    private static Shape falcon(ConfigFields f) {
        // FalconConfig maps n_layer/n_head onto the new names; legacy RefinedWeb configs only have the old ones
        int hidden = f.requirePositive("hidden_size", "n_embed");
        return new Shape(f.requirePositive("num_hidden_layers", "n_layer"), hidden,
                f.optionalPositive(4 * hidden, "ffn_hidden_size"), f.requirePositive("num_attention_heads", "n_head"),
                f.requirePositive("vocab_size"), f.optionalPositive(2048, "max_position_embeddings"));
    }

    private static Shape mpt(ConfigFields f) {
        int hidden = f.requirePositive("d_model");
        double ratio = f.optionalPositiveNumber(4, "expansion_ratio");
        return new Shape(f.requirePositive("n_layers"), hidden, (int) Math.round(ratio * hidden),
                f.requirePositive("n_heads"), f.requirePositive("vocab_size"),
                f.optionalPositive(2048, "max_seq_len"));
    }

    /** @return the family of a {@code model_type} in any case, or {@code null} if it is not supported */
    static ModelFamily ofModelType(String modelType) {
        return BY_MODEL_TYPE.get(modelType.toLowerCase(Locale.ROOT));
    }

    /** @return the supported {@code model_type}s, sorted, for the message that rejects another */
    static List<String> supportedModelTypes() {
        return BY_MODEL_TYPE.keySet().stream().sorted().toList();
    }

    /** Configs without {@code model_type} (hand-written or stripped): tell the family by its field names. */
    static ModelFamily guess(ConfigFields f) {
        if (f.has("n_layers") && f.has("d_model")) {
            return MPT;
        }
        if (f.has("n_embd")) {
            return GPT2;
        }
        if (f.has("n_layer") || f.has("n_head_kv") || f.has("multi_query")) {
            return FALCON;
        }
        if (f.has("ffn_dim")) {
            return OPT;
        }
        if (f.has("num_hidden_layers") && f.has("intermediate_size")) {
            return LLAMA;
        }
        return null;
    }

    /** Whether {@code tie_word_embeddings} is false when an architecture's config leaves it out. */
    static boolean untiedByDefault(String architecture) {
        return UNTIED_BY_DEFAULT.getOrDefault(architecture.toLowerCase(Locale.ROOT), false);
    }

    /** vLLM's order: Falcon multi-query, MPT's attn_config, then the first KV-head field present, else heads. */
    int kvHeads(ConfigFields f, String modelType, int heads) {
        if (this == FALCON && f.bool("multi_query", false) && !f.bool("new_decoder_architecture", false)) {
            return 1;
        }
        if (this == GPT2 && "gpt_bigcode".equalsIgnoreCase(modelType) && f.bool("multi_query", true)) {
            return 1;
        }
        ConfigFields where = f;
        String field = null;
        if (this == MPT) {
            JsonNode attn = f.node("attn_config");
            if (attn != null && attn.isObject()) {
                where = f.child("attn_config", attn);
                field = where.firstPresent("kv_n_heads");
            }
        } else {
            field = f.firstPresent("n_head_kv", "num_kv_heads", "num_key_value_heads", "multi_query_group_num");
        }
        if (field == null) {
            return heads;
        }
        int kv = where.requirePositive(field);
        if (kv > heads || heads % kv != 0) {
            throw new InvalidInputException(f.source(), where.path(field), kv + " key/value heads do not divide "
                    + heads + " attention heads; expected a divisor of " + heads);
        }
        return kv;
    }
}
