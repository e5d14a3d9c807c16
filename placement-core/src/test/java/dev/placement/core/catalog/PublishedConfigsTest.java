package dev.placement.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.ModelSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real {@code config.json} files, one or more per family the parser reads, held to the parameter counts and
 * checkpoint sizes their publishers give ({@code published/SOURCES.md} says where each file, count and size came
 * from).
 *
 * <p>Total parameters are held to 1% of the published count. Active parameters, where a mixture-of-experts model
 * publishes them, are counted the way the publisher counts them: Mistral, Qwen and Meta include the input
 * embedding a token reads; DeepSeek and OpenAI leave it out (DeepSeek-V3's "36.6 B activated, including 0.9 B for
 * the output head"). They are held to 1% when published to three significant figures and to 3% when published to
 * two ("3.3 B", "14 B"), where the rounding alone can be 1.5%.
 *
 * <p>Weight memory of a quantized checkpoint is compared per layer: the checkpoint's bytes less the embedding table
 * and the LM head (both kept at 16 bits by AWQ and FP8), divided by the layers, against
 * {@link ModelSpec#bytesPerLayer()}; within 5%. Biases and norms, which the model leaves out, are in the file.
 * DeepSeek-V3, whose first three layers are dense and so differ from {@code bytesPerLayer()}, is compared in total:
 * {@link ModelSpec#totalBytes()} against the weight files' bytes.
 */
class PublishedConfigsTest {

    private static final double BILLION = 1e9;

    /**
     * One fixture and what its publisher says of it.
     *
     * @param file           the fixture under {@code published/}
     * @param id             the Hugging Face id
     * @param totalBillions  published total parameters, billions
     * @param activeBillions published active parameters, billions, or {@code null} (dense, or not published)
     * @param activeLeavesOutEmbedding whether the publisher's active count leaves out the input embedding
     * @param activeTolerance relative tolerance of the active count (see the class description)
     */
    record Published(String file, String id, double totalBillions, Double activeBillions,
            boolean activeLeavesOutEmbedding, double activeTolerance) {

        static Published dense(String file, String id, double totalBillions) {
            return new Published(file, id, totalBillions, null, false, 0);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** Every fixture but gpt-oss-20b (see {@link #gptOss20bParsesToItsPublishedCounts()}). */
    static Stream<Published> fixtures() {
        return Stream.of(
                new Published("mistralai--Mixtral-8x7B-v0.1.json", "mistralai/Mixtral-8x7B-v0.1", 46.7, 12.9, false,
                        0.01),
                new Published("Qwen--Qwen2-57B-A14B.json", "Qwen/Qwen2-57B-A14B", 57, 14.0, false, 0.03),
                new Published("Qwen--Qwen3-30B-A3B.json", "Qwen/Qwen3-30B-A3B", 30.5, 3.3, false, 0.03),
                new Published("deepseek-ai--DeepSeek-V2-Lite.json", "deepseek-ai/DeepSeek-V2-Lite", 15.7, 2.4, true,
                        0.03),
                new Published("deepseek-ai--DeepSeek-V3.json", "deepseek-ai/DeepSeek-V3", 671, 36.6, true, 0.01),
                // Meta's 109 B includes the 0.87 B vision encoder and projector; the text model is 108.13 B
                new Published("meta-llama--Llama-4-Scout-17B-16E.json", "meta-llama/Llama-4-Scout-17B-16E", 108.13,
                        17.0, false, 0.03),
                // the Gemma 3 report's Table 1: embedding plus non-embedding parameters, the vision encoder aside
                Published.dense("google--gemma-3-4b-it.json", "google/gemma-3-4b-it", 3.884),
                Published.dense("google--gemma-3-1b-it.json", "google/gemma-3-1b-it", 1.000),
                Published.dense("Qwen--Qwen3-8B.json", "Qwen/Qwen3-8B", 8.2),
                Published.dense("meta-llama--Llama-3.2-1B.json", "meta-llama/Llama-3.2-1B", 1.23),
                Published.dense("meta-llama--Llama-3.2-3B.json", "meta-llama/Llama-3.2-3B", 3.21),
                Published.dense("microsoft--Phi-4-mini-instruct.json", "microsoft/Phi-4-mini-instruct", 3.84),
                // 47,144,806,400 bytes of 16-bit weights in the 2501 checkpoint's index: 23.57 B ("24B")
                Published.dense("mistralai--Mistral-Small-24B-Base-2501.json", "mistralai/Mistral-Small-24B-Base-2501",
                        23.572),
                Published.dense("deepseek-ai--DeepSeek-R1-Distill-Qwen-7B.json",
                        "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", 7.61),
                // Qwen2.5-72B's 72.7 B; the AWQ checkpoint pads the MLP from 29568 to 29696 wide (+0.35%)
                Published.dense("Qwen--Qwen2.5-72B-Instruct-AWQ.json", "Qwen/Qwen2.5-72B-Instruct-AWQ", 72.7),
                Published.dense("Qwen--Qwen3-4B-FP8.json", "Qwen/Qwen3-4B-FP8", 4.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void parsesToWithinOnePercentOfThePublishedParameterCount(Published p) {
        ModelSpec m = fixture(p.file(), p.id());

        assertThat(m.totalParameters() / BILLION).as(p.id() + " total parameters, billions")
                .isCloseTo(p.totalBillions(), within(p.totalBillions() * 0.01));
        if (p.activeBillions() != null) {
            double embedding = (double) m.vocabSize() * m.embeddingSize();
            double active = m.activeParameters() - (p.activeLeavesOutEmbedding() ? embedding : 0);
            assertThat(active / BILLION).as(p.id() + " active parameters, billions")
                    .isCloseTo(p.activeBillions(), within(p.activeBillions() * p.activeTolerance()));
        }
    }

    @Test
    void everyFixtureInTheFolderIsHeldToItsPublishedCount() throws IOException, URISyntaxException {
        Path folder = Path.of(PublishedConfigsTest.class.getResource("published").toURI());
        List<String> files;
        try (Stream<Path> listed = Files.list(folder)) {
            files = listed.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
        List<String> checked = Stream.concat(fixtures().map(Published::file), Stream.of(GPT_OSS_20B)).sorted()
                .toList();

        assertThat(files).isEqualTo(checked);
    }

    /**
     * Qwen/Qwen2.5-72B-Instruct-AWQ: 11 safetensors files of 41.57 GB (Hugging Face's file listing), less the fp16
     * embedding and LM head (2.49 GB each), over 80 layers: 457.3 MB a layer, against 4.156 bits a weight (4-bit
     * weights, a 16-bit scale and a 4-bit zero point per 128) over the 880.8 M weights of a layer.
     */
    @Test
    void anAwqLayerTakesWhatItsCheckpointFileTakesPerLayer() {
        ModelSpec m = fixture("Qwen--Qwen2.5-72B-Instruct-AWQ.json", "Qwen/Qwen2.5-72B-Instruct-AWQ");

        assertThat(m.quantization().method()).isEqualTo("awq");
        assertThat((double) m.bytesPerLayer()).isCloseTo(checkpointBytesPerLayer(m, 41.57e9),
                within(checkpointBytesPerLayer(m, 41.57e9) * 0.05));
    }

    /**
     * Qwen/Qwen3-4B-FP8: two safetensors files of 4.41 GB and 778 MB. The second is the size of one 151936 × 2560
     * bf16 matrix: the checkpoint stores {@code lm_head} beside the embedding although the config ties them, so both
     * come off before dividing by the 36 layers (vLLM ties them again when it loads the model).
     */
    @Test
    void anFp8LayerTakesWhatItsCheckpointFileTakesPerLayer() {
        ModelSpec m = fixture("Qwen--Qwen3-4B-FP8.json", "Qwen/Qwen3-4B-FP8");

        assertThat(m.quantization().method()).isEqualTo("fp8");
        assertThat(m.tiedEmbeddings()).isTrue();
        assertThat((double) m.bytesPerLayer()).isCloseTo(checkpointBytesPerLayer(m, 5.188e9),
                within(checkpointBytesPerLayer(m, 5.188e9) * 0.05));
    }

    /**
     * deepseek-ai/DeepSeek-V3, itself an FP8 checkpoint (128 × 128 blocks), compared in total because its first
     * three layers are dense: 688,586,727,753 bytes of weight files, which also hold the 11.5 B-parameter
     * multi-token-prediction layer the model does not serve (about 1.7%).
     */
    @Test
    void deepSeekV3sFp8WeightsTakeWhatItsCheckpointTakes() {
        ModelSpec m = fixture("deepseek-ai--DeepSeek-V3.json", "deepseek-ai/DeepSeek-V3");

        assertThat(m.quantization().method()).isEqualTo("fp8");
        assertThat((double) m.totalBytes()).isCloseTo(688_586_727_753.0, within(688_586_727_753.0 * 0.05));
    }

    /** A Llama 4 {@code text_config} that names only its shape takes the rest from {@code Llama4TextConfig}. */
    @Test
    void aSparseLlama4TextConfigTakesLlama4TextConfigsDefaults() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root;
        try (InputStream in = resource("meta-llama--Llama-4-Scout-17B-16E.json")) {
            root = (ObjectNode) json.readTree(in);
        }
        ObjectNode sparse = json.createObjectNode().put("model_type", "llama4_text");
        root.set("text_config", sparse);
        root.remove("tie_word_embeddings");

        ModelSpec m = ModelConfigs.fromConfigJson("sparse/llama4", new ByteArrayInputStream(
                json.writeValueAsBytes(root)), "config.json");
        ModelSpec full = fixture("meta-llama--Llama-4-Scout-17B-16E.json", "meta-llama/Llama-4-Scout-17B-16E");

        assertThat(m.experts()).isEqualTo(full.experts());
        assertThat(m.tiedEmbeddings()).isFalse();
        assertThat(m.totalParameters()).isEqualTo(full.totalParameters());
        assertThat(m.contextLength()).isEqualTo(131072);
    }

    private static final String GPT_OSS_20B = "openai--gpt-oss-20b.json";

    /**
     * openai/gpt-oss-20b: 20.91 B parameters, 3.61 B active leaving out the embedding (OpenAI's model card); its
     * MXFP4 quantizes the experts only (this once threw a NullPointerException in {@code WeightQuantization}).
     */
    @Test
    void gptOss20bParsesToItsPublishedCounts() {
        ModelSpec m = fixture(GPT_OSS_20B, "openai/gpt-oss-20b");

        assertThat(m.quantization().expertsOnly()).isTrue();
        assertThat(m.totalParameters() / BILLION).isCloseTo(20.91, within(20.91 * 0.01));
        double active = m.activeParameters() - (double) m.vocabSize() * m.embeddingSize();
        assertThat(active / BILLION).isCloseTo(3.61, within(3.61 * 0.01));
    }

    /** @return the bytes per layer a checkpoint of {@code fileBytes} holds, its embedding and LM head aside */
    private static double checkpointBytesPerLayer(ModelSpec m, double fileBytes) {
        return (fileBytes - m.embeddingBytes() - m.lmHeadBytes()) / m.layers();
    }

    private static ModelSpec fixture(String file, String id) {
        try (InputStream in = resource(file)) {
            return ModelConfigs.fromConfigJson(id, in, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = PublishedConfigsTest.class.getResourceAsStream("published/" + file);
        assertThat(in).as("fixture " + file).isNotNull();
        return in;
    }
}
