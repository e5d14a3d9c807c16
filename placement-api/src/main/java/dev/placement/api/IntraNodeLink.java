package dev.placement.api;

import java.util.Locale;
import java.util.Objects;

/**
 * How the GPUs inside one node reach each other: what the all-reduces of tensor parallelism cross. Each layer
 * of a tensor-parallel stage all-reduces its activations twice (after attention and after the MLP), and at
 * decode the messages are small (sequences × hidden size × 2 bytes, tens of KB), so the link's fixed latency
 * counts as much as its bandwidth.
 *
 * <p>The bandwidths of the catalogue are data-sheet figures halved to one direction (data sheets quote both
 * directions together). The latencies are estimates, not data-sheet figures:
 * <ul>
 *   <li>PCIe with peer-to-peer: about 20 µs, a small NCCL all-reduce inside a CUDA graph (19-24 µs for 4-32 KB
 *       on four PCIe GPUs behind one switch, github.com/haohervchb/sglang-V100 pull request 2). vLLM's own
 *       all-reduce, which it uses for two PCIe GPUs that pass its peer-to-peer test, is faster (4-12 µs there),
 *       so this overstates two such GPUs a little.</li>
 *   <li>PCIe without peer-to-peer (GeForce cards): about 40 µs, NCCL through host memory (42.6 µs for 8 bytes
 *       on eight RTX 4090s, NCCL issue 1530); the data crosses the bus to the CPU and back, so the usable
 *       bandwidth is half the bus's.</li>
 *   <li>NVLink: about 8 µs, vLLM's custom all-reduce (8.5-9.3 µs for 4-32 KB on H100s, sglang pull request
 *       2904).</li>
 * </ul>
 *
 * @param kind                    what the GPUs are connected by
 * @param bandwidthBytesPerSecond bandwidth of the link in one direction, bytes per second; positive and finite
 * @param allReduceLatencyMicros  the fixed time of one all-reduce, in microseconds (what a message of a few bytes
 *                                takes); non-negative and finite
 */
public record IntraNodeLink(Kind kind, double bandwidthBytesPerSecond, double allReduceLatencyMicros) {

    /** Estimated fixed time of a small NCCL all-reduce over PCIe inside a CUDA graph, µs (see the class). */
    public static final double PCIE_ALL_REDUCE_MICROS = 20;
    /** Estimated fixed time of a small NCCL all-reduce through host memory (no peer-to-peer), µs (see the class). */
    public static final double HOST_ALL_REDUCE_MICROS = 40;
    /** Estimated fixed time of vLLM's one-shot all-reduce over NVLink, µs (see the class). */
    public static final double NVLINK_ALL_REDUCE_MICROS = 8;
    /** PCIe 4.0 x16 in one direction, GB/s: 16 GT/s × 16 lanes × 128/130. */
    public static final double PCIE4_X16_GBPS = 31.5;
    /** PCIe 3.0 x16 in one direction, GB/s: 8 GT/s × 16 lanes × 128/130. */
    public static final double PCIE3_X16_GBPS = 15.75;

    /** What connects a node's GPUs. */
    public enum Kind {
        /** NVIDIA's GPU-to-GPU link (SXM boards, or a bridge between two PCIe cards). */
        NVLINK,
        /** The PCI Express bus, through the host's root complex or a switch. */
        PCIE;

        /** @return the name users write, {@code nvlink} or {@code pcie} */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Validates every field; see the record description.
     *
     * @param kind                    what the GPUs are connected by; not null
     * @param bandwidthBytesPerSecond bandwidth of the link in one direction, bytes per second; positive and finite
     * @param allReduceLatencyMicros  the fixed time of one all-reduce, µs; non-negative and finite
     */
    public IntraNodeLink {
        Objects.requireNonNull(kind, "intraNodeLink.kind");
        if (!(bandwidthBytesPerSecond > 0) || Double.isInfinite(bandwidthBytesPerSecond)) {
            throw new IllegalArgumentException("intraNodeLink.bandwidth must be a positive finite number of bytes "
                    + "per second, was " + bandwidthBytesPerSecond);
        }
        if (!(allReduceLatencyMicros >= 0) || Double.isInfinite(allReduceLatencyMicros)) {
            throw new IllegalArgumentException("intraNodeLink.allReduceMicros must be a finite number >= 0, was "
                    + allReduceLatencyMicros);
        }
    }

    /**
     * A PCIe link with the estimated all-reduce latency {@value #PCIE_ALL_REDUCE_MICROS} µs.
     *
     * @param gbPerSecond bandwidth in one direction, GB/s (10^9 bytes per second)
     * @return the link
     * @throws IllegalArgumentException if the bandwidth is not positive
     */
    public static IntraNodeLink pcie(double gbPerSecond) {
        return new IntraNodeLink(Kind.PCIE, gbPerSecond * 1e9, PCIE_ALL_REDUCE_MICROS);
    }

    /**
     * A PCIe bus without peer-to-peer between the GPUs (GeForce cards): NCCL copies through host memory, at half
     * the bus's bandwidth and the estimated latency {@value #HOST_ALL_REDUCE_MICROS} µs.
     *
     * @param busGbPerSecond the bus's bandwidth in one direction, GB/s
     * @return the link
     * @throws IllegalArgumentException if the bandwidth is not positive
     */
    public static IntraNodeLink throughHost(double busGbPerSecond) {
        return new IntraNodeLink(Kind.PCIE, busGbPerSecond / 2 * 1e9, HOST_ALL_REDUCE_MICROS);
    }

    /**
     * An NVLink link with the estimated all-reduce latency {@value #NVLINK_ALL_REDUCE_MICROS} µs.
     *
     * @param gbPerSecond bandwidth in one direction, GB/s (10^9 bytes per second)
     * @return the link
     * @throws IllegalArgumentException if the bandwidth is not positive
     */
    public static IntraNodeLink nvlink(double gbPerSecond) {
        return new IntraNodeLink(Kind.NVLINK, gbPerSecond * 1e9, NVLINK_ALL_REDUCE_MICROS);
    }

    /**
     * What a GPU described without a link is assumed to have: PCIe 4.0 x16 ({@value #PCIE4_X16_GBPS} GB/s one
     * way), the bus of most GPUs sold since 2020.
     *
     * @return the assumed link
     */
    public static IntraNodeLink assumed() {
        return pcie(PCIE4_X16_GBPS);
    }

    /** @return for example {@code "nvlink 300 GB/s, 8 µs per all-reduce"} */
    public String describe() {
        return String.format(Locale.ROOT, "%s %.4g GB/s, %.0f µs per all-reduce", kind.cliName(),
                bandwidthBytesPerSecond / 1e9, allReduceLatencyMicros);
    }
}
