package dev.placement.api;

/**
 * One pipeline stage: a node and the contiguous run of layers it holds.
 *
 * @param nodeId     the node that runs this stage
 * @param firstLayer index of its first layer, 0-based; &ge; 0
 * @param layerCount how many consecutive layers it holds; positive (a node with no layers is not a stage)
 */
public record Stage(String nodeId, int firstLayer, int layerCount) {

    /**
     * Validates every field.
     *
     * @param nodeId     the node that runs this stage; a valid node id, 1 to 64 of {@code [A-Za-z0-9._-]}
     * @param firstLayer index of its first layer, 0-based; &ge; 0
     * @param layerCount how many consecutive layers it holds; positive
     */
    public Stage {
        Checks.nodeId(nodeId, "stage.nodeId");
        Checks.nonNegative(firstLayer, "stage '" + nodeId + "' firstLayer");
        Checks.positive(layerCount, "stage '" + nodeId + "' layerCount");
    }

    /** @return the index just past this stage's last layer */
    public int endLayer() {
        return firstLayer + layerCount;
    }
}
