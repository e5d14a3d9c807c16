package dev.placement.api;

import java.util.Map;

/**
 * One node of the edge cluster: where it is and which GPU it has.
 *
 * <p>A pipeline stage uses one GPU of a node; {@code gpuCount} is recorded for inventory and future
 * tensor parallelism.
 *
 * @param id       unique id, 1 to 64 of {@code [A-Za-z0-9._-]}; safe to pass to a shell or environment
 * @param address  host name or IP address; not blank
 * @param gpu      the node's GPU
 * @param gpuCount how many such GPUs the node has; at least 1
 * @param labels   free-form labels (for example {@code zone=lab}); copied, never null
 */
public record NodeSpec(String id, String address, GpuSpec gpu, int gpuCount, Map<String, String> labels) {

    /**
     * Validates every field and copies the labels.
     *
     * @param id       unique id, 1 to 64 of {@code [A-Za-z0-9._-]}
     * @param address  host name or IP address; not blank
     * @param gpu      the node's GPU; not null
     * @param gpuCount how many such GPUs the node has; at least 1
     * @param labels   free-form labels (for example {@code zone=lab}); null means none
     */
    public NodeSpec {
        Checks.nodeId(id, "node.id");
        Checks.notBlank(address, "node '" + id + "' address");
        Checks.notNull(gpu, "node '" + id + "' gpu");
        Checks.positive(gpuCount, "node '" + id + "' gpuCount");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /**
     * A node with one GPU and no labels.
     *
     * @param id      the node id
     * @param address host name or IP address
     * @param gpu     its GPU
     */
    public NodeSpec(String id, String address, GpuSpec gpu) {
        this(id, address, gpu, 1, Map.of());
    }
}
