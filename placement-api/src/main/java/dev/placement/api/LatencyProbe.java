package dev.placement.api;

/**
 * Measures the round-trip times between the nodes of a cluster.
 *
 * <p>Implementations: TCP connect time, ICMP ping, node-to-node ping over SSH, static and scripted maps.
 * Implementations document their thread-safety.
 */
public interface LatencyProbe {

    /**
     * Measures the links among the cluster's nodes.
     *
     * @param cluster the nodes to measure
     * @return the measured map; pairs that could not be measured are absent, and nodes that could not be
     *         reached at all are listed in {@link ConnectivityMap#unreachableNodes()}
     * @throws PlacementException if probing itself cannot run (for example a missing {@code ping} binary)
     */
    ConnectivityMap measure(ClusterSnapshot cluster);
}
