package dev.placement.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The GPUs Placement knows by name, with the source of each figure. Immutable and thread-safe.
 *
 * <p>Bandwidth and FP16 figures are dense (no 2:4 sparsity) data-sheet values; memory is the board's total
 * (on a Jetson it is shared with the CPU, so the GPU can use well under it). The Jetson FP16 figures are
 * estimates, because NVIDIA publishes only sparse INT8 for them; each entry's {@link Entry#source()} says so.
 * Names are matched case-insensitively and ignoring spaces, so {@code "a100-40gb"} and {@code "A100 40GB"}
 * are the same GPU.
 */
public final class GpuCatalog {

    /**
     * One catalogue entry.
     *
     * @param gpu    the GPU's figures
     * @param source where each figure comes from, and which are estimates
     */
    public record Entry(GpuSpec gpu, String source) {
    }

    private static final GpuCatalog BUILT_IN = new GpuCatalog(List.of(
            entry("T4", 16, 320, 65, 7.5, "NVIDIA Tesla T4 product page (16 GB GDDR6 256-bit, 320 GB/s, 65 TFLOPS FP16 "
                    + "mixed precision; no BF16); TechPowerUp-style spec page: 320.0 GB/s, 320 Tensor Cores"),
            entry("A10", 24, 600, 125, 8.6, "NVIDIA A10 data sheet (24 GB GDDR6, 600 GB/s, 125 TFLOPS FP16 tensor "
                    + "dense, 250 sparse); checked: 288 Tensor Cores x 1.695 GHz x 256 FLOP/clock = 125 TFLOPS; "
                    + "spec page 600.2 GB/s, 384-bit"),
            entry("A30", 24, 933, 165, 8.0, "NVIDIA A30 data sheet (24 GB HBM2 3072-bit, 933 GB/s, 165 TFLOPS FP16 "
                    + "tensor dense, 330 sparse)"),
            entry("L4", 24, 300, 121, 8.9, "NVIDIA L4 product page (24 GB GDDR6, 300 GB/s, 242 TFLOPS FP16 with "
                    + "sparsity = 121 dense)"),
            entry("A100-40GB", 40, 1555, 312, 8.0, "NVIDIA A100 data sheet (40 GB HBM2 5120-bit, 1555 GB/s, 312 TFLOPS "
                    + "FP16 tensor dense, 624 sparse)"),
            entry("A100-80GB", 80, 2039, 312, 8.0, "NVIDIA A100 data sheet, SXM (80 GB HBM2e, 2039 GB/s; the PCIe card "
                    + "has 1935 GB/s; 312 TFLOPS FP16 tensor dense)"),
            entry("H100", 80, 3350, 989, 9.0, "NVIDIA H100 SXM data sheet (80 GB HBM3, 3.35 TB/s, 1979 TFLOPS FP16 "
                    + "tensor with sparsity = 989 dense; the PCIe card is slower)"),
            entry("RTX-3090", 24, 936, 71, 8.6, "NVIDIA GeForce RTX 3090 spec / Ampere GA102 whitepaper (24 GB GDDR6X "
                    + "384-bit, 936 GB/s; 328 Tensor Cores at 1.695 GHz: 142 TFLOPS FP16 tensor dense with FP16 "
                    + "accumulate, 71 with the FP32 accumulate that frameworks use on GeForce)"),
            entry("RTX-4090", 24, 1008, 165, 8.9, "NVIDIA Ada whitepaper (24 GB GDDR6X 384-bit, 1008 GB/s; 165 TFLOPS "
                    + "FP16 tensor dense with FP32 accumulate, 330 with FP16 accumulate)"),
            entry("Jetson-AGX-Orin-32GB", 32, 204.8, 27, 8.7, "NVIDIA Jetson AGX Orin Series data sheet DS-10662-001 "
                    + "(32 GB LPDDR5 256-bit shared with the CPU, 204.8 GB/s). FP16 dense is an estimate: "
                    + "NVIDIA publishes only sparse INT8 (108 TOPS for this GPU); dense FP16 = a quarter of that, "
                    + "which matches 56 Tensor Cores x 0.93 GHz x 512 FLOP/clock = 26.7 TFLOPS"),
            entry("Jetson-AGX-Orin-64GB", 64, 204.8, 42.5, 8.7, "NVIDIA Jetson AGX Orin Series data sheet DS-10662-001 "
                    + "and technical brief (64 GB LPDDR5 256-bit shared with the CPU, 204.8 GB/s; GPU of 16 SMs, "
                    + "2048 CUDA cores, 64 Tensor Cores, 170 sparse INT8 TOPS). FP16 dense is an estimate: a "
                    + "quarter of the sparse INT8 figure, which matches 64 Tensor Cores x 1.3 GHz x 512 "
                    + "FLOP/clock = 42.6 TFLOPS")));

    private final Map<String, Entry> byKey = new LinkedHashMap<>();

    private GpuCatalog(List<Entry> entries) {
        entries.forEach(e -> byKey.put(key(e.gpu().name()), e));
    }

    /** @return the built-in catalogue */
    public static GpuCatalog builtIn() {
        return BUILT_IN;
    }

    private static Entry entry(String name, double memoryGiB, double bandwidthGBps, double tflops,
            double computeCapability, String source) {
        return new Entry(GpuSpec.of(name, memoryGiB, bandwidthGBps, tflops, computeCapability), source + "; CUDA "
                + "compute capability " + computeCapability + " (NVIDIA's CUDA GPUs list)");
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]", "");
    }

    /**
     * @param name a GPU name, case and spaces ignored
     * @return the entry, or empty if unknown
     */
    public Optional<Entry> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byKey.get(key(name)));
    }

    /**
     * Looks up a GPU by name.
     *
     * @param name   a GPU name
     * @param source where the name came from, for the error message (a file name or option)
     * @param field  the field that held it, for the error message
     * @return the GPU
     * @throws InvalidInputException naming the source, field and value and listing the known GPUs
     */
    public GpuSpec get(String name, String source, String field) {
        return find(name).map(Entry::gpu).orElseThrow(() -> new InvalidInputException(source, field,
                "unknown GPU '" + name + "'; known GPUs: " + String.join(", ", names())
                        + " (or describe it: {name, memoryGiB, bandwidthGBps, fp16Tflops})"));
    }

    /** @return the catalogue names, in catalogue order */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        byKey.values().forEach(e -> names.add(e.gpu().name()));
        return names;
    }

    /** @return every entry, in catalogue order */
    public List<Entry> entries() {
        return List.copyOf(byKey.values());
    }
}
