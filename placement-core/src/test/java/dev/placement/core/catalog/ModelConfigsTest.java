package dev.placement.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelConfigsTest {

    private static ModelSpec parse(String json) {
        return ModelConfigs.fromConfigJson("test/model", stream(json), "config.json");
    }

    private static ByteArrayInputStream stream(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    private static InvalidInputException failure(ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(InvalidInputException.class);
        return (InvalidInputException) t;
    }

    private static final String LLAMA = """
            {"model_type": "llama", "num_hidden_layers": 4, "hidden_size": 512, "intermediate_size": 1376,
             "num_attention_heads": 8, "num_key_value_heads": 2, "vocab_size": 1000,
             "max_position_embeddings": 4096, "torch_dtype": "bfloat16", "tie_word_embeddings": false}
            """;

    @Test
    void readsALlamaStyleConfig() {
        ModelSpec m = parse(LLAMA);
        assertThat(m.name()).isEqualTo("test/model");
        assertThat(m.architecture()).isEqualTo("llama");
        assertThat(m.layers()).isEqualTo(4);
        assertThat(m.hiddenSize()).isEqualTo(512);
        assertThat(m.ffnSize()).isEqualTo(1376);
        assertThat(m.attentionHeads()).isEqualTo(8);
        assertThat(m.kvHeads()).isEqualTo(2);
        assertThat(m.headDim()).isEqualTo(64);
        assertThat(m.vocabSize()).isEqualTo(1000);
        assertThat(m.contextLength()).isEqualTo(4096);
        assertThat(m.dtypeBytes()).isEqualTo(2);
        assertThat(m.tiedEmbeddings()).isFalse();
        assertThat(m.gatedMlp()).isTrue();
    }

    @Test
    void explicitHeadDimWinsOverHiddenOverHeads() {
        // Falcon3 and Gemma set head_dim wider than hidden / heads
        ModelSpec m = parse("""
                {"model_type": "gemma", "num_hidden_layers": 2, "hidden_size": 3072, "intermediate_size": 24576,
                 "num_attention_heads": 16, "num_key_value_heads": 16, "head_dim": 256, "vocab_size": 256000,
                 "max_position_embeddings": 8192}
                """);
        assertThat(m.headDim()).isEqualTo(256);
        assertThat(m.tiedEmbeddings()).as("GemmaConfig ties by default").isTrue();
    }

    @Test
    void nullKeyValueHeadsAndHeadDimMeanTheDefaults() {
        ModelSpec m = parse("""
                {"model_type": "mistral", "num_hidden_layers": 2, "hidden_size": 256, "intermediate_size": 512,
                 "num_attention_heads": 8, "num_key_value_heads": null, "head_dim": null, "vocab_size": 100,
                 "max_position_embeddings": 1024, "sliding_window": null}
                """);
        assertThat(m.kvHeads()).isEqualTo(8);
        assertThat(m.headDim()).isEqualTo(32);
        assertThat(m.tiedEmbeddings()).as("MistralConfig does not tie by default").isFalse();
    }

    @Test
    void hiddenSizePerHeadIsTheSecondHeadDimSource() {
        ModelSpec m = parse("""
                {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 256, "intermediate_size": 512,
                 "num_attention_heads": 8, "hidden_size_per_head": 48, "vocab_size": 100,
                 "max_position_embeddings": 1024}
                """);
        assertThat(m.headDim()).isEqualTo(48);
    }

    @Test
    void readsQwen2AndPhi3AsLlamaStyle() {
        ModelSpec qwen = parse("""
                {"model_type": "qwen2", "num_hidden_layers": 24, "hidden_size": 896, "intermediate_size": 4864,
                 "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
                 "max_position_embeddings": 32768, "tie_word_embeddings": true, "use_sliding_window": false}
                """);
        assertThat(qwen.kvHeads()).isEqualTo(2);
        assertThat(qwen.headDim()).isEqualTo(64);
        assertThat(qwen.tiedEmbeddings()).isTrue();
        ModelSpec phi = parse("""
                {"model_type": "phi3", "num_hidden_layers": 32, "hidden_size": 3072, "intermediate_size": 8192,
                 "num_attention_heads": 32, "vocab_size": 32064, "max_position_embeddings": 4096}
                """);
        assertThat(phi.gatedMlp()).isTrue();
        assertThat(phi.tiedEmbeddings()).isFalse();
        assertThat(phi.kvHeads()).isEqualTo(32);
    }

    @Test
    void readsOptIncludingTheEarlyDModelName() {
        String opt = """
                {"model_type": "opt", "num_hidden_layers": 12, "%s": 768, "ffn_dim": 3072,
                 "num_attention_heads": 12, "vocab_size": 50272, "max_position_embeddings": 2048,
                 "torch_dtype": "float16", "word_embed_proj_dim": 768, "do_layer_norm_before": true}
                """;
        for (String hiddenField : new String[] {"hidden_size", "d_model"}) {
            ModelSpec m = parse(opt.formatted(hiddenField));
            assertThat(m.hiddenSize()).as(hiddenField).isEqualTo(768);
            assertThat(m.ffnSize()).isEqualTo(3072);
            assertThat(m.kvHeads()).isEqualTo(12);
            assertThat(m.headDim()).isEqualTo(64);
            assertThat(m.gatedMlp()).isFalse();
            assertThat(m.tiedEmbeddings()).isTrue();
        }
    }

    @Test
    void readsGpt2WithNullInnerAsFourTimesTheWidth() {
        ModelSpec m = parse("""
                {"model_type": "gpt2", "n_layer": 24, "n_embd": 1024, "n_head": 16, "n_inner": null,
                 "n_positions": 1024, "n_ctx": 1024, "vocab_size": 50257}
                """);
        assertThat(m.layers()).isEqualTo(24);
        assertThat(m.hiddenSize()).isEqualTo(1024);
        assertThat(m.ffnSize()).isEqualTo(4096);
        assertThat(m.attentionHeads()).isEqualTo(16);
        assertThat(m.kvHeads()).isEqualTo(16);
        assertThat(m.contextLength()).isEqualTo(1024);
        assertThat(m.tiedEmbeddings()).isTrue();
        assertThat(m.gatedMlp()).isFalse();
    }

    @Test
    void readsAnOldGpt2ConfigThatOnlyHasNCtxAndAnExplicitInnerWidth() {
        ModelSpec m = parse("""
                {"model_type": "gpt2", "n_layer": 2, "n_embd": 128, "n_head": 4, "n_inner": 300, "n_ctx": 512,
                 "vocab_size": 100}
                """);
        assertThat(m.ffnSize()).isEqualTo(300);
        assertThat(m.contextLength()).isEqualTo(512);
    }

    @Test
    void readsNewFalconWithGroupedKvHeads() {
        ModelSpec m = parse("""
                {"model_type": "falcon", "num_hidden_layers": 60, "hidden_size": 8192, "num_attention_heads": 128,
                 "num_kv_heads": 8, "new_decoder_architecture": true, "multi_query": true,
                 "vocab_size": 65024, "max_position_embeddings": 2048, "ffn_hidden_size": null}
                """);
        assertThat(m.kvHeads()).as("new_decoder_architecture overrides multi_query").isEqualTo(8);
        assertThat(m.ffnSize()).isEqualTo(4 * 8192);
        assertThat(m.headDim()).isEqualTo(64);
        assertThat(m.gatedMlp()).isFalse();
    }

    @Test
    void readsFalconMultiQueryAsOneKvHead() {
        ModelSpec m = parse("""
                {"model_type": "falcon", "num_hidden_layers": 32, "hidden_size": 4544, "num_attention_heads": 71,
                 "multi_query": true, "new_decoder_architecture": false, "vocab_size": 65024,
                 "ffn_hidden_size": 18176}
                """);
        assertThat(m.kvHeads()).isEqualTo(1);
        assertThat(m.ffnSize()).isEqualTo(18176);
        assertThat(m.contextLength()).as("old Falcon configs have no context field").isEqualTo(2048);
    }

    @Test
    void readsLegacyRefinedWebConfigs() {
        ModelSpec rw7b = parse("""
                {"model_type": "RefinedWebModel", "n_layer": 32, "n_head": 71, "hidden_size": 4544,
                 "multi_query": true, "vocab_size": 65024, "torch_dtype": "bfloat16"}
                """);
        assertThat(rw7b.architecture()).isEqualTo("RefinedWebModel");
        assertThat(rw7b.layers()).isEqualTo(32);
        assertThat(rw7b.attentionHeads()).isEqualTo(71);
        assertThat(rw7b.kvHeads()).isEqualTo(1);
        assertThat(rw7b.headDim()).isEqualTo(64);
        assertThat(rw7b.ffnSize()).isEqualTo(4 * 4544);
        assertThat(rw7b.contextLength()).isEqualTo(2048);
        ModelSpec rw40b = parse("""
                {"model_type": "RefinedWeb", "n_layer": 60, "n_head": 128, "n_head_kv": 8, "hidden_size": 8192,
                 "vocab_size": 65024}
                """);
        assertThat(rw40b.kvHeads()).isEqualTo(8);
    }

    @Test
    void readsMptWithItsOwnFieldNames() {
        ModelSpec m = parse("""
                {"model_type": "mpt", "n_layers": 32, "d_model": 4096, "n_heads": 32, "expansion_ratio": 4,
                 "max_seq_len": 8192, "vocab_size": 50432,
                 "attn_config": {"attn_type": "grouped_query_attention", "kv_n_heads": 8}}
                """);
        assertThat(m.layers()).isEqualTo(32);
        assertThat(m.hiddenSize()).isEqualTo(4096);
        assertThat(m.ffnSize()).isEqualTo(16384);
        assertThat(m.kvHeads()).isEqualTo(8);
        assertThat(m.contextLength()).isEqualTo(8192);
        assertThat(m.gatedMlp()).isFalse();
        ModelSpec mha = parse("""
                {"model_type": "mpt", "n_layers": 2, "d_model": 256, "n_heads": 8, "vocab_size": 100,
                 "attn_config": {"attn_type": "multihead_attention"}}
                """);
        assertThat(mha.kvHeads()).isEqualTo(8);
        assertThat(mha.contextLength()).isEqualTo(2048);
    }

    @Test
    void readsTheTextModelOfAMultimodalWrapperFirst() {
        for (String key : new String[] {"text_config", "llm_config", "language_config"}) {
            ModelSpec m = parse("""
                    {"model_type": "some_vlm", "torch_dtype": "float8_e4m3fn", "tie_word_embeddings": true,
                     "vision_config": {"hidden_size": 1152, "num_hidden_layers": 27},
                     "%s": {"model_type": "gemma3_text", "num_hidden_layers": 34, "hidden_size": 2560,
                                     "intermediate_size": 10240, "num_attention_heads": 8,
                                     "num_key_value_heads": 4, "head_dim": 256, "vocab_size": 262208,
                                     "max_position_embeddings": 131072}}
                    """.formatted(key));
            assertThat(m.architecture()).as(key).isEqualTo("gemma3_text");
            assertThat(m.layers()).isEqualTo(34);
            assertThat(m.kvHeads()).isEqualTo(4);
            assertThat(m.headDim()).isEqualTo(256);
            assertThat(m.dtypeBytes()).as("dtype from the wrapper").isEqualTo(1);
            assertThat(m.tiedEmbeddings()).isTrue();
        }
    }

    @Test
    void aFieldMissingFromTheTextConfigIsNamedWithItsNestedPath() {
        InvalidInputException e = failure(() -> parse("""
                {"text_config": {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64,
                                 "num_attention_heads": 4, "vocab_size": 10, "max_position_embeddings": 8}}
                """));
        assertThat(e.field()).isEqualTo("text_config.intermediate_size");
        assertThat(e.source()).isEqualTo("config.json");
    }

    @ParameterizedTest
    @CsvSource({
            "dtype, bfloat16, 2",
            "dtype, float16, 2",
            "torch_dtype, bfloat16, 2",
            "torch_dtype, float16, 2",
            // vLLM's --dtype auto serves a float32 checkpoint in 16 bits
            "torch_dtype, float32, 2",
            "dtype, float32, 2",
            "dtype, float8_e4m3fn, 1",
            "torch_dtype, float8_e5m2, 1"})
    void readsDtypeFromEitherField(String field, String value, int bytes) {
        String json = LLAMA.replace("\"torch_dtype\": \"bfloat16\"", "\"" + field + "\": \"" + value + "\"");
        assertThat(parse(json).dtypeBytes()).isEqualTo(bytes);
    }

    @Test
    void dtypeWinsOverTorchDtypeWhenBothArePresent() {
        String json = LLAMA.replace("\"torch_dtype\": \"bfloat16\"",
                "\"dtype\": \"float8_e4m3fn\", \"torch_dtype\": \"bfloat16\"");
        assertThat(parse(json).dtypeBytes()).isEqualTo(1);
    }

    @Test
    void missingDtypeDefaultsToTwoBytes() {
        assertThat(parse(LLAMA.replace("\"torch_dtype\": \"bfloat16\",", "")).dtypeBytes())
                .isEqualTo(HfConfigParser.DEFAULT_DTYPE_BYTES).isEqualTo(2);
    }

    @Test
    void unknownDtypeIsRejectedNamingTheField() {
        InvalidInputException e = failure(() -> parse(LLAMA.replace("bfloat16", "int3")));
        assertThat(e.field()).isEqualTo("torch_dtype");
        assertThat(e).hasMessageContaining("unknown dtype 'int3'");
    }

    @Test
    void missingRequiredFieldIsNamedInTheMessage() {
        InvalidInputException e = failure(() -> parse(LLAMA.replace("\"num_hidden_layers\": 4,", "")));
        assertThat(e.source()).isEqualTo("config.json");
        assertThat(e.field()).isEqualTo("num_hidden_layers");
        assertThat(e).hasMessageStartingWith("config.json: num_hidden_layers: missing");
    }

    @Test
    void missingFieldOfAnotherFamilyNamesItsOwnFieldAndItsAliases() {
        InvalidInputException e = failure(() -> parse("""
                {"model_type": "gpt2", "n_embd": 64, "n_head": 4, "vocab_size": 10}
                """));
        assertThat(e.field()).isEqualTo("n_layer");
        assertThat(e).hasMessageContaining("num_hidden_layers");
    }

    @Test
    void wrongValueIsRejectedNamingFieldAndValue() {
        InvalidInputException e = failure(() -> parse(LLAMA.replace("\"hidden_size\": 512", "\"hidden_size\": -5")));
        assertThat(e.field()).isEqualTo("hidden_size");
        assertThat(e).hasMessageContaining("-5");
        InvalidInputException text = failure(() -> parse(LLAMA.replace("\"hidden_size\": 512",
                "\"hidden_size\": \"big\"")));
        assertThat(text).hasMessageContaining("\"big\"");
    }

    @Test
    void moreKvHeadsThanQueryHeadsIsRejected() {
        InvalidInputException e = failure(() -> parse(LLAMA.replace("\"num_key_value_heads\": 2",
                "\"num_key_value_heads\": 16")));
        assertThat(e.field()).isEqualTo("num_key_value_heads");
        assertThat(e).hasMessageContaining("16 key/value heads do not divide 8 attention heads");
    }

    @Test
    void unsupportedModelTypeIsRejectedListingTheSupportedOnes() {
        InvalidInputException e = failure(() -> parse(LLAMA.replace("\"llama\"", "\"mamba\"")));
        assertThat(e.field()).isEqualTo("model_type");
        assertThat(e).hasMessageContaining("unsupported model_type 'mamba'").hasMessageContaining("qwen2");
    }

    @Test
    void configWithoutModelTypeIsRecognisedByItsFieldNames() {
        assertThat(parse(LLAMA.replace("\"model_type\": \"llama\",", "")).gatedMlp()).isTrue();
        assertThat(parse("{\"n_layer\": 2, \"n_embd\": 64, \"n_head\": 4, \"vocab_size\": 10}").architecture())
                .isEqualTo("gpt2");
        InvalidInputException e = failure(() -> parse("{\"layers\": 3}"));
        assertThat(e.field()).isEqualTo("model_type");
    }

    @Test
    void malformedJsonGivesOneCleanLineWithPosition() {
        InvalidInputException e = failure(() -> parse("{\n  \"model_type\": \"llama\",\n  \"hidden_size\": ,\n}"));
        assertThat(e.getMessage())
                .startsWith("config.json: is not valid JSON: line 3, column ")
                .doesNotContain("\n")
                .doesNotContain("com.fasterxml")
                .doesNotContain("Source:");
    }

    @Test
    void nonObjectAndEmptyInputAreRejected() {
        assertThat(failure(() -> parse("[1, 2]"))).hasMessageContaining("expected a JSON object");
        assertThat(failure(() -> parse(""))).hasMessageContaining("is empty");
    }

    @Test
    void nameComesFromTheCallerThenNameOrPathThenTheSource() {
        String withPath = LLAMA.replace("{", "{\"_name_or_path\": \"org/from-config\",");
        assertThat(ModelConfigs.fromConfigJson("org/given", stream(withPath), "x.json").name())
                .isEqualTo("org/given");
        assertThat(ModelConfigs.fromConfigJson(null, stream(withPath), "x.json").name())
                .isEqualTo("org/from-config");
        String localPath = LLAMA.replace("{", "{\"_name_or_path\": \"./\",");
        assertThat(ModelConfigs.fromConfigJson(" ", stream(localPath), "x.json").name()).isEqualTo("x.json");
    }

    @Test
    void readsAFileAndNamesItsErrorsByFileName(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("tiny.json"), LLAMA);
        assertThat(ModelConfigs.fromConfigJson(file).name()).isEqualTo("tiny.json");
        Path bad = Files.writeString(dir.resolve("bad.json"), LLAMA.replace("\"vocab_size\": 1000,", ""));
        InvalidInputException e = failure(() -> ModelConfigs.fromConfigJson(bad));
        assertThat(e.source()).isEqualTo("bad.json");
        assertThat(e.field()).isEqualTo("vocab_size");
        assertThat(failure(() -> ModelConfigs.fromConfigJson(dir.resolve("absent.json"))))
                .hasMessageContaining("file not found");
    }
}
