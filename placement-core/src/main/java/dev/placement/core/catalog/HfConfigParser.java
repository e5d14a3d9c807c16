package dev.placement.core.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LatentAttention;
import dev.placement.api.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelSpec}. Stateless and thread-safe.
 *
 * <p>Field names differ by family; the mapping ({@link ModelFamily}) and the rules for key/value heads and head
 * width follow vLLM ({@code ModelConfig.get_total_num_kv_heads}, {@code get_head_size}), reading the text model's
 * config first ({@code text_config}, {@code llm_config} or {@code language_config}) and the top level for what the
 * nested config does not say ({@link ConfigFields}).
 */
final class HfConfigParser {

    /** Bytes per weight assumed when a config names no dtype: fp16/bf16, what vLLM serves by default. */
    static final int DEFAULT_DTYPE_BYTES = 2;

    private static final ObjectMapper JSON = JsonMapper.builder()
            // some published configs carry Infinity/NaN in fields we do not read
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** The longest model id taken from a config: Hugging Face ids are at most 96 characters. */
    private static final int MAX_NAME_CHARS = 200;

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
        } catch (StreamConstraintsException e) {
            throw new InvalidInputException(source, null, "is nested too deeply or too large to be a config.json", e);
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

    /** Parses a config already read as a JSON object; the parameters are those of the stream form. */
    static ModelSpec parse(JsonNode root, String name, String fallbackName, String source) {
        ConfigFields f = ConfigFields.ofTextModel(root, source);
        String modelType = f.text("model_type");
        ModelFamily family = modelType == null ? ModelFamily.guess(f) : ModelFamily.ofModelType(modelType);
        if (family == null) {
            throw new InvalidInputException(source, f.path("model_type"), "unsupported model_type '" + modelType
                    + "'; supported: " + String.join(", ", ModelFamily.supportedModelTypes()));
        }
        String architecture = modelType != null ? modelType : family.name().toLowerCase(Locale.ROOT);
        if (modelType != null) {
            f = f.withDefaults(ConfigDefaults.of(modelType));
        }
        ModelFamily.Shape s = family.shape(f);
        int kvHeads = family.kvHeads(f, architecture, s.heads());
        LatentAttention mla = ExpertFields.latentAttention(f);
        int headDim = mla.present() ? mla.qkNopeHeadDim() + mla.qkRopeHeadDim() : headDim(f, s.hidden(), s.heads());
        int dtypeBytes = dtypeBytes(f);
        boolean tied = f.bool("tie_word_embeddings", !ModelFamily.untiedByDefault(architecture));
        String id = firstUsableName(name, root.path("_name_or_path").asText(null), fallbackName);
        int embedding = family == ModelFamily.OPT ? f.optionalPositive(s.hidden(), "word_embed_proj_dim") : s.hidden();
        try {
            return new ModelSpec(id, architecture, s.layers(), s.hidden(),
                    ExpertFields.denseFfnSize(f, architecture, s.ffn()), s.heads(), kvHeads, headDim, s.vocab(),
                    s.context(), dtypeBytes, tied, family == ModelFamily.LLAMA, ExpertFields.experts(f, architecture),
                    mla, QuantizationFields.of(f), dtypeBytes, embedding);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source, null, e.getMessage(), e);
        }
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
            return 2; // vLLM's --dtype auto serves a float32 checkpoint in 16 bits (Precision.apply for float32)
        }
        if (v.startsWith("float8") || v.equals("fp8")) {
            return 1;
        }
        if (v.equals("float64") || v.equals("double")) {
            return 2; // likewise
        }
        throw new InvalidInputException(f.source(), f.path(field), "unknown dtype '" + value
                + "'; expected bfloat16, float16, float32 or a float8 type");
    }

    private static String firstUsableName(String... candidates) {
        for (String c : candidates) {
            // "./" and absolute paths are what save_pretrained writes for local checkpoints: not an id
            // a name with control characters (a terminal escape sequence, a newline) is not an id either
            if (c != null && !c.isBlank() && !c.startsWith(".") && !c.startsWith("/")
                    && c.chars().noneMatch(Character::isISOControl) && c.length() <= MAX_NAME_CHARS) {
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
