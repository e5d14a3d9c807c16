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
 * (on a Jetson it is shared with the CPU, so the GPU can use well under it). Each GPU's
 * {@link GpuSpec#intraNodeLink()} is its usual form: NVLink on SXM boards, PCIe on cards (an optional NVLink
 * bridge is not assumed; describe the GPU in the cluster file to say so), none on a Jetson. The Jetson FP16 figures are
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

    /** A datacenter card's PCIe 3.0 x16 bus, peer to peer. */
    private static final IntraNodeLink PCIE3 = IntraNodeLink.pcie(IntraNodeLink.PCIE3_X16_GBPS);
    /** A datacenter or workstation card's PCIe 4.0 x16 bus, peer to peer. */
    private static final IntraNodeLink PCIE4 = IntraNodeLink.pcie(IntraNodeLink.PCIE4_X16_GBPS);
    /** A GeForce card's PCIe 4.0 x16 bus: no peer-to-peer, so NCCL goes through host memory. */
    private static final IntraNodeLink GEFORCE = IntraNodeLink.throughHost(IntraNodeLink.PCIE4_X16_GBPS);
    /** A100 SXM: 12 third-generation NVLinks, 600 GB/s both ways together (NVIDIA's NVLink page). */
    private static final IntraNodeLink NVLINK_A100 = IntraNodeLink.nvlink(300);
    /** H100 SXM: 18 fourth-generation NVLinks, 900 GB/s both ways together. */
    private static final IntraNodeLink NVLINK_H100 = IntraNodeLink.nvlink(450);
    /** A Jetson module has one integrated GPU. */
    private static final IntraNodeLink NONE = null;
    private static final String ORIN_FP16 = " FP16 dense is an estimate: NVIDIA publishes only sparse INT8 TOPS; "
            + "Tensor Cores x GPU max clock x 512 FLOP/clock, a quarter of the GPU's sparse INT8";

    private static final GpuCatalog BUILT_IN = new GpuCatalog(List.of(
            entry("T4", PCIE3, 16, 320, 65, 7.5, "NVIDIA Tesla T4 product page (16 GB GDDR6 256-bit, 320 GB/s, "
                    + "65 TFLOPS FP16 mixed precision; no BF16; PCIe 3.0 x16); TechPowerUp-style spec page: 320.0 "
                    + "GB/s, 320 Tensor Cores"),
            entry("A10", PCIE4, 24, 600, 125, 8.6, "NVIDIA A10 data sheet (24 GB GDDR6, 600 GB/s, 125 TFLOPS FP16 "
                    + "tensor dense, 250 sparse; PCIe 4.0 x16, no NVLink); checked: 288 Tensor Cores x 1.695 GHz x "
                    + "256 FLOP/clock = 125 TFLOPS; spec page 600.2 GB/s, 384-bit"),
            entry("A30", PCIE4, 24, 933, 165, 8.0, "NVIDIA A30 data sheet (24 GB HBM2 3072-bit, 933 GB/s, 165 "
                    + "TFLOPS FP16 tensor dense, 330 sparse; PCIe 4.0 x16; an NVLink bridge between two cards is "
                    + "optional and not assumed)"),
            entry("L4", PCIE4, 24, 300, 121, 8.9, "NVIDIA L4 product page (24 GB GDDR6, 300 GB/s, 242 TFLOPS FP16 "
                    + "with sparsity = 121 dense; PCIe 4.0 x16, no NVLink)"),
            entry("L40S", PCIE4, 48, 864, 362, 8.9, "NVIDIA L40S data sheet (48 GB GDDR6 384-bit, 864 GB/s, FP16 "
                    + "Tensor Core 362.05 dense, 733 with sparsity; PCIe 4.0 x16 64 GB/s both ways; NVLink not "
                    + "supported); checked: 568 Tensor Cores x 2.52 GHz x 256 FLOP/clock = 366 TFLOPS"),
            entry("RTX-A6000", PCIE4, 48, 768, 154.8, 8.6, "NVIDIA RTX A6000 specification table as ServeTheHome "
                    + "reproduces it (48 GB GDDR6 384-bit, 768 GB/s, 309.7 TFLOPS tensor with sparsity = 154.8 "
                    + "dense, FP32 accumulate at full rate on this professional card; PCIe 4.0 x16; a 2-way NVLink "
                    + "bridge of 112.5 GB/s both ways is optional and not assumed); checked: 336 Tensor Cores x "
                    + "1.80 GHz x 256 FLOP/clock = 154.8 TFLOPS"),
            entry("RTX-4000-Ada", PCIE4, 20, 360, 53.5, 8.9, "NVIDIA RTX 4000 Ada Generation data sheet (20 GB "
                    + "GDDR6 160-bit, 192 fourth-generation Tensor Cores, PCIe 4.0 x16, no NVLink); 360 GB/s = 18 "
                    + "Gbps x 160 bit / 8 (spec page 360.0 GB/s). FP16 dense is an estimate: 192 Tensor Cores x "
                    + "2.175 GHz x 128 FLOP/clock, FP32 accumulate at half rate as on the L40 (at full rate it "
                    + "would be 106.9 TFLOPS)"),
            entry("A100-40GB", NVLINK_A100, 40, 1555, 312, 8.0, "NVIDIA A100 data sheet (40 GB HBM2 5120-bit, 1555 "
                    + "GB/s, 312 TFLOPS FP16 tensor dense, 624 sparse; SXM4 with NVLink)"),
            entry("A100-80GB", NVLINK_A100, 80, 2039, 312, 8.0, "NVIDIA A100 data sheet, SXM (80 GB HBM2e, 2039 "
                    + "GB/s; the PCIe card has 1935 GB/s; 312 TFLOPS FP16 tensor dense)"),
            entry("H100", NVLINK_H100, 80, 3350, 989, 9.0, "NVIDIA H100 SXM data sheet (80 GB HBM3, 3.35 TB/s, "
                    + "1979 TFLOPS FP16 tensor with sparsity = 989 dense; the PCIe card is slower)"),
            entry("RTX-3090", GEFORCE, 24, 936, 71, 8.6, "NVIDIA GeForce RTX 3090 spec / Ampere GA102 whitepaper "
                    + "(24 GB GDDR6X 384-bit, 936 GB/s; 328 Tensor Cores at 1.695 GHz: 142 TFLOPS FP16 tensor dense "
                    + "with FP16 accumulate, 71 with the FP32 accumulate that frameworks use on GeForce; PCIe 4.0 "
                    + "x16; GeForce cards lack peer-to-peer (NCCL issue 1309); the NVLink bridge is not assumed)"),
            entry("RTX-4090", GEFORCE, 24, 1008, 165, 8.9, "NVIDIA Ada whitepaper (24 GB GDDR6X 384-bit, 1008 GB/s; "
                    + "165 TFLOPS FP16 tensor dense with FP32 accumulate, 330 with FP16 accumulate; PCIe 4.0 x16, "
                    + "no NVLink, no peer-to-peer: NCCL issue 1309)"),
            entry("Jetson-AGX-Orin-32GB", NONE, 32, 204.8, 27, 8.7, "NVIDIA Jetson AGX Orin Series data sheet "
                    + "DS-10662-001 (32 GB LPDDR5 256-bit shared with the CPU, 204.8 GB/s). FP16 dense is an "
                    + "estimate: NVIDIA publishes only sparse INT8 (108 TOPS for this GPU); dense FP16 = a quarter "
                    + "of that, which matches 56 Tensor Cores x 0.93 GHz x 512 FLOP/clock = 26.7 TFLOPS"),
            entry("Jetson-AGX-Orin-64GB", NONE, 64, 204.8, 42.5, 8.7, "NVIDIA Jetson AGX Orin Series data sheet "
                    + "DS-10662-001 and technical brief (64 GB LPDDR5 256-bit shared with the CPU, 204.8 GB/s; GPU "
                    + "of 16 SMs, 2048 CUDA cores, 64 Tensor Cores, 170 sparse INT8 TOPS). FP16 dense is an "
                    + "estimate: a quarter of the sparse INT8 figure, which matches 64 Tensor Cores x 1.3 GHz x "
                    + "512 FLOP/clock = 42.6 TFLOPS"),
            entry("Jetson-Orin-NX-16GB", NONE, 16, 102.4, 15.0, 8.7, "NVIDIA Jetson modules table as the "
                    + "Ultralytics Jetson guide reproduces it (16 GB LPDDR5 128-bit shared with the CPU, 102.4 GB/s; "
                    + "1024-core Ampere GPU, 32 Tensor Cores, 918 MHz max, as deviceQuery reports; 100 TOPS sparse "
                    + "INT8 counts two DLAs as well)." + ORIN_FP16 + ": 32 x 0.918 GHz x 512 = 15.0 TFLOPS"),
            entry("Jetson-Orin-NX-8GB", NONE, 8, 102.4, 12.5, 8.7, "NVIDIA Jetson modules table (8 GB LPDDR5 "
                    + "128-bit shared with the CPU; 1024-core GPU, 32 Tensor Cores; 70 TOPS sparse INT8 with one "
                    + "DLA). Not verified field by field: the 102.4 GB/s and the 765 MHz GPU clock are recalled from "
                    + "NVIDIA's table, not read in a stored copy." + ORIN_FP16 + ": 32 x 0.765 GHz x 512 = 12.5 "
                    + "TFLOPS"),
            entry("Jetson-Orin-Nano-8GB", NONE, 8, 68, 10.2, 8.7, "NVIDIA Jetson Orin Nano data sheet (8 GB LPDDR5 "
                    + "128-bit shared with the CPU; 1024-core GPU, 32 Tensor Cores, 625 MHz max; 40 TOPS sparse "
                    + "INT8, GPU only). 68 GB/s = 4266 MT/s x 16 bytes, computed, not read in a stored copy."
                    + ORIN_FP16 + ": 32 x 0.625 GHz x 512 = 10.2 TFLOPS = 40 / 4"),
            entry("Jetson-Orin-Nano-4GB", NONE, 4, 34, 5.1, 8.7, "NVIDIA Jetson Orin Nano data sheet (4 GB LPDDR5 "
                    + "64-bit shared with the CPU; 512-core GPU, 16 Tensor Cores, 625 MHz max; 20 TOPS sparse INT8). "
                    + "34 GB/s = 4266 MT/s x 8 bytes, computed, not read in a stored copy." + ORIN_FP16
                    + ": 16 x 0.625 GHz x 512 = 5.1 TFLOPS = 20 / 4"),
            entry("Jetson-Orin-Nano-8GB-Super", NONE, 8, 102, 16.7, 8.7, "NVIDIA Jetson Orin Nano Super developer "
                    + "kit (JetPack 6.2, MAXN_SUPER power mode: GPU at 1020 MHz, 102 GB/s, 67 TOPS sparse INT8), as "
                    + "the Ultralytics guide and Jetson Linux's power-mode table reproduce it." + ORIN_FP16
                    + ": 32 x 1.02 GHz x 512 = 16.7 TFLOPS")));

    private final Map<String, Entry> byKey = new LinkedHashMap<>();

    private GpuCatalog(List<Entry> entries) {
        entries.forEach(e -> byKey.put(key(e.gpu().name()), e));
    }

    /** @return the built-in catalogue */
    public static GpuCatalog builtIn() {
        return BUILT_IN;
    }

    private static Entry entry(String name, IntraNodeLink link, double memoryGiB, double bandwidthGBps,
            double tflops, double computeCapability, String source) {
        GpuSpec gpu = GpuSpec.of(name, memoryGiB, bandwidthGBps, tflops, computeCapability).withIntraNodeLink(link);
        return new Entry(gpu, source + "; CUDA compute capability " + computeCapability
                + " (NVIDIA's CUDA GPUs list); between GPUs of a node: "
                + (link == null ? "none (one integrated GPU per module)" : link.describe()));
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
     * Looks up a GPU by name: {@code GpuCatalog.builtIn().get("T4")}.
     *
     * @param name a GPU name, case and spaces ignored, for example {@code "T4"} or {@code "rtx 4090"}
     * @return the GPU
     * @throws InvalidInputException if the catalogue has no such GPU; the message lists the known ones
     */
    public GpuSpec get(String name) {
        return get(name, "GPU catalogue", null);
    }

    /**
     * Looks up a GPU named in some input, for readers of input files: an unknown name is reported against that
     * input.
     *
     * @param name   a GPU name
     * @param source where the name came from, for the error message (a file name or option)
     * @param field  the field that held it, for the error message, or {@code null}
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
