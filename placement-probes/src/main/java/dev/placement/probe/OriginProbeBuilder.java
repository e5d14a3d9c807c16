package dev.placement.probe;

/**
 * What the builders of probes that measure from this machine (the origin node) share: which node the origin is,
 * and whether pairs not involving it are estimated through it. Not thread-safe, like the builders that extend
 * it.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
abstract class OriginProbeBuilder<B extends OriginProbeBuilder<B>> extends ProbeBuilder<B> {
    private String originNodeId;
    private boolean estimatePairs = true;

    /**
     * @param nodeId the node this process runs on, or null for the cluster's first node (the default)
     * @return this builder
     */
    public B originNodeId(String nodeId) {
        this.originNodeId = nodeId;
        return self();
    }

    /**
     * @param estimate whether to estimate pairs not involving the origin as the path through it; default
     *                 true (without it only the origin's links are known)
     * @return this builder
     */
    public B estimatePairsThroughOrigin(boolean estimate) {
        this.estimatePairs = estimate;
        return self();
    }

    /** @return how the built probe turns its per-node RTTs into a connectivity map */
    OriginMeasurement originMeasurement() {
        return new OriginMeasurement(originNodeId, estimatePairs, clock);
    }
}
