package dev.placement.api;

/**
 * Tells which nodes are in the cluster now and which GPUs they have: a cluster file, the Ray dashboard, a
 * simulation. Implementations document their thread-safety.
 */
public interface ClusterInventory {

    /**
     * @return the nodes available now
     * @throws PlacementException if the inventory cannot be read
     */
    ClusterSnapshot snapshot();
}
