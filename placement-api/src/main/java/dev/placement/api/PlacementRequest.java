package dev.placement.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs to choose a placement.
 *
 * @param model        the model to place
 * @param cluster      the nodes that may be used
 * @param connectivity the measured links between them
 * @param objective    what to optimise and the bounds to respect
 * @param workload     the traffic to judge under
 * @param maxModelLen  the longest sequence (prompt + answer) each stage must hold KV cache for, vLLM's
 *                     {@code --max-model-len}; 1 to the model's context length
 * @param firstNodeId  the node that must be rank 0 (where the API server and clients are), or {@code null}
 *                     for any; must be in the cluster
 * @param current      the placement running now, or {@code null}; agents may prefer to keep it
 */
public record PlacementRequest(
        ModelSpec model,
        ClusterSnapshot cluster,
        ConnectivityMap connectivity,
        Objective objective,
        Workload workload,
        int maxModelLen,
        String firstNodeId,
        Placement current) {

    /**
     * Validates the references between the fields.
     *
     * @param model        the model to place; not null
     * @param cluster      the nodes that may be used; not null
     * @param connectivity the measured links between them; not null
     * @param objective    what to optimise and the bounds to respect; not null
     * @param workload     the traffic to judge under; not null
     * @param maxModelLen  the longest sequence (prompt + answer) in tokens; 1 to the model's context length
     * @param firstNodeId  the node that must be rank 0, or {@code null} for any; must be in the cluster
     * @param current      the placement running now, or {@code null}
     */
    public PlacementRequest {
        Checks.notNull(model, "model");
        Checks.notNull(cluster, "cluster");
        Checks.notNull(connectivity, "connectivity");
        Checks.notNull(objective, "objective");
        Checks.notNull(workload, "workload");
        if (maxModelLen < 1 || maxModelLen > model.contextLength()) {
            throw new IllegalArgumentException("maxModelLen must be 1 to the model's context length "
                    + model.contextLength() + ", was " + maxModelLen);
        }
        if (firstNodeId != null && cluster.find(firstNodeId).isEmpty()) {
            throw new IllegalArgumentException("firstNodeId '" + firstNodeId + "' is not in the cluster; known nodes: "
                    + cluster.nodeIds());
        }
    }

    /**
     * Starts a request with defaults: objective {@link Objective#minimizeItl()}, workload
     * {@link Workload#DEFAULT}, max model length {@link ModelSpec#defaultMaxModelLen()}, any first node,
     * nothing running.
     *
     * @param model        the model
     * @param cluster      the cluster
     * @param connectivity the links
     * @return a builder
     */
    public static Builder builder(ModelSpec model, ClusterSnapshot cluster, ConnectivityMap connectivity) {
        return new Builder(model, cluster, connectivity);
    }

    /**
     * What keeps a placement from running for this request, apart from what only a performance model can
     * tell (memory, the return hop): a layer total other than the model's, nodes outside the cluster or
     * unreachable, another rank 0 than the pinned first node, and neighbours with no known link. The one place
     * a placement is checked against a request; the LLM agent sends these lines back to the LLM.
     *
     * @param placement the placement to check; not null
     * @return the problems in plain words, in pipeline order; empty if there are none
     */
    public List<String> problemsWith(Placement placement) {
        Checks.notNull(placement, "placement");
        List<String> problems = new ArrayList<>();
        if (placement.totalLayers() != model.layers()) {
            problems.add("the layer counts " + placement.layerCounts() + " sum to " + placement.totalLayers()
                    + " but the model has " + model.layers() + " layers; the counts must sum to exactly "
                    + model.layers());
        }
        List<String> ids = placement.nodeIds();
        for (String id : new LinkedHashSet<>(ids)) {
            if (cluster.find(id).isEmpty()) {
                problems.add("node '" + id + "' is not among the cluster's nodes " + cluster.nodeIds());
            } else if (connectivity.unreachableNodes().contains(id)) {
                problems.add("node '" + id + "' is unreachable and cannot hold a stage");
            }
        }
        if (firstNodeId != null && !firstNodeId.equals(ids.get(0))) {
            problems.add("rank 0 must be node '" + firstNodeId + "' (where the API server runs), not '" + ids.get(0)
                    + "'");
        }
        for (int k = 0; k + 1 < ids.size(); k++) {
            String from = ids.get(k);
            String to = ids.get(k + 1);
            if (!connectivity.hasLink(from, to)) {
                problems.add("no link is known from '" + from + "' to '" + to + "', so they cannot be neighbours "
                        + "in the pipeline; known links from '" + from + "': "
                        + connectivity.rttMillis().getOrDefault(from, Map.of()).keySet());
            }
        }
        return problems;
    }

    /** @return a builder holding this request's values */
    public Builder toBuilder() {
        return new Builder(model, cluster, connectivity).objective(objective).workload(workload)
                .maxModelLen(maxModelLen).firstNodeId(firstNodeId).current(current);
    }

    /** Builds a {@link PlacementRequest}; not thread-safe. */
    public static final class Builder {
        private ModelSpec model;
        private ClusterSnapshot cluster;
        private ConnectivityMap connectivity;
        private Objective objective = Objective.minimizeItl();
        private Workload workload = Workload.DEFAULT;
        private Integer maxModelLen;
        private String firstNodeId;
        private Placement current;

        private Builder(ModelSpec model, ClusterSnapshot cluster, ConnectivityMap connectivity) {
            this.model = model;
            this.cluster = cluster;
            this.connectivity = connectivity;
        }

        /**
         * Sets the model to place.
         *
         * @param v the model
         * @return this builder
         */
        public Builder model(ModelSpec v) {
            model = v;
            return this;
        }

        /**
         * Sets the nodes that may be used.
         *
         * @param v the cluster
         * @return this builder
         */
        public Builder cluster(ClusterSnapshot v) {
            cluster = v;
            return this;
        }

        /**
         * Sets the measured links between the nodes.
         *
         * @param v the links
         * @return this builder
         */
        public Builder connectivity(ConnectivityMap v) {
            connectivity = v;
            return this;
        }

        /**
         * Sets what to optimise; default {@link Objective#minimizeItl()}.
         *
         * @param v the objective
         * @return this builder
         */
        public Builder objective(Objective v) {
            objective = v;
            return this;
        }

        /**
         * Sets the traffic to judge under; default {@link Workload#DEFAULT}.
         *
         * @param v the workload
         * @return this builder
         */
        public Builder workload(Workload v) {
            workload = v;
            return this;
        }

        /**
         * Sets the max model length; default {@link ModelSpec#defaultMaxModelLen()}.
         *
         * @param v max model length in tokens, 1 to the model's context length
         * @return this builder
         */
        public Builder maxModelLen(int v) {
            maxModelLen = v;
            return this;
        }

        /**
         * Sets the node that must be rank 0; default any.
         *
         * @param v the node that must be rank 0, or null for any
         * @return this builder
         */
        public Builder firstNodeId(String v) {
            firstNodeId = v;
            return this;
        }

        /**
         * Sets the placement running now; default none.
         *
         * @param v the running placement, or null
         * @return this builder
         */
        public Builder current(Placement v) {
            current = v;
            return this;
        }

        /**
         * @return the request
         * @throws IllegalArgumentException if a value is invalid
         * @throws NullPointerException     if model, cluster or connectivity is missing
         */
        public PlacementRequest build() {
            Checks.notNull(model, "model");
            int len = maxModelLen != null ? maxModelLen : model.defaultMaxModelLen();
            return new PlacementRequest(model, cluster, connectivity, objective, workload, len, firstNodeId, current);
        }
    }
}
