package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelSpecTest {

    private static ModelSpec model(int kvHeads, int dtypeBytes, boolean tied, boolean gated) {
        return new ModelSpec("org/tiny", "llama", 3, 8, 16, 2, kvHeads, 4, 100, 64, dtypeBytes, tied, gated);
    }

    @Test
    void derivesSizesFromTheShape() {
        ModelSpec m = model(1, 2, false, true);
        // q 8·2·4 + k,v 2·8·1·4 + o 2·4·8 + gated MLP 3·8·16
        assertThat(m.parametersPerLayer()).isEqualTo(64 + 64 + 64 + 384);
        assertThat(m.bytesPerLayer()).isEqualTo(2 * 576);
        assertThat(m.embeddingBytes()).isEqualTo(100 * 8 * 2);
        assertThat(m.lmHeadBytes()).isEqualTo(100 * 8 * 2 + 8 * 2);
        assertThat(m.totalParameters()).isEqualTo(3 * 576 + 2 * 800);
        assertThat(m.totalBytes()).isEqualTo(2 * (3 * 576 + 2 * 800));
        assertThat(m.kvCacheBytesPerTokenPerLayer()).isEqualTo(2 * 1 * 4 * 2);
        assertThat(m.activationBytesPerToken()).isEqualTo(2 * 8 * 2);
        assertThat(m.flopsPerTokenPerLayer()).isEqualTo(2.0 * 576);
    }

    @Test
    void tiedEmbeddingsAreCountedOnceAndPlainMlpHasTwoMatrices() {
        ModelSpec m = model(2, 2, true, false);
        assertThat(m.parametersPerLayer()).isEqualTo(64 + 128 + 64 + 256);
        assertThat(m.totalParameters()).isEqualTo(3 * 512 + 800);
    }

    @Test
    void rejectsMoreKvHeadsThanQueryHeads() {
        assertThatThrownBy(() -> model(3, 2, false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.kvHeads (3) must not exceed model.attentionHeads (2)");
    }

    @Test
    void rejectsDtypeBytesOutsideOneToEight() {
        assertThatThrownBy(() -> model(1, 0, false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.dtypeBytes must be 1 to 8, was 0");
        assertThatThrownBy(() -> model(1, 9, false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.dtypeBytes must be 1 to 8, was 9");
    }

    @Test
    void rejectsNonPositiveShapesAndBlankNames() {
        assertThatThrownBy(() -> new ModelSpec("m", "llama", 0, 8, 16, 2, 1, 4, 100, 64, 2, false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.layers must be positive, was 0");
        assertThatThrownBy(() -> new ModelSpec("m", "llama", 1, 8, 16, 2, 0, 4, 100, 64, 2, false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.kvHeads must be positive, was 0");
        assertThatThrownBy(() -> new ModelSpec(" ", "llama", 1, 8, 16, 2, 1, 4, 100, 64, 2, false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model.name must not be blank");
        assertThatThrownBy(() -> new ModelSpec("m", null, 1, 8, 16, 2, 1, 4, 100, 64, 2, false, true))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("model.architecture must not be null");
    }
}
