package dev.placement.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A pipeline-parallel placement: which nodes, in which order (rank 0 first), how many contiguous layers each
 * holds, and on how many of its GPUs each stage runs (tensor parallelism, the same on every stage, as vLLM
 * requires).
 *
 * <p>An invalid placement cannot be built: there is at least one stage, the first starts at layer 0, each
 * starts where the previous one ends (no gap, no overlap), no node appears twice, no stage is empty and the
 * tensor-parallel size is at least 1. Whether it covers a given model's layers is checked by
 * {@link #requireLayers(int)}; whether the nodes have the GPUs, by the performance model.
 *
 * @param stages             the stages in pipeline order
 * @param tensorParallelSize GPUs per stage, vLLM's {@code --tensor-parallel-size}; from 1 to
 *                           {@value #MAX_TENSOR_PARALLEL_SIZE}
 */
public record Placement(List<Stage> stages, int tensorParallelSize) {

    /** The largest tensor-parallel size a placement may have: more GPUs than any node holds. */
    public static final int MAX_TENSOR_PARALLEL_SIZE = 1024;

    /**
     * Validates the stages and copies the list.
     *
     * @param stages             the stages in pipeline order, contiguous from layer 0, one per node; not empty
     * @param tensorParallelSize GPUs per stage; from 1 to {@value #MAX_TENSOR_PARALLEL_SIZE}
     */
    public Placement {
        stages = List.copyOf(Checks.notNull(stages, "stages"));
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a placement needs at least one stage");
        }
        if (tensorParallelSize < 1 || tensorParallelSize > MAX_TENSOR_PARALLEL_SIZE) {
            throw new IllegalArgumentException("tensorParallelSize must be 1 to " + MAX_TENSOR_PARALLEL_SIZE
                    + ", was " + tensorParallelSize);
        }
        Set<String> nodes = new HashSet<>();
        int next = 0;
        for (int rank = 0; rank < stages.size(); rank++) {
            Stage s = stages.get(rank);
            if (!nodes.add(s.nodeId())) {
                throw new IllegalArgumentException("node '" + s.nodeId() + "' appears in more than one stage");
            }
            if (s.firstLayer() != next) {
                throw new IllegalArgumentException("stage " + rank + " on '" + s.nodeId() + "' starts at layer "
                        + s.firstLayer() + " but must start at layer " + next
                        + " (stages are contiguous, rank 0 starts at layer 0)");
            }
            next = s.endLayer();
        }
    }

    /**
     * A placement with one GPU per stage (no tensor parallelism).
     *
     * @param stages the stages in pipeline order
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Placement(List<Stage> stages) {
        this(stages, 1);
    }

    /**
     * @param size GPUs per stage, 1 to {@value #MAX_TENSOR_PARALLEL_SIZE}
     * @return a copy of this placement with that tensor-parallel size
     * @throws IllegalArgumentException if the size is out of range
     */
    public Placement withTensorParallelSize(int size) {
        return size == tensorParallelSize ? this : new Placement(stages, size);
    }

    /**
     * Builds a placement from per-node layer counts, in pipeline order, with one GPU per stage.
     *
     * @param nodeIds     the nodes, rank 0 first
     * @param layerCounts layers per node, same order; each positive
     * @return the placement
     * @throws IllegalArgumentException if the lists differ in length or a value is invalid
     */
    public static Placement of(List<String> nodeIds, List<Integer> layerCounts) {
        if (nodeIds.size() != layerCounts.size()) {
            throw new IllegalArgumentException("got " + nodeIds.size() + " nodes but " + layerCounts.size()
                    + " layer counts");
        }
        List<Stage> stages = new ArrayList<>();
        int first = 0;
        for (int i = 0; i < nodeIds.size(); i++) {
            stages.add(new Stage(nodeIds.get(i), first, layerCounts.get(i)));
            first += layerCounts.get(i);
        }
        return new Placement(stages);
    }

    /**
     * Parses the CLI form {@code node0:20,node1:20} (node and layer count, rank 0 first), with an optional
     * tensor-parallel size after {@code @}: {@code node0:20,node1:20@tp2}.
     *
     * @param spec the text
     * @return the placement
     * @throws IllegalArgumentException naming the offending entry if the text is malformed or invalid
     */
    public static Placement parse(String spec) {
        Checks.notBlank(spec, "placement");
        int at = spec.lastIndexOf('@');
        if (at >= 0) {
            String tp = spec.substring(at + 1).trim();
            int size;
            try {
                size = tp.startsWith("tp") ? Integer.parseInt(tp.substring(2)) : -1;
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1) {
                throw new IllegalArgumentException("placement suffix '@" + tp + "' is not @tpN with N a whole number "
                        + "of GPUs per stage (for example node0:20,node1:20@tp2)");
            }
            return parse(spec.substring(0, at)).withTensorParallelSize(size);
        }
        List<String> nodes = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (String part : spec.split(",", -1)) {
            String entry = part.trim();
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("placement entry '" + entry
                        + "' is not NODE:LAYERS (for example node0:20,node1:20)");
            }
            int count;
            try {
                count = Integer.parseInt(entry.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("placement entry '" + entry + "': layer count '"
                        + entry.substring(colon + 1).trim() + "' is not a whole number");
            }
            nodes.add(entry.substring(0, colon).trim());
            counts.add(count);
        }
        return of(nodes, counts);
    }

    /** @return the number of stages, vLLM's {@code --pipeline-parallel-size} */
    public int pipelineParallelSize() {
        return stages.size();
    }

    /** @return the GPUs the placement runs on: stages × tensor-parallel size, vLLM's world size */
    public int worldSize() {
        return stages.size() * tensorParallelSize;
    }

    /** @return the total number of layers placed */
    public int totalLayers() {
        return stages.get(stages.size() - 1).endLayer();
    }

    /** @return the node ids in pipeline order */
    public List<String> nodeIds() {
        return stages.stream().map(Stage::nodeId).toList();
    }

    /** @return the layer counts in pipeline order */
    public List<Integer> layerCounts() {
        return stages.stream().map(Stage::layerCount).toList();
    }

    /** @return vLLM's {@code VLLM_PP_LAYER_PARTITION} value, for example {@code "20,20"} */
    public String layerPartition() {
        StringJoiner j = new StringJoiner(",");
        stages.forEach(s -> j.add(Integer.toString(s.layerCount())));
        return j.toString();
    }

    /**
     * @return the CLI form, for example {@code "node0:20,node1:20"}, or {@code "node0:20,node1:20@tp2"} with
     *         tensor parallelism; {@link #parse} reads it back
     */
    public String toSpec() {
        StringJoiner j = new StringJoiner(",");
        stages.forEach(s -> j.add(s.nodeId() + ":" + s.layerCount()));
        return tensorParallelSize == 1 ? j.toString() : j + "@tp" + tensorParallelSize;
    }

    /**
     * Checks that this placement covers exactly a model's layers.
     *
     * @param modelLayers the model's layer count
     * @return this placement
     * @throws IllegalArgumentException if the total differs
     */
    public Placement requireLayers(int modelLayers) {
        if (totalLayers() != modelLayers) {
            throw new IllegalArgumentException("the placement holds " + totalLayers()
                    + " layers but the model has " + modelLayers);
        }
        return this;
    }

    /**
     * @param nodeId a node id
     * @return whether the node holds a stage
     */
    public boolean uses(String nodeId) {
        return stages.stream().anyMatch(s -> s.nodeId().equals(nodeId));
    }

    @Override
    public String toString() {
        return toSpec();
    }
}
