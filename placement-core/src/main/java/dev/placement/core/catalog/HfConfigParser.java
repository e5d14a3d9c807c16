package dev.placement.core.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelSpec}. Stateless and thread-safe.
 *
 * <p>Field names differ by family; the mapping and the rules for key/value heads and head width follow vLLM
 * ({@code ModelConfig.get_total_num_kv_heads}, {@code get_head_size}), reading the text model's config first
 * ({@code text_config}, {@code llm_config} or {@code language_config}) and the top level for what the nested
 * config does not say ({@link ConfigFields}).
 */
final class HfConfigParser {

    /** Bytes per weight assumed when a config names no dtype: fp16/bf16, what vLLM serves by default. */
    static final int DEFAULT_DTYPE_BYTES = 2;

    private static final ObjectMapper JSON = JsonMapper.builder()
            // some published configs carry Infinity/NaN in fields we do not read
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** How a family spells things, and what it leaves out. */
    private enum Family {
        /** Llama-style decoders: gated (SwiGLU/GeGLU) MLP, {@code num_hidden_layers}, {@code intermediate_size}. */
        LLAMA,
        OPT,
        GPT2,
        GPT_NEOX,
        FALCON,
        MPT
    }

    /** {@code model_type} → family; the tied-embedding default is that of the transformers config class. */
    private static final Map<String, Family> FAMILIES = Map.ofEntries(
            Map.entry("llama", Family.LLAMA),
            Map.entry("mistral", Family.LLAMA),
            Map.entry("qwen2", Family.LLAMA),
            Map.entry("qwen3", Family.LLAMA),
            Map.entry("gemma", Family.LLAMA),
            Map.entry("gemma2", Family.LLAMA),
            Map.entry("gemma3_text", Family.LLAMA),
            Map.entry("phi3", Family.LLAMA),
            Map.entry("granite", Family.LLAMA),
            Map.entry("olmo2", Family.LLAMA),
            Map.entry("opt", Family.OPT),
            Map.entry("gpt2", Family.GPT2),
            Map.entry("gptj", Family.GPT2),
            Map.entry("gpt_bigcode", Family.GPT2),
            Map.entry("gpt_neox", Family.GPT_NEOX),
            Map.entry("falcon", Family.FALCON),
            Map.entry("refinedweb", Family.FALCON),
            Map.entry("refinedwebmodel", Family.FALCON),
            Map.entry("mpt", Family.MPT));

    /**
     * {@code tie_word_embeddings} when a config leaves it out: the default of each transformers config class
     * ({@code PretrainedConfig} says true; {@code LlamaConfig}, {@code MistralConfig}, {@code Qwen2Config},
     * {@code Qwen3Config}, {@code Phi3Config}, {@code GraniteConfig}, {@code Olmo2Config} and
     * {@code GPTNeoXConfig} override it with false).
     */
    private static final Map<String, Boolean> UNTIED_BY_DEFAULT = Map.of(
            "llama", true, "mistral", true, "qwen2", true, "qwen3", true, "phi3", true, "granite", true,
            "olmo2", true, "gpt_neox", true);

    private HfConfigParser() {
    }

    /**
     * Parses a config.json.
     *
     * @param in     the JSON; read fully, not closed
     * @param name   the model id to record, or {@code null} to take {@code _name_or_path}, else {@code fallbackName}
     * @param fallbackName the name when neither the caller nor the config gives one
     * @param source the file name for messages
     * @return the model
     * @throws InvalidInputException naming the source and the field of the first problem
     */
    static ModelSpec parse(InputStream in, String name, String fallbackName, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(source, null, "is not valid JSON: " + where(e.getLocation())
                    + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new InvalidInputException(source, null, "cannot be read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new InvalidInputException(source, null, "is empty; expected a Hugging Face config.json object");
        }
        if (!root.isObject()) {
            throw new InvalidInputException(source, null, "expected a JSON object at the top level, found "
                    + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return parse(root, name, fallbackName, source);
    }

    static ModelSpec parse(JsonNode root, String name, String fallbackName, String source) {
        ConfigFields f = ConfigFields.ofTextModel(root, source);
        String modelType = f.text("model_type");
        Family family = modelType == null ? guessFamily(f) : FAMILIES.get(modelType.toLowerCase(Locale.ROOT));
        if (family == null) {
            throw new InvalidInputException(source, f.path("model_type"), "unsupported model_type '" + modelType
                    + "'; supported: " + String.join(", ", FAMILIES.keySet().stream().sorted().toList()));
        }
        String architecture = modelType != null ? modelType : family.name().toLowerCase(Locale.ROOT);
        Shape s = switch (family) {
            case LLAMA -> llama(f);
            case OPT -> opt(f);
            case GPT2 -> gpt2(f);
            case GPT_NEOX -> gptNeox(f);
            case FALCON -> falcon(f);
            case MPT -> mpt(f);
        };
        int kvHeads = kvHeads(f, family, architecture, s.heads);
        int headDim = headDim(f, s.hidden, s.heads);
        int dtypeBytes = dtypeBytes(f);
        boolean untiedByDefault = UNTIED_BY_DEFAULT.getOrDefault(architecture.toLowerCase(Locale.ROOT), false);
        boolean tied = f.bool("tie_word_embeddings", !untiedByDefault);
        String id = firstUsableName(name, root.path("_name_or_path").asText(null), fallbackName);
        try {
            return new ModelSpec(id, architecture, s.layers, s.hidden, s.ffn, s.heads, kvHeads, headDim, s.vocab,
                    s.context, dtypeBytes, tied, family == Family.LLAMA);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source, null, e.getMessage(), e);
        }
    }

    /** The parts of a model's shape whose field names differ by family. */
    private record Shape(int layers, int hidden, int ffn, int heads, int vocab, int context) {
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

    /** Configs without {@code model_type} (hand-written or stripped): tell the family by its field names. */
    private static Family guessFamily(ConfigFields f) {
        if (f.has("n_layers") && f.has("d_model")) {
            return Family.MPT;
        }
        if (f.has("n_embd")) {
            return Family.GPT2;
        }
        if (f.has("n_layer") || f.has("n_head_kv") || f.has("multi_query")) {
            return Family.FALCON;
        }
        if (f.has("ffn_dim")) {
            return Family.OPT;
        }
        if (f.has("num_hidden_layers") && f.has("intermediate_size")) {
            return Family.LLAMA;
        }
        return null;
    }

    /** vLLM's order: Falcon multi-query, MPT's attn_config, then the first KV-head field present, else heads. */
    private static int kvHeads(ConfigFields f, Family family, String modelType, int heads) {
        if (family == Family.FALCON && f.bool("multi_query", false) && !f.bool("new_decoder_architecture", false)) {
            return 1;
        }
        if (family == Family.GPT2 && "gpt_bigcode".equalsIgnoreCase(modelType) && f.bool("multi_query", true)) {
            return 1;
        }
        ConfigFields where = f;
        String field = null;
        if (family == Family.MPT) {
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

    /** vLLM's order: {@code head_dim}, then {@code hidden_size_per_head}, then hidden / heads. */
    private static int headDim(ConfigFields f, int hidden, int heads) {
        String explicit = f.firstPresent("head_dim", "hidden_size_per_head");
        if (explicit != null) {
            return f.requirePositive(explicit);
        }
        if (hidden % heads != 0) {
            throw new InvalidInputException(f.source(), f.path("num_attention_heads"), "the hidden size " + hidden
                    + " is not a multiple of " + heads + " heads, and no head_dim is given");
        }
        return hidden / heads;
    }

    private static int dtypeBytes(ConfigFields f) {
        // transformers >= 4.56 writes "dtype"; older versions "torch_dtype"
        String field = f.firstPresent("dtype", "torch_dtype");
        if (field == null) {
            return DEFAULT_DTYPE_BYTES;
        }
        String value = f.text(field);
        if (value == null) {
            throw new InvalidInputException(f.source(), f.path(field), "expected a dtype name such as \"bfloat16\", "
                    + "found " + f.node(field));
        }
        String v = value.toLowerCase(Locale.ROOT).replace("torch.", "");
        if (v.equals("bfloat16") || v.equals("float16") || v.equals("half") || v.equals("bf16")
                || v.equals("fp16") || v.equals("auto")) {
            return 2;
        }
        if (v.equals("float32") || v.equals("float") || v.equals("fp32")) {
            return 4;
        }
        if (v.startsWith("float8") || v.equals("fp8")) {
            return 1;
        }
        if (v.equals("float64") || v.equals("double")) {
            return 8;
        }
        throw new InvalidInputException(f.source(), f.path(field), "unknown dtype '" + value
                + "'; expected bfloat16, float16, float32 or a float8 type");
    }

    private static String firstUsableName(String... candidates) {
        for (String c : candidates) {
            // "./" and absolute paths are what save_pretrained writes for local checkpoints: not an id
            if (c != null && !c.isBlank() && !c.startsWith(".") && !c.startsWith("/")) {
                return c.trim();
            }
        }
        return "unnamed-model";
    }

    private static String where(JsonLocation at) {
        return at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
