package dev.placement.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.ModelSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Configs that leave fields to their transformers config class's defaults (config-defaults.json, read from
 * transformers' sources): Gemma 3 as Google publishes it, whose text_config names only what differs.
 */
class SparseConfigsTest {

    /** google/gemma-3-4b-it's config.json, its vision_config left out (the text model is what is placed). */
    private static final String GEMMA3_4B = "{\"architectures\": [\"Gemma3ForConditionalGeneration\"], "
            + "\"boi_token_index\": 255999, \"eoi_token_index\": 256000, \"eos_token_id\": [1, 106], "
            + "\"image_token_index\": 262144, \"initializer_range\": 0.02, \"mm_tokens_per_image\": 256, "
            + "\"model_type\": \"gemma3\", \"text_config\": {\"hidden_size\": 2560, \"intermediate_size\": 10240, "
            + "\"model_type\": \"gemma3_text\", \"num_hidden_layers\": 34, \"rope_scaling\": {\"factor\": 8.0, "
            + "\"rope_type\": \"linear\"}, \"sliding_window\": 1024}, \"torch_dtype\": \"bfloat16\", "
            + "\"transformers_version\": \"4.50.0.dev0\"}";

    @Test
    void gemma3TakesHeadsVocabularyAndContextFromGemma3TextConfigsDefaults() {
        ModelSpec m = ModelConfigs.fromConfigJson("google/gemma-3-4b-it", new ByteArrayInputStream(
                GEMMA3_4B.getBytes(StandardCharsets.UTF_8)), "config.json");

        assertThat(m.layers()).isEqualTo(34);
        assertThat(m.hiddenSize()).isEqualTo(2560);
        assertThat(m.attentionHeads()).isEqualTo(8);
        assertThat(m.kvHeads()).isEqualTo(4);
        assertThat(m.headDim()).isEqualTo(256);
        assertThat(m.vocabSize()).isEqualTo(262208);
        assertThat(m.contextLength()).isEqualTo(131072);
        // Google's model card: 4 B with the 0.4 B SigLIP vision tower; the text model alone is 3.88 B.
        assertThat(m.totalParameters() / 1e9).isCloseTo(3.88, within(0.0388));
    }
}
