package dev.placement.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.ClusterInventory;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.GpuSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import dev.placement.api.GpuCatalog;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster as the Ray dashboard sees it now: the alive nodes with GPUs, their IPs and GPU counts from the
 * State API ({@code GET /api/v0/nodes}), merged with the user's cluster file for the node ids and GPU models.
 *
 * <p>A Ray node is matched to a declared node when the declared address equals its {@code node_ip} or its
 * {@code node_name}. It then keeps the declared id, address, GPU model and labels, with Ray's GPU count. A Ray
 * node no declaration matches is still used when Ray reports its accelerator type
 * ({@code accelerator_type:<name>} in {@code resources_total}) and the GPU catalogue knows it; otherwise
 * {@link #snapshot()} fails naming the node. Declared nodes that Ray does not list as alive are left out: that is
 * how a failed node disappears. Nodes without a GPU (a CPU-only head) are skipped.
 *
 * <p>Thread-safe: immutable once built; each snapshot is one HTTP request.
 */
public final class RayClusterInventory implements ClusterInventory {

    private final DashboardClient dashboard;
    private final ClusterSnapshot declared;
    private final GpuCatalog gpus;

    private RayClusterInventory(Builder b) {
        HttpClient http = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(b.requestTimeout).build();
        this.dashboard = new DashboardClient(b.dashboard, http, b.headers, b.requestTimeout);
        this.declared = b.declared;
        this.gpus = b.gpus;
    }

    /** @return a builder; {@link Builder#dashboard(URI)} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * @throws PlacementException if the dashboard cannot be read, or an alive GPU node can be matched neither to
     *                            the cluster file nor to a known accelerator type (the message names each one)
     */
    @Override
    public ClusterSnapshot snapshot() {
        DashboardClient.Answer answer = dashboard.get("api/v0/nodes?limit=10000&detail=true");
        if (!answer.ok()) {
            throw new PlacementException("the Ray dashboard at " + dashboard.base() + " answered HTTP "
                    + answer.status() + " to the node listing: " + DashboardClient.excerpt(answer.body(), 300));
        }
        JsonNode root = answer.json("node listing");
        if (root.has("result") && root.get("result").isBoolean() && !root.get("result").asBoolean()) {
            throw new PlacementException("the Ray dashboard could not list nodes: " + root.path("msg").asText());
        }
        JsonNode list = root.path("data").path("result");
        if (list.isObject()) {
            list = list.path("result");
        }
        if (!list.isArray()) {
            throw new PlacementException("the Ray node listing at " + dashboard.base()
                    + "api/v0/nodes has no data.result list; is this a Ray dashboard with the State API?");
        }
        List<NodeSpec> nodes = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (JsonNode n : list) {
            if (!"ALIVE".equalsIgnoreCase(n.path("state").asText())) {
                continue;
            }
            JsonNode resources = n.path("resources_total");
            int gpuCount = (int) Math.floor(resources.path("GPU").asDouble(0));
            if (gpuCount < 1) {
                continue;
            }
            String ip = n.path("node_ip").asText("");
            String name = n.path("node_name").asText("");
            Optional<NodeSpec> match = declaredFor(ip, name);
            if (match.isPresent()) {
                NodeSpec d = match.get();
                nodes.add(new NodeSpec(d.id(), d.address(), d.gpu(), gpuCount, d.labels()));
                continue;
            }
            Optional<GpuSpec> gpu = acceleratorType(resources).flatMap(gpus::find).map(GpuCatalog.Entry::gpu);
            if (gpu.isPresent() && RemoteValues.ADDRESS.matcher(ip).matches()) {
                nodes.add(new NodeSpec(idFor(ip, name), ip, gpu.get(), gpuCount, Map.of()));
            } else {
                unmatched.add(ip + " (node_name '" + name + "', " + gpuCount + " GPU"
                        + acceleratorType(resources).map(t -> ", accelerator type '" + t + "' not in the catalogue")
                                .orElse(", no accelerator type") + ")");
            }
        }
        if (!unmatched.isEmpty()) {
            throw new PlacementException("Ray lists GPU nodes the cluster file does not describe: "
                    + String.join("; ", unmatched) + ". Add them to the cluster file (address = the Ray node IP)"
                    + (declared == null ? "" : "; declared addresses: " + declared.nodes().stream()
                            .map(NodeSpec::address).toList()));
        }
        List<String> ids = new ArrayList<>();
        for (NodeSpec n : nodes) {
            if (ids.contains(n.id())) {
                throw new PlacementException("two Ray nodes map to node id '" + n.id()
                        + "'; give each node its own address in the cluster file");
            }
            ids.add(n.id());
        }
        return new ClusterSnapshot(nodes, declared == null ? ClusterSnapshot.DEFAULT_GPU_MEMORY_UTILIZATION
                : declared.gpuMemoryUtilization());
    }

    private Optional<NodeSpec> declaredFor(String ip, String name) {
        if (declared == null) {
            return Optional.empty();
        }
        return declared.nodes().stream()
                .filter(d -> d.address().equalsIgnoreCase(ip)
                        || (!name.isEmpty() && d.address().equalsIgnoreCase(name)))
                .findFirst();
    }

    private static Optional<String> acceleratorType(JsonNode resources) {
        for (Iterator<String> it = resources.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (key.startsWith("accelerator_type:")) {
                return Optional.of(key.substring("accelerator_type:".length()));
            }
        }
        return Optional.empty();
    }

    private static String idFor(String ip, String name) {
        if (name.matches("[A-Za-z0-9._-]{1,64}") && !name.equals(ip)) {
            return name;
        }
        return ("ray-" + ip.replace(':', '-')).substring(0, Math.min(64, 4 + ip.length()));
    }

    /** Configures a {@link RayClusterInventory}; not thread-safe. */
    public static final class Builder {
        private URI dashboard;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private ClusterSnapshot declared;
        private GpuCatalog gpus = GpuCatalog.builtIn();
        private HttpClient httpClient;
        private Duration requestTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * @param address the Ray dashboard, for example {@code http://10.0.0.10:8265}
         * @return this builder
         */
        public Builder dashboard(URI address) {
            this.dashboard = DashboardClient.requireHttpUri(address, "dashboard address");
            return this;
        }

        /**
         * @param cluster the user's cluster file (for example from {@code ClusterFiles.readCluster}): node ids,
         *                addresses and GPU models; null to rely on Ray's accelerator types alone
         * @return this builder
         */
        public Builder declaredCluster(ClusterSnapshot cluster) {
            this.declared = cluster;
            return this;
        }

        /**
         * @param catalog the GPUs known by name, for Ray's accelerator types; default the built-in catalogue
         * @return this builder
         */
        public Builder gpuCatalog(GpuCatalog catalog) {
            this.gpus = Objects.requireNonNull(catalog, "gpuCatalog");
            return this;
        }

        /**
         * @param token a bearer token for the dashboard; never logged
         * @return this builder
         */
        public Builder bearerToken(String token) {
            headers.putAll(DashboardClient.bearer(token));
            return this;
        }

        /**
         * @param client the HTTP client; default a new client
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /**
         * @param timeout per request; default 10 s
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Polling.requirePositive(timeout, "requestTimeout");
            return this;
        }

        /**
         * @return the inventory
         * @throws IllegalStateException if no dashboard address was given
         */
        public RayClusterInventory build() {
            if (dashboard == null) {
                throw new IllegalStateException("RayClusterInventory needs a dashboard address");
            }
            return new RayClusterInventory(this);
        }
    }
}
