package dev.placement.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The nodes of the cluster at one moment, and how much of each GPU's memory the runtime may use.
 *
 * @param nodes                the nodes, in a stable order; ids unique; may be empty (every node gone)
 * @param gpuMemoryUtilization the fraction of each GPU's memory that vLLM may use, in (0, 1]; vLLM's
 *                             {@code --gpu-memory-utilization}, default {@value #DEFAULT_GPU_MEMORY_UTILIZATION}
 */
public record ClusterSnapshot(List<NodeSpec> nodes, double gpuMemoryUtilization) {

    /** vLLM's default {@code --gpu-memory-utilization}. */
    public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

    /**
     * Validates the utilisation and that node ids are unique; copies the list.
     *
     * @param nodes                the nodes, in a stable order; not null, ids unique; may be empty
     * @param gpuMemoryUtilization the fraction of each GPU's memory that vLLM may use, in (0, 1]
     */
    public ClusterSnapshot {
        nodes = List.copyOf(Checks.notNull(nodes, "nodes"));
        if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
            throw new IllegalArgumentException(
                    "gpuMemoryUtilization must be in (0, 1], was " + gpuMemoryUtilization);
        }
        Set<String> seen = new HashSet<>();
        for (NodeSpec node : nodes) {
            if (!seen.add(node.id())) {
                throw new IllegalArgumentException("node id '" + node.id() + "' appears twice; ids must be unique");
            }
        }
    }

    /**
     * A cluster with vLLM's default memory utilisation.
     *
     * @param nodes the nodes
     */
    public ClusterSnapshot(List<NodeSpec> nodes) {
        this(nodes, DEFAULT_GPU_MEMORY_UTILIZATION);
    }

    /**
     * Finds a node by id.
     *
     * @param id the node id
     * @return the node, or empty if the cluster has no such node
     */
    public Optional<NodeSpec> find(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /**
     * Returns a node by id.
     *
     * @param id the node id
     * @return the node
     * @throws IllegalArgumentException naming the id and the known ids if there is no such node
     */
    public NodeSpec node(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException(
                "unknown node '" + id + "'; known nodes: " + nodeIds()));
    }

    /** @return the node ids, in order */
    public List<String> nodeIds() {
        List<String> ids = new ArrayList<>(nodes.size());
        nodes.forEach(n -> ids.add(n.id()));
        return ids;
    }

    /**
     * A copy without the given node; used when a node fails.
     *
     * @param id the node to leave out; unknown ids are ignored
     * @return the smaller cluster
     */
    public ClusterSnapshot without(String id) {
        return new ClusterSnapshot(nodes.stream().filter(n -> !n.id().equals(id)).toList(), gpuMemoryUtilization);
    }
}
