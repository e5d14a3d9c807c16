package dev.placement.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

    private final ModelCatalog catalog = ModelCatalog.builtIn();

    @Test
    void loadsEveryBundledConfigUnderItsId() {
        assertThat(catalog.ids()).contains("tiiuae/Falcon3-10B-Base", "facebook/opt-125m", "facebook/opt-350m",
                "facebook/opt-1.3b", "facebook/opt-6.7b", "meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf",
                "meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-7B", "Qwen/Qwen3-8B", "Qwen/Qwen3-30B-A3B",
                "mistralai/Mistral-7B-v0.3", "meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-3B",
                "google/gemma-3-4b-it", "microsoft/Phi-4-mini-instruct", "mistralai/Mistral-Small-24B-Base-2501",
                "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B");
        assertThat(catalog.ids()).hasSize(18);
        for (String id : catalog.ids()) {
            ModelSpec m = catalog.get(id, "test", "model");
            assertThat(m.name()).isEqualTo(id);
            assertThat(m.totalParameters()).as(id).isPositive();
            assertThat(m.attentionHeads() % m.kvHeads()).as(id + " query heads per KV head").isZero();
        }
    }

    @Test
    void aShortNameFindsTheOneModelWithItButAnOrganisationMustMatchWhenGiven() {
        ModelCatalog c = ModelCatalog.builtIn();

        assertThat(c.find("Falcon3-10B-Base")).map(ModelSpec::name).contains("tiiuae/Falcon3-10B-Base");
        assertThat(c.find(" qwen3-8b ")).map(ModelSpec::name).contains("Qwen/Qwen3-8B");
        assertThat(c.find("other/Falcon3-10B-Base")).isEmpty();
        assertThat(c.find("Falcon3")).isEmpty();
        // Every built-in short name is unique, so each finds its model.
        for (String id : c.ids()) {
            assertThat(c.find(ModelCatalog.shortName(id))).map(ModelSpec::name).contains(id);
        }
    }

    @Test
    void falcon3DerivedSizesMatchTheReference() {
        ModelSpec m = catalog.get("tiiuae/Falcon3-10B-Base", "test", "model");
        assertThat(m.architecture()).isEqualTo("llama");
        assertThat(m.layers()).isEqualTo(40);
        assertThat(m.hiddenSize()).isEqualTo(3072);
        assertThat(m.ffnSize()).isEqualTo(23040);
        assertThat(m.attentionHeads()).isEqualTo(12);
        assertThat(m.kvHeads()).isEqualTo(4);
        assertThat(m.headDim()).isEqualTo(256);
        assertThat(m.vocabSize()).isEqualTo(131072);
        assertThat(m.contextLength()).isEqualTo(32768);
        assertThat(m.dtypeBytes()).isEqualTo(2);
        assertThat(m.tiedEmbeddings()).isFalse();
        assertThat(m.gatedMlp()).isTrue();
        // reference §4.1: 237.5 M parameters (475 MB) per layer, 4 KiB KV per token per layer, 10.3 B total
        assertThat((double) m.parametersPerLayer()).isCloseTo(237.5e6, within(237.5e6 * 0.001));
        assertThat((double) m.bytesPerLayer()).isCloseTo(475e6, within(475e6 * 0.001));
        assertThat(m.kvCacheBytesPerTokenPerLayer()).isEqualTo(4096);
        assertThat((double) m.totalParameters()).isCloseTo(10.3e9, within(10.3e9 * 0.01));
        assertThat((double) m.embeddingBytes()).isCloseTo(805e6, within(805e6 * 0.001));
        assertThat((double) m.totalBytes()).isCloseTo(20.6e9, within(20.6e9 * 0.01));
    }

    @Test
    void llama2SevenBillionHasItsPublishedSize() {
        ModelSpec m = catalog.get("meta-llama/Llama-2-7b-hf", "test", "model");
        assertThat(m.layers()).isEqualTo(32);
        assertThat(m.kvHeads()).isEqualTo(32);
        assertThat(m.headDim()).isEqualTo(128);
        assertThat(m.contextLength()).isEqualTo(4096);
        assertThat(m.dtypeBytes()).isEqualTo(2);
        assertThat(m.tiedEmbeddings()).isFalse();
        assertThat((double) m.totalParameters()).isCloseTo(6.74e9, within(6.74e9 * 0.005));
    }

    @Test
    void llama2ThirteenBillionHasFortyLayers() {
        ModelSpec m = catalog.get("meta-llama/Llama-2-13b-hf", "test", "model");
        assertThat(m.layers()).isEqualTo(40);
        assertThat(m.hiddenSize()).isEqualTo(5120);
        assertThat((double) m.totalParameters()).isCloseTo(13.0e9, within(13.0e9 * 0.01));
    }

    @Test
    void optModelsHaveTheReferenceShapes() {
        ModelSpec m125 = catalog.get("facebook/opt-125m", "test", "model");
        assertThat(m125.layers()).isEqualTo(12);
        assertThat(m125.hiddenSize()).isEqualTo(768);
        assertThat(m125.ffnSize()).isEqualTo(3072);
        assertThat(m125.attentionHeads()).isEqualTo(12);
        assertThat(m125.kvHeads()).isEqualTo(12);
        assertThat(m125.headDim()).isEqualTo(64);
        assertThat(m125.vocabSize()).isEqualTo(50272);
        assertThat(m125.contextLength()).isEqualTo(2048);
        assertThat(m125.tiedEmbeddings()).isTrue();
        assertThat(m125.gatedMlp()).isFalse();
        // 12 × (4·768² + 2·768·3072) + 50272·768 ≈ 123.5 M without biases, norms and positions: "125m"
        assertThat((double) m125.totalParameters()).isCloseTo(123.5e6, within(1e6));

        assertThat(catalog.get("facebook/opt-350m", "t", "m").layers()).isEqualTo(24);
        assertThat(catalog.get("facebook/opt-350m", "t", "m").hiddenSize()).isEqualTo(1024);
        assertThat(catalog.get("facebook/opt-1.3b", "t", "m").hiddenSize()).isEqualTo(2048);
        ModelSpec m67 = catalog.get("facebook/opt-6.7b", "t", "m");
        assertThat(m67.layers()).isEqualTo(32);
        assertThat((double) m67.totalParameters()).isCloseTo(6.7e9, within(6.7e9 * 0.02));
    }

    @Test
    void currentModelsUseGroupedQueryAttention() {
        ModelSpec llama31 = catalog.get("meta-llama/Llama-3.1-8B", "t", "m");
        assertThat(llama31.kvHeads()).isEqualTo(8);
        assertThat(llama31.contextLength()).isEqualTo(131072);
        assertThat((double) llama31.totalParameters()).isCloseTo(8.03e9, within(8.03e9 * 0.01));
        ModelSpec qwen25 = catalog.get("Qwen/Qwen2.5-7B", "t", "m");
        assertThat(qwen25.kvHeads()).isEqualTo(4);
        assertThat(qwen25.headDim()).isEqualTo(128);
        assertThat((double) qwen25.totalParameters()).isCloseTo(7.6e9, within(7.6e9 * 0.01));
        ModelSpec qwen3 = catalog.get("Qwen/Qwen3-8B", "t", "m");
        assertThat(qwen3.architecture()).isEqualTo("qwen3");
        assertThat(qwen3.layers()).isEqualTo(36);
        assertThat((double) qwen3.totalParameters()).isCloseTo(8.2e9, within(8.2e9 * 0.01));
        ModelSpec mistral = catalog.get("mistralai/Mistral-7B-v0.3", "t", "m");
        assertThat(mistral.vocabSize()).isEqualTo(32768);
        assertThat((double) mistral.totalParameters()).isCloseTo(7.25e9, within(7.25e9 * 0.01));
    }

    @Test
    void edgeModelsHaveTheirPublishedSizes() {
        // published counts and their sources: test resources published/SOURCES.md
        assertThat(totalBillions("meta-llama/Llama-3.2-1B")).isCloseTo(1.23, within(1.23 * 0.01));
        assertThat(totalBillions("meta-llama/Llama-3.2-3B")).isCloseTo(3.21, within(3.21 * 0.01));
        assertThat(totalBillions("google/gemma-3-4b-it")).isCloseTo(3.884, within(3.884 * 0.01));
        assertThat(totalBillions("microsoft/Phi-4-mini-instruct")).isCloseTo(3.84, within(3.84 * 0.01));
        assertThat(totalBillions("mistralai/Mistral-Small-24B-Base-2501")).isCloseTo(23.572, within(23.572 * 0.01));
        assertThat(totalBillions("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")).isCloseTo(7.61, within(7.61 * 0.01));
        ModelSpec gemma = catalog.get("google/gemma-3-4b-it", "t", "m");
        assertThat(gemma.architecture()).isEqualTo("gemma3_text");
        assertThat(gemma.tiedEmbeddings()).isTrue();
        assertThat(catalog.find("Phi-4-mini-instruct")).map(ModelSpec::name).contains("microsoft/Phi-4-mini-instruct");
    }

    private double totalBillions(String id) {
        return catalog.get(id, "test", "model").totalParameters() / 1e9;
    }

    @Test
    void findsIdsIgnoringCase() {
        assertThat(catalog.find("TIIUAE/falcon3-10b-base")).isPresent();
        assertThat(catalog.find("nobody/nothing")).isEmpty();
        assertThat(catalog.find(null)).isEmpty();
    }

    @Test
    void unknownIdIsRejectedNamingItAndTheKnownModels() {
        assertThatThrownBy(() -> catalog.get("nobody/nothing", "plan", "--model"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("plan: --model: unknown model 'nobody/nothing'")
                .hasMessageContaining("tiiuae/Falcon3-10B-Base");
    }

    @Test
    void resolvesAnIdAConfigFileAndASnapshotDirectory(@TempDir Path dir) throws IOException {
        assertThat(catalog.resolve("facebook/opt-125m").layers()).isEqualTo(12);

        Path snapshot = Files.createDirectories(dir.resolve("my-model"));
        Files.writeString(snapshot.resolve("config.json"), """
                {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
                 "num_attention_heads": 4, "vocab_size": 100, "max_position_embeddings": 256}
                """);
        ModelSpec fromFile = catalog.resolve(snapshot.resolve("config.json").toString(), "t", "m");
        assertThat(fromFile.name()).isEqualTo("my-model");
        assertThat(fromFile.layers()).isEqualTo(2);
        assertThat(catalog.resolve(snapshot.toString(), "t", "m")).isEqualTo(fromFile);
        assertThat(catalog.resolve(snapshot.toString())).isEqualTo(fromFile);
    }

    @Test
    void thePlainLookupsNameTheCatalogueInTheirErrors(@TempDir Path dir) {
        assertThat(catalog.get("Falcon3-10B-Base")).isSameAs(catalog.get("tiiuae/Falcon3-10B-Base", "x", "y"));
        assertThatThrownBy(() -> catalog.get("nobody/nothing"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("model catalogue: unknown model 'nobody/nothing'; known models: ");
        String missing = dir.resolve("nope.json").toString();
        assertThatThrownBy(() -> catalog.resolve(missing))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("model catalogue: '" + missing + "' is neither a known model");
    }

    @Test
    void resolveRejectsAValueThatIsNeitherIdNorFile(@TempDir Path dir) {
        String missing = dir.resolve("nope.json").toString();
        assertThatThrownBy(() -> catalog.resolve(missing, "plan", "--model"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("plan: --model: '" + missing + "' is neither a known model")
                .hasMessageContaining("facebook/opt-125m");
    }

    @Test
    void resolveReportsAnInvalidConfigFileByNameAndField(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("broken.json"), "{\"model_type\": \"llama\"}");
        assertThatThrownBy(() -> catalog.resolve(file.toString(), "plan", "--model"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("broken.json: hidden_size: missing")
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("hidden_size");
    }
}
