package dev.placement.core.catalog;

import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.core.input.BoundedText;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads a model's shape from a Hugging Face {@code config.json}. Stateless and thread-safe.
 *
 * <p>Understands the field names of every common decoder family: Llama-style ({@code llama}, {@code mistral},
 * {@code qwen2}, {@code qwen3}, {@code gemma}, {@code gemma2}, {@code gemma3_text}, {@code phi3}, Falcon3,
 * which is {@code llama}), OPT (also the early {@code d_model}), GPT-2 / GPT-J / StarCoder ({@code n_layer},
 * {@code n_embd}, {@code n_head}, {@code n_inner} null meaning 4× the width, {@code n_positions} or
 * {@code n_ctx}), GPT-NeoX, Falcon (new: {@code num_kv_heads}, {@code new_decoder_architecture},
 * {@code ffn_hidden_size}; legacy RefinedWeb: {@code n_layer}, {@code n_head}, {@code n_head_kv},
 * {@code multi_query} meaning one KV head, context 2048) and MPT ({@code n_layers}, {@code d_model},
 * {@code n_heads}, {@code attn_config.kv_n_heads}, {@code expansion_ratio}, {@code max_seq_len}).
 * A multimodal wrapper's {@code text_config} (or {@code llm_config}, {@code language_config}) is read first.
 *
 * <p>Rules, mirroring vLLM and transformers:
 * <ul>
 *   <li>KV heads: 1 for a Falcon config with {@code multi_query} and without {@code new_decoder_architecture};
 *       {@code attn_config.kv_n_heads} for MPT; else the first of {@code n_head_kv}, {@code num_kv_heads},
 *       {@code num_key_value_heads}, {@code multi_query_group_num}; else the number of attention heads.</li>
 *   <li>Head width: {@code head_dim}, else {@code hidden_size_per_head}, else hidden size / heads.</li>
 *   <li>Bytes per weight from {@code dtype} (transformers ≥ 4.56) or {@code torch_dtype}: bfloat16/float16 → 2,
 *       float32 → 4, float8 types → 1. A config without either is taken as 2 bytes (fp16/bf16). This is the
 *       checkpoint's dtype; vLLM's {@code --dtype auto} would serve a float32 checkpoint in 16 bits.</li>
 *   <li>Tied embeddings from {@code tie_word_embeddings}, else the default of the family's transformers config
 *       class (false for Llama, Mistral, Qwen2/3, Phi-3, GPT-NeoX; true otherwise, as in
 *       {@code PretrainedConfig}).</li>
 *   <li>The MLP is gated (three matrices) for the Llama-style family only.</li>
 * </ul>
 * A JSON {@code null} counts as absent. OPT-350m's 512-wide embedding with its projections is not modelled:
 * its embedding is counted at the hidden width, which overstates it by about 25 MB.
 */
public final class ModelConfigs {

    private ModelConfigs() {
    }

    /** The largest config.json read: real ones are a few KB, a multimodal one with its processor a few tens. */
    static final int MAX_CONFIG_BYTES = 1 << 20;

    /**
     * Reads a config.json file. The model's name is {@code _name_or_path} when it holds a Hugging Face id,
     * else the name of the directory that holds a file called {@code config.json}, else the file's name.
     *
     * @param configJson the file; not null
     * @return the model
     * @throws InvalidInputException naming the file (by its file name), the JSON field and the value when
     *                               the file is missing, is not JSON, names an unsupported {@code model_type}
     *                               or lacks or mangles a field the family needs
     */
    public static ModelSpec fromConfigJson(Path configJson) {
        // Read bounded, as every input file is: a device, FIFO or huge file is refused, not read.
        Path fileName = configJson.getFileName();
        String source = fileName == null ? configJson.toString() : fileName.toString();
        Path parent = configJson.toAbsolutePath().getParent();
        String fallback = source.equals("config.json") && parent != null && parent.getFileName() != null
                ? parent.getFileName().toString() : source;
        String text = BoundedText.read(configJson, MAX_CONFIG_BYTES, "a config.json is a few KB", "a JSON object");
        return HfConfigParser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), null, fallback,
                source);
    }

    /**
     * Reads config.json content from a stream, for configs bundled as resources or fetched by the caller.
     *
     * @param name       the model id to record, for example {@code "meta-llama/Llama-3.1-8B"}; {@code null}
     *                   or blank to take {@code _name_or_path}, else {@code sourceName}
     * @param in         the JSON; read fully and not closed
     * @param sourceName the file name to put in messages, for example {@code "config.json"}; not null
     * @return the model
     * @throws InvalidInputException naming {@code sourceName}, the JSON field and the value of the first problem
     */
    public static ModelSpec fromConfigJson(String name, InputStream in, String sourceName) {
        return HfConfigParser.parse(in, name, sourceName, sourceName);
    }
}
