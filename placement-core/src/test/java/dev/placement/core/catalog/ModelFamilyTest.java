package dev.placement.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ModelFamilyTest {

    private static ConfigFields fields(String json) {
        try {
            return ConfigFields.ofTextModel(new ObjectMapper().readTree(json), "config.json");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void tellsEachFamilyByItsFieldNamesWhenModelTypeIsMissing() {
        assertThat(ModelFamily.guess(fields("{\"n_layers\": 32, \"d_model\": 4096}"))).isEqualTo(ModelFamily.MPT);
        assertThat(ModelFamily.guess(fields("{\"n_layer\": 24, \"n_embd\": 1024}"))).isEqualTo(ModelFamily.GPT2);
        assertThat(ModelFamily.guess(fields("{\"n_layer\": 32, \"hidden_size\": 4544}")))
                .isEqualTo(ModelFamily.FALCON);
        assertThat(ModelFamily.guess(fields("{\"num_hidden_layers\": 12, \"ffn_dim\": 3072}")))
                .isEqualTo(ModelFamily.OPT);
        assertThat(ModelFamily.guess(fields("{\"num_hidden_layers\": 32, \"intermediate_size\": 11008}")))
                .isEqualTo(ModelFamily.LLAMA);
        assertThat(ModelFamily.guess(fields("{\"num_hidden_layers\": 32}"))).isNull();
    }

    @Test
    void looksModelTypesUpInAnyCase() {
        assertThat(ModelFamily.ofModelType("RefinedWebModel")).isEqualTo(ModelFamily.FALCON);
        assertThat(ModelFamily.ofModelType("Qwen3")).isEqualTo(ModelFamily.LLAMA);
        assertThat(ModelFamily.ofModelType("mamba")).isNull();
        assertThat(ModelFamily.supportedModelTypes()).isSorted().contains("gpt_bigcode", "olmo2");
    }

    @Test
    void untiesEmbeddingsByDefaultOnlyWhereTheTransformersConfigClassDoes() {
        assertThat(ModelFamily.untiedByDefault("LLaMA")).isTrue();
        assertThat(ModelFamily.untiedByDefault("gpt_neox")).isTrue();
        // GemmaConfig, GPT2Config and OPTConfig tie by default
        assertThat(ModelFamily.untiedByDefault("gemma")).isFalse();
        assertThat(ModelFamily.untiedByDefault("gpt2")).isFalse();
        assertThat(ModelFamily.untiedByDefault("opt")).isFalse();
    }

    @Test
    void readsGptBigCodeAsMultiQueryUnlessItSaysOtherwise() {
        ConfigFields starcoder = fields("{\"n_head\": 48}");
        assertThat(ModelFamily.GPT2.kvHeads(starcoder, "gpt_bigcode", 48)).isEqualTo(1);
        assertThat(ModelFamily.GPT2.kvHeads(starcoder, "gpt2", 48)).isEqualTo(48);
        ConfigFields multiHead = fields("{\"n_head\": 48, \"multi_query\": false}");
        assertThat(ModelFamily.GPT2.kvHeads(multiHead, "gpt_bigcode", 48)).isEqualTo(48);
    }

    @Test
    void readsMptKeyValueHeadsFromItsAttentionConfig() {
        ConfigFields mpt = fields("{\"n_heads\": 32, \"attn_config\": {\"kv_n_heads\": 8}, \"n_head_kv\": 4}");
        assertThat(ModelFamily.MPT.kvHeads(mpt, "mpt", 32)).isEqualTo(8);
        assertThat(ModelFamily.FALCON.kvHeads(mpt, "falcon", 32)).isEqualTo(4);
    }
}
