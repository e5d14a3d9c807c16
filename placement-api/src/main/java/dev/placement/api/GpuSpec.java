package dev.placement.api;

/**
 * One GPU model: how much memory it has and how fast it reads memory and computes.
 *
 * <p>Decode is bound by {@code memoryBandwidthBytesPerSecond}; prefill by {@code fp16FlopsPerSecond}
 * (dense tensor throughput, without 2:4 sparsity). Several GPUs of one node that run a stage together (tensor
 * parallelism) all-reduce over {@code intraNodeLink}.
 *
 * @param name                          catalogue or user name, for example {@code "T4"}; not blank
 * @param memoryBytes                   device memory in bytes; positive
 * @param memoryBandwidthBytesPerSecond memory bandwidth in bytes per second; positive
 * @param fp16FlopsPerSecond            dense FP16/BF16 tensor throughput in FLOP per second; positive
 * @param computeCapability             CUDA compute capability, for example 7.5; 0 when unknown
 * @param intraNodeLink                 how such GPUs in one node reach each other; {@code null} for a GPU that is
 *                                      never more than one to a node (a Jetson's integrated GPU), which then
 *                                      cannot run tensor parallelism
 */
public record GpuSpec(String name, long memoryBytes, double memoryBandwidthBytesPerSecond, double fp16FlopsPerSecond,
        double computeCapability, IntraNodeLink intraNodeLink) {

    /**
     * Validates every field; see the class description.
     *
     * @param name                          catalogue or user name, for example {@code "T4"}; not blank
     * @param memoryBytes                   device memory in bytes; positive
     * @param memoryBandwidthBytesPerSecond memory bandwidth in bytes per second; positive and finite
     * @param fp16FlopsPerSecond            dense FP16/BF16 tensor throughput in FLOP per second; positive and finite
     * @param computeCapability             CUDA compute capability, in [1, 100); 0 when unknown
     * @param intraNodeLink                 how such GPUs in one node reach each other; {@code null} for a GPU that
     *                                      is never more than one to a node
     */
    public GpuSpec {
        Checks.notBlank(name, "gpu.name");
        Checks.positive(memoryBytes, "gpu.memoryBytes");
        Checks.positive(memoryBandwidthBytesPerSecond, "gpu.memoryBandwidthBytesPerSecond");
        Checks.positive(fp16FlopsPerSecond, "gpu.fp16FlopsPerSecond");
        if (!(computeCapability == 0 || computeCapability >= 1 && computeCapability < 100)) {
            throw new IllegalArgumentException("gpu.computeCapability must be 0 (unknown) or a CUDA compute "
                    + "capability such as 7.5, was " + computeCapability);
        }
    }

    /**
     * A GPU with {@link IntraNodeLink#assumed()} between the GPUs of one node.
     *
     * @param name                          the GPU's name
     * @param memoryBytes                   memory in bytes
     * @param memoryBandwidthBytesPerSecond memory bandwidth in bytes per second
     * @param fp16FlopsPerSecond            dense FP16 tensor FLOP per second
     * @param computeCapability             CUDA compute capability; 0 when unknown
     * @throws IllegalArgumentException if a figure is not positive or the capability is out of range
     */
    public GpuSpec(String name, long memoryBytes, double memoryBandwidthBytesPerSecond, double fp16FlopsPerSecond,
            double computeCapability) {
        this(name, memoryBytes, memoryBandwidthBytesPerSecond, fp16FlopsPerSecond, computeCapability,
                IntraNodeLink.assumed());
    }

    /**
     * A GPU whose CUDA compute capability is not known.
     *
     * @param name                          the GPU's name
     * @param memoryBytes                   memory in bytes
     * @param memoryBandwidthBytesPerSecond memory bandwidth in bytes per second
     * @param fp16FlopsPerSecond            dense FP16 tensor FLOP per second
     * @throws IllegalArgumentException if a figure is not positive
     */
    public GpuSpec(String name, long memoryBytes, double memoryBandwidthBytesPerSecond, double fp16FlopsPerSecond) {
        this(name, memoryBytes, memoryBandwidthBytesPerSecond, fp16FlopsPerSecond, 0);
    }

    /**
     * Whether the GPU is known to lack bfloat16 (CUDA compute capability below 8.0, such as the T4's 7.5): vLLM
     * then serves in float16.
     *
     * @return true only when the compute capability is known and below 8.0
     */
    public boolean lacksBf16() {
        return computeCapability > 0 && computeCapability < 8.0;
    }

    /**
     * @param link how such GPUs in one node reach each other; {@code null} when never more than one to a node
     * @return a copy with that link
     */
    public GpuSpec withIntraNodeLink(IntraNodeLink link) {
        return new GpuSpec(name, memoryBytes, memoryBandwidthBytesPerSecond, fp16FlopsPerSecond, computeCapability,
                link);
    }

    /**
     * Builds a GPU from the units of data sheets, with {@link IntraNodeLink#assumed()} between the GPUs of a node.
     *
     * @param name          the GPU's name
     * @param memoryGiB     memory in GiB (2^30 bytes)
     * @param bandwidthGBps memory bandwidth in GB/s (10^9 bytes per second)
     * @param fp16Tflops    dense FP16 tensor TFLOP/s (10^12 FLOP per second)
     * @return the GPU
     * @throws IllegalArgumentException if a figure is not positive
     */
    public static GpuSpec of(String name, double memoryGiB, double bandwidthGBps, double fp16Tflops) {
        Checks.positive(memoryGiB, "gpu.memoryGiB");
        if (memoryGiB >= (double) (Long.MAX_VALUE >> 30)) {
            throw new IllegalArgumentException("gpu.memoryGiB must be below " + (Long.MAX_VALUE >> 30)
                    + " so that its bytes fit a long, was " + memoryGiB);
        }
        return new GpuSpec(name, Math.round(memoryGiB * (1L << 30)), bandwidthGBps * 1e9, fp16Tflops * 1e12);
    }

    /**
     * Builds a GPU from the units of data sheets, with its CUDA compute capability and
     * {@link IntraNodeLink#assumed()} between the GPUs of a node.
     *
     * @param name              the GPU's name
     * @param memoryGiB         memory in GiB (2^30 bytes)
     * @param bandwidthGBps     memory bandwidth in GB/s (10^9 bytes per second)
     * @param fp16Tflops        dense FP16 tensor TFLOP/s (10^12 FLOP per second)
     * @param computeCapability CUDA compute capability, for example 7.5 for a T4; 0 when unknown
     * @return the GPU
     * @throws IllegalArgumentException if a figure is not positive or the capability is out of range
     */
    public static GpuSpec of(String name, double memoryGiB, double bandwidthGBps, double fp16Tflops,
            double computeCapability) {
        GpuSpec g = of(name, memoryGiB, bandwidthGBps, fp16Tflops);
        return new GpuSpec(g.name(), g.memoryBytes(), g.memoryBandwidthBytesPerSecond(), g.fp16FlopsPerSecond(),
                computeCapability);
    }
}
