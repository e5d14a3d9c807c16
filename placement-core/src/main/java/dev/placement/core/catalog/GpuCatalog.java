package dev.placement.core.catalog;

import dev.placement.api.GpuSpec;
import dev.placement.api.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The GPUs Placement knows by name, with the source of each figure. Immutable and thread-safe.
 *
 * <p>Bandwidth and FP16 figures are dense (no 2:4 sparsity) data-sheet values; memory is the board's total.
 * Names are matched case-insensitively and ignoring spaces, so {@code "a100-40gb"} and {@code "A100 40GB"}
 * are the same GPU.
 */
public final class GpuCatalog {

    /** One catalogue entry: the GPU and where its figures come from. */
    public record Entry(GpuSpec gpu, String source) {
    }

    private static final GpuCatalog BUILT_IN = new GpuCatalog(List.of(
            entry("T4", 16, 320, 65, "NVIDIA Tesla T4 product page (16 GB GDDR6, 320 GB/s, 65 TFLOPS FP16 mixed)"),
            entry("A10", 24, 600, 125, "NVIDIA A10 data sheet (24 GB GDDR6, 600 GB/s, 125 TFLOPS FP16 dense)"),
            entry("A30", 24, 933, 165, "NVIDIA A30 data sheet (24 GB HBM2, 933 GB/s, 165 TFLOPS FP16 dense)"),
            entry("L4", 24, 300, 121, "NVIDIA L4 product page (24 GB GDDR6, 300 GB/s, 242 TFLOPS sparse = 121 dense)"),
            entry("A100-40GB", 40, 1555, 312, "NVIDIA A100 data sheet (40 GB HBM2, 1555 GB/s, 312 TFLOPS FP16 dense)"),
            entry("A100-80GB", 80, 2039, 312, "NVIDIA A100 data sheet (80 GB HBM2e SXM, 2039 GB/s, 312 TFLOPS dense)"),
            entry("H100", 80, 3350, 989,
                    "NVIDIA H100 SXM data sheet (80 GB HBM3, 3.35 TB/s, 1979 TFLOPS FP16 sparse = 989 dense)"),
            entry("RTX-3090", 24, 936, 71,
                    "NVIDIA GeForce RTX 3090 spec / Ampere GA102 whitepaper (24 GB GDDR6X, 936 GB/s, 71 TFLOPS FP16 "
                            + "tensor dense with FP32 accumulate)"),
            entry("RTX-4090", 24, 1008, 165,
                    "NVIDIA Ada whitepaper (24 GB GDDR6X, 1008 GB/s, ~165 TFLOPS FP16 tensor dense, FP32 accumulate)"),
            entry("Jetson-AGX-Orin-32GB", 32, 204.8, 27,
                    "NVIDIA Jetson AGX Orin Series data sheet DS-10662-001 (32 GB LPDDR5 shared with the CPU, "
                            + "204.8 GB/s; FP16 dense estimated as a quarter of the GPU's 108 sparse INT8 TOPS)"),
            entry("Jetson-AGX-Orin-64GB", 64, 204.8, 42.5,
                    "NVIDIA Jetson AGX Orin Series data sheet DS-10662-001 (64 GB LPDDR5 shared with the CPU, "
                            + "204.8 GB/s; FP16 dense estimated as a quarter of the GPU's 170 sparse INT8 TOPS)")));

    private final Map<String, Entry> byKey = new LinkedHashMap<>();

    private GpuCatalog(List<Entry> entries) {
        entries.forEach(e -> byKey.put(key(e.gpu().name()), e));
    }

    /** @return the built-in catalogue */
    public static GpuCatalog builtIn() {
        return BUILT_IN;
    }

    private static Entry entry(String name, double memoryGiB, double bandwidthGBps, double tflops, String source) {
        return new Entry(GpuSpec.of(name, memoryGiB, bandwidthGBps, tflops), source);
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
