package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GpuCatalogTest {

    private final GpuCatalog catalog = GpuCatalog.builtIn();

    @Test
    void holdsEveryGpuTheIssueNamesWithASource() {
        assertThat(catalog.names()).containsExactly("T4", "A10", "A30", "L4", "A100-40GB", "A100-80GB", "H100",
                "RTX-3090", "RTX-4090", "Jetson-AGX-Orin-32GB", "Jetson-AGX-Orin-64GB");
        for (GpuCatalog.Entry e : catalog.entries()) {
            assertThat(e.source()).as(e.gpu().name()).isNotBlank();
        }
    }

    @Test
    void figuresMatchTheReferenceDataSheets() {
        assertFigures("T4", 16, 320, 65);
        assertFigures("A30", 24, 933, 165);
        assertFigures("L4", 24, 300, 121);
        assertFigures("A100-40GB", 40, 1555, 312);
        assertFigures("A100-80GB", 80, 2039, 312);
        assertFigures("RTX-4090", 24, 1008, 165);
        assertFigures("Jetson-AGX-Orin-64GB", 64, 204.8, 42.5);
        assertFigures("Jetson-AGX-Orin-32GB", 32, 204.8, 27);
    }

    @Test
    void jetsonComputeFiguresAreMarkedAsEstimates() {
        assertThat(catalog.find("Jetson-AGX-Orin-64GB").orElseThrow().source()).contains("estimate");
        assertThat(catalog.find("Jetson-AGX-Orin-32GB").orElseThrow().source()).contains("estimate");
        assertThat(catalog.find("A100-40GB").orElseThrow().source()).doesNotContain("estimate");
    }

    @Test
    void findsNamesIgnoringCaseSpacesAndDashes() {
        assertThat(catalog.find("a100 40gb")).map(e -> e.gpu().name()).contains("A100-40GB");
        assertThat(catalog.find("rtx_4090")).map(e -> e.gpu().name()).contains("RTX-4090");
        assertThat(catalog.find("T5")).isEmpty();
        assertThat(catalog.find(null)).isEmpty();
    }

    @Test
    void unknownGpuIsRejectedNamingSourceFieldValueAndTheKnownGpus() {
        assertThatThrownBy(() -> catalog.get("T5", "cluster.yaml", "nodes[1].gpu"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cluster.yaml: nodes[1].gpu: unknown GPU 'T5'; known GPUs: T4, A10")
                .hasMessageContaining("memoryGiB");
    }

    private void assertFigures(String name, double memoryGiB, double bandwidthGBps, double tflops) {
        GpuSpec gpu = catalog.get(name, "test", "gpu");
        assertThat(gpu.memoryBytes()).as(name).isEqualTo(Math.round(memoryGiB * (1L << 30)));
        assertThat(gpu.memoryBandwidthBytesPerSecond()).as(name).isEqualTo(bandwidthGBps * 1e9);
        assertThat(gpu.fp16FlopsPerSecond()).as(name).isEqualTo(tflops * 1e12);
    }
}
