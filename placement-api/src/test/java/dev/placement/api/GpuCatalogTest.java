package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GpuCatalogTest {

    private final GpuCatalog catalog = GpuCatalog.builtIn();

    @Test
    void holdsEveryGpuTheIssueNamesWithASource() {
        assertThat(catalog.names()).containsExactly("T4", "A10", "A30", "L4", "L40S", "RTX-A6000", "RTX-4000-Ada",
                "A100-40GB", "A100-80GB", "H100", "RTX-3090", "RTX-4090", "Jetson-AGX-Orin-32GB",
                "Jetson-AGX-Orin-64GB", "Jetson-Orin-NX-16GB", "Jetson-Orin-NX-8GB", "Jetson-Orin-Nano-8GB",
                "Jetson-Orin-Nano-4GB", "Jetson-Orin-Nano-8GB-Super");
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
        assertFigures("L40S", 48, 864, 362);
        assertFigures("RTX-A6000", 48, 768, 154.8);
        assertFigures("RTX-4000-Ada", 20, 360, 53.5);
        assertFigures("Jetson-Orin-NX-16GB", 16, 102.4, 15.0);
        assertFigures("Jetson-Orin-Nano-8GB", 8, 68, 10.2);
    }

    @Test
    void eachGpuHasItsUsualLinkBetweenTheGpusOfANode() {
        assertThat(link("A100-40GB")).isEqualTo(IntraNodeLink.nvlink(300));
        assertThat(link("H100")).isEqualTo(IntraNodeLink.nvlink(450));
        assertThat(link("T4")).isEqualTo(IntraNodeLink.pcie(15.75));
        assertThat(link("L40S")).isEqualTo(IntraNodeLink.pcie(31.5));
        // GeForce: no peer-to-peer, so NCCL goes through host memory at half the bus
        assertThat(link("RTX-4090").bandwidthBytesPerSecond()).isEqualTo(15.75e9);
        assertThat(link("RTX-4090").allReduceLatencyMicros()).isEqualTo(IntraNodeLink.HOST_ALL_REDUCE_MICROS);
        assertThat(link("Jetson-Orin-Nano-8GB")).isNull();
        assertThat(catalog.find("RTX-4090").orElseThrow().source()).contains("between GPUs of a node: pcie 15.75 GB/s");
        assertThat(catalog.find("Jetson-Orin-NX-8GB").orElseThrow().source()).contains("Not verified");
    }

    private IntraNodeLink link(String name) {
        return catalog.get(name, "test", "gpu").intraNodeLink();
    }

    @Test
    void jetsonComputeFiguresAreMarkedAsEstimates() {
        assertThat(catalog.find("Jetson-AGX-Orin-64GB").orElseThrow().source()).contains("estimate");
        assertThat(catalog.find("Jetson-AGX-Orin-32GB").orElseThrow().source()).contains("estimate");
        assertThat(catalog.find("Jetson-Orin-Nano-4GB").orElseThrow().source()).contains("estimate");
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

    @Test
    void thePlainLookupFindsByNameAndNamesTheCatalogueInItsError() {
        assertThat(catalog.get("rtx 4090")).isEqualTo(catalog.find("RTX-4090").orElseThrow().gpu());
        assertThatThrownBy(() -> catalog.get("T5"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("GPU catalogue: unknown GPU 'T5'; known GPUs: T4, A10");
    }

    private void assertFigures(String name, double memoryGiB, double bandwidthGBps, double tflops) {
        GpuSpec gpu = catalog.get(name, "test", "gpu");
        assertThat(gpu.memoryBytes()).as(name).isEqualTo(Math.round(memoryGiB * (1L << 30)));
        assertThat(gpu.memoryBandwidthBytesPerSecond()).as(name).isEqualTo(bandwidthGBps * 1e9);
        assertThat(gpu.fp16FlopsPerSecond()).as(name).isEqualTo(tflops * 1e12);
    }
}
