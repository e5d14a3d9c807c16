package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrecisionTest {

    private static final ModelSpec MODEL = new ModelSpec("org/m", "llama", 4, 64, 128, 4, 2, 16, 100, 256, 2, false,
            true);
    private static final GpuSpec T4 = GpuSpec.of("T4", 16, 320, 65, 7.5);
    private static final GpuSpec RTX_4090 = GpuSpec.of("RTX-4090", 24, 1008, 165, 8.9);
    private static final GpuSpec CUSTOM = GpuSpec.of("custom", 24, 1000, 100);

    @Test
    void float32DoublesTheWeightsAndActivationsAndFp8HalvesTheKvCache() {
        ModelSpec full = new Precision("float32", "auto").apply(MODEL);
        assertThat(full.dtypeBytes()).isEqualTo(4);
        assertThat(full.kvCacheBytesPerTokenPerLayer()).isEqualTo(2 * MODEL.kvCacheBytesPerTokenPerLayer());
        assertThat(full.bytesPerLayer()).isEqualTo(2 * MODEL.bytesPerLayer());

        ModelSpec fp8Kv = new Precision("auto", "fp8").apply(MODEL);
        assertThat(fp8Kv.bytesPerLayer()).isEqualTo(MODEL.bytesPerLayer());
        assertThat(fp8Kv.kvCacheBytesPerTokenPerLayer() * 2).isEqualTo(MODEL.kvCacheBytesPerTokenPerLayer());
        assertThat(Precision.AUTO.apply(MODEL)).isSameAs(MODEL);
    }

    @Test
    void autoBecomesHalfWhenAnyGpuLacksBf16AndBfloat16IsRefusedThere() {
        assertThat(Precision.AUTO.vllmDtype(List.of(RTX_4090, CUSTOM))).isEmpty();
        assertThat(Precision.AUTO.vllmDtype(List.of(RTX_4090, T4))).contains("half");
        assertThat(new Precision("float32", "auto").vllmDtype(List.of(T4))).contains("float32");
        assertThatThrownBy(() -> new Precision("bfloat16", "auto").vllmDtype(List.of(RTX_4090, T4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dtype bfloat16: the T4 has no bfloat16 (CUDA compute capability 7.5); use half");
        assertThat(new Precision("auto", "fp8_e4m3").vllmKvCacheDtype()).contains("fp8_e4m3");
    }

    @Test
    void unknownValuesAreRefusedListingTheKnownOnes() {
        assertThatThrownBy(() -> new Precision("fp16", "auto"))
                .hasMessageStartingWith("dtype 'fp16' is not one of auto");
        assertThatThrownBy(() -> new Precision("auto", "int8")).hasMessageContaining("kv-cache-dtype 'int8'");
    }
}
