package dev.placement.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The MoE, MLA and quantization fields of config.json, with sizes worked out by hand from the shapes. */
class ExpertAndQuantizedConfigsTest {

    private static ModelSpec parse(String json) {
        return ModelConfigs.fromConfigJson("test/model", new ByteArrayInputStream(json.getBytes(
                StandardCharsets.UTF_8)), "config.json");
    }

    /** Mixtral-8x7B's published shape: 46.7 B parameters, 12.9 B active. */
    private static final String MIXTRAL = "{\"model_type\": \"mixtral\", \"hidden_size\": 4096, \"intermediate_size\": "
            + "14336, \"num_hidden_layers\": 32, \"num_attention_heads\": 32, \"num_key_value_heads\": 8, "
            + "\"vocab_size\": 32000, \"max_position_embeddings\": 32768, \"num_local_experts\": 8, "
            + "\"num_experts_per_tok\": 2, \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\"}";

    @Test
    void mixtralHoldsEveryExpertButATokenRunsThroughTwo() {
        ModelSpec m = parse(MIXTRAL);

        long attention = 4096L * 4096 * 2 + 2L * 4096 * 1024;
        long expert = 3L * 4096 * 14336;
        assertThat(m.attentionParameters()).isEqualTo(attention);
        assertThat(m.parametersPerLayer()).isEqualTo(attention + 4096L * 8 + 8 * expert);
        assertThat(m.activeParametersPerLayer()).isEqualTo(attention + 4096L * 8 + 2 * expert);
        assertThat(m.totalParameters() / 1e9).isCloseTo(46.70, within(0.01));
        assertThat(m.activeParameters() / 1e9).isCloseTo(12.88, within(0.01));
        assertThat(m.bytesPerLayer()).isEqualTo(2 * m.parametersPerLayer());
        // One sequence reads two experts; a wide batch reads (nearly) all eight.
        assertThat(m.decodeBytesPerLayer(1)).isEqualTo(2.0 * (attention + 4096L * 8 + 2 * expert));
        assertThat(m.decodeBytesPerLayer(64)).isCloseTo(m.bytesPerLayer(), within(1e3));
        assertThat(m.experts().distinctActive(4)).isCloseTo(8 * (1 - Math.pow(0.75, 4)), within(1e-9));
    }

    @Test
    void qwenMoeCountsItsSharedExpertAndDeepSeekItsDenseFirstLayersAndLatentCache() {
        ModelSpec qwen = parse("{\"model_type\": \"qwen2_moe\", \"hidden_size\": 2048, \"intermediate_size\": 5632, "
                + "\"num_hidden_layers\": 24, \"num_attention_heads\": 16, \"num_key_value_heads\": 16, "
                + "\"vocab_size\": 151936, \"max_position_embeddings\": 8192, \"num_experts\": 60, "
                + "\"num_experts_per_tok\": 4, \"moe_intermediate_size\": 1408, "
                + "\"shared_expert_intermediate_size\": 5632, \"decoder_sparse_step\": 1, \"mlp_only_layers\": []}");
        assertThat(qwen.experts().sharedFfnSize()).isEqualTo(5632);
        assertThat(qwen.parametersPerLayer()).isEqualTo(qwen.attentionParameters() + 2048L * 60
                + 60 * 3L * 2048 * 1408 + 3L * 2048 * 5632);

        ModelSpec lite = parse("{\"model_type\": \"deepseek_v2\", \"hidden_size\": 2048, \"intermediate_size\": "
                + "10944, \"num_hidden_layers\": 27, \"num_attention_heads\": 16, \"num_key_value_heads\": 16, "
                + "\"vocab_size\": 102400, \"max_position_embeddings\": 163840, \"n_routed_experts\": 64, "
                + "\"n_shared_experts\": 2, \"num_experts_per_tok\": 6, \"moe_intermediate_size\": 1408, "
                + "\"first_k_dense_replace\": 1, \"moe_layer_freq\": 1, \"kv_lora_rank\": 512, \"q_lora_rank\": null, "
                + "\"qk_nope_head_dim\": 128, \"qk_rope_head_dim\": 64, \"v_head_dim\": 128, "
                + "\"tie_word_embeddings\": false}");
        assertThat(lite.firstDenseLayers()).isEqualTo(1);
        assertThat(lite.moeLayers()).isEqualTo(26);
        // q 2048·16·192, kv down 2048·(512+64), kv up 512·16·(128+128), o 16·128·2048
        long attention = 2048L * 16 * 192 + 2048L * 576 + 512L * 16 * 256 + 16L * 128 * 2048;
        assertThat(lite.attentionParameters()).isEqualTo(attention);
        assertThat(lite.denseLayerParameters()).isEqualTo(attention + 3L * 2048 * 10944);
        assertThat(lite.kvCacheBytesPerTokenPerLayer()).isEqualTo((512 + 64) * 2);
        assertThat(lite.totalParameters() / 1e9).isCloseTo(15.7, within(0.1)); // published: 15.7 B
        // DeepSeek publishes 2.4 B activated; this count includes the embedding table and the LM head (0.42 B)
        assertThat(lite.activeParameters()).isEqualTo(26L * (attention + 2048L * 64 + 8 * 3L * 2048 * 1408)
                + lite.denseLayerParameters() + 2L * 102400 * 2048);
    }

    @Test
    void awqAndGptqStoreAScaleAndAZeroPointPerGroupAndFp8OneByteWhileEmbeddingsStayAtTheDtype() {
        String dense = "\"model_type\": \"qwen2\", \"hidden_size\": 3584, \"intermediate_size\": 18944, "
                + "\"num_hidden_layers\": 28, \"num_attention_heads\": 28, \"num_key_value_heads\": 4, "
                + "\"vocab_size\": 152064, \"max_position_embeddings\": 32768, \"torch_dtype\": \"float16\", ";
        ModelSpec awq = parse("{" + dense + "\"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4, "
                + "\"group_size\": 128, \"zero_point\": true, \"version\": \"gemm\"}}");
        assertThat(awq.quantization().method()).isEqualTo("awq");
        assertThat(awq.quantization().bitsPerWeight()).isEqualTo(4 + 20.0 / 128);
        assertThat(awq.bytesPerLayer()).isEqualTo(Math.round(awq.parametersPerLayer() * (4 + 20.0 / 128) / 8));
        assertThat(awq.embeddingBytes()).isEqualTo(152064L * 3584 * 2);

        ModelSpec gptq = parse("{" + dense + "\"quantization_config\": {\"quant_method\": \"gptq\", \"bits\": 4, "
                + "\"group_size\": 128, \"sym\": true, \"desc_act\": false}}");
        assertThat(gptq.quantization().bitsPerWeight()).isEqualTo(4 + 16.0 / 128);

        ModelSpec fp8 = parse("{" + dense + "\"quantization_config\": {\"quant_method\": \"fp8\", "
                + "\"activation_scheme\": \"dynamic\", \"weight_block_size\": [128, 128]}}");
        assertThat(fp8.bytesPerWeight()).isEqualTo((8 + 32.0 / (128 * 128)) / 8);
        assertThat(fp8.kvCacheBytesPerTokenPerLayer()).isEqualTo(2L * 4 * 128 * 2);
    }

    @Test
    void optsProjectedEmbeddingIsCountedAtItsOwnWidth() {
        ModelSpec opt = parse("{\"model_type\": \"opt\", \"hidden_size\": 1024, \"ffn_dim\": 4096, "
                + "\"num_hidden_layers\": 24, \"num_attention_heads\": 16, \"vocab_size\": 50272, "
                + "\"max_position_embeddings\": 2048, \"word_embed_proj_dim\": 512, \"torch_dtype\": \"float16\"}");
        assertThat(opt.embeddingSize()).isEqualTo(512);
        assertThat(opt.embeddingBytes()).isEqualTo((50272L * 512 + 512L * 1024) * 2);
        assertThat(opt.totalParameters()).isEqualTo(24 * opt.parametersPerLayer() + 50272L * 512 + 2L * 512 * 1024);
    }

    @Test
    void anUnknownQuantizationMethodOrNonLeadingDenseLayersAreRefusedNamingTheField() {
        assertThatThrownBy(() -> parse(MIXTRAL.replace("}", ", \"quantization_config\": {\"quant_method\": "
                + "\"hqq\"}}"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("quantization_config.quant_method").hasMessageContaining("'hqq'");
        assertThatThrownBy(() -> parse("{\"model_type\": \"qwen3_moe\", \"hidden_size\": 64, \"intermediate_size\": "
                + "128, \"num_hidden_layers\": 4, \"num_attention_heads\": 4, \"vocab_size\": 100, "
                + "\"max_position_embeddings\": 64, \"num_experts\": 8, \"num_experts_per_tok\": 2, "
                + "\"moe_intermediate_size\": 32, \"mlp_only_layers\": [1]}"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("mlp_only_layers");
    }
}
