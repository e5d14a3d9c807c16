package dev.placement.core.input;

import static dev.placement.core.input.JsonFields.describe;
import static dev.placement.core.input.JsonFields.number;
import static dev.placement.core.input.JsonFields.positive;
import static dev.placement.core.input.JsonFields.rejectUnknown;
import static dev.placement.core.input.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuSpec;
import dev.placement.api.InvalidInputException;
import dev.placement.api.NodeSpec;
import dev.placement.api.GpuCatalog;
import dev.placement.core.Observation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads the cluster file and the connectivity file, in YAML or JSON (JSON is read as YAML).
 *
 * <p>Cluster file:
 * <pre>{@code
 * gpuMemoryUtilization: 0.9        # optional, default 0.9
 * nodes:
 *   - id: node0                    # [A-Za-z0-9._-]{1,64}, unique
 *     address: 10.0.0.10           # host or IP
 *     gpu: T4                      # a catalogue name, or a custom GPU:
 *   - id: jetson1
 *     address: jetson1.local
 *     gpu: {name: Orin-NX-16, memoryGiB: 16, bandwidthGBps: 102.4, fp16Tflops: 25}
 *     gpuCount: 1                  # optional, default 1
 *     labels: {zone: lab}          # optional
 *   - id: gpu-box
 *     address: 10.0.0.12
 *     gpu: RTX-A6000
 *     gpuCount: 2                  # a stage may run on both (tensor parallelism)
 *     intraNodeLink: {kind: nvlink, bandwidthGBps: 56.25}   # optional: replaces the GPU's usual link
 *                                  # (allReduceMicros: optional, the kind's estimate by default)
 * }</pre>
 *
 * <p>Connectivity file:
 * <pre>{@code
 * rttMillis:                       # round-trip time in ms; a pair given once holds both ways
 *   node0: {node1: 2.2, node2: 5.1}
 *   node1: {node2: 30.1}
 * bandwidthMbps:                   # optional, same rules; 1000 where absent
 *   node0: {node1: 940}
 * }</pre>
 * A pair given in both directions keeps both values (an asymmetric link). A pair missing from
 * {@code rttMillis} is unknown: those two nodes can never be neighbours in a pipeline.
 *
 * <p>Every problem is reported as an {@link InvalidInputException} naming the file, the field and the value:
 * a syntax error (with line and column), a missing or unknown field, an unknown GPU, a duplicate id, a
 * negative RTT, a pair naming a node the cluster does not have. Stateless and thread-safe.
 */
public final class ClusterFiles {

    /** Bandwidth assumed for a link with a known RTT but no bandwidth in the file: 1000 Mbit/s. */
    public static final double DEFAULT_BANDWIDTH_MBPS = 1000;

    /** The largest cluster or connectivity file read: thousands of nodes fit in far less. */
    static final int MAX_FILE_BYTES = 4 << 20;
    /** The most GPUs a node may declare: far above any server, far below an overflowed figure. */
    static final int MAX_GPUS_PER_NODE = 1024;
    private static final Set<String> CLUSTER_FIELDS = Set.of("gpuMemoryUtilization", "nodes");
    private static final Set<String> NODE_FIELDS = Set.of("id", "address", "gpu", "gpuCount", "intraNodeLink",
            "labels");
    private static final Set<String> CONNECTIVITY_FIELDS = Set.of("rttMillis", "bandwidthMbps");

    private ClusterFiles() {
    }

    /**
     * Reads a cluster file.
     *
     * @param file the file, YAML or JSON
     * @return the cluster
     * @throws InvalidInputException naming the file, field and value of the first problem
     */
    public static ClusterSnapshot readCluster(Path file) {
        return parseCluster(readTree(file), file.getFileName().toString(), GpuCatalog.builtIn());
    }

    /**
     * Reads a connectivity file for a cluster.
     *
     * @param file    the file, YAML or JSON
     * @param cluster the cluster whose nodes the file may name
     * @return the connectivity map, measured at {@link Instant#EPOCH}
     * @throws InvalidInputException naming the file, field and value of the first problem
     */
    public static ConnectivityMap readConnectivity(Path file, ClusterSnapshot cluster) {
        return parseConnectivity(readTree(file), file.getFileName().toString(), cluster);
    }

    /**
     * Reads an observations file, the measured runs {@code PerformanceModel.calibrate} fits to: JSON Lines, one
     * run per line, blank lines and lines starting with {@code #} skipped; at most 16 MiB, lines of at most 1 Mi
     * characters.
     * <pre>{@code
     * {"cluster": "cluster.yaml", "connectivity": "links.yaml", "model": "tiiuae/Falcon3-10B-Base",
     *  "placement": "node0:20,node1:20", "maxModelLen": 4096,
     *  "workload": {"inputTokens": 1024, "outputTokens": 128, "concurrency": 16},
     *  "measured": {"mean_ttft_ms": 210.4, "mean_itl_ms": 81.2, "mean_tpot_ms": 96.0, "output_throughput": 170.3}}
     * }</pre>
     * {@code cluster}, {@code connectivity} and a {@code model} that is not a catalogue id are paths relative to
     * the observations file's folder, each file read once; {@code maxModelLen} defaults to the model's default,
     * each workload field to {@code Workload.DEFAULT}'s. {@code measured} takes {@code vllm bench serve}'s keys so
     * that a bench result can be pasted: other keys are ignored, a missing one is 0 (not measured). Any other
     * top-level field is an error.
     *
     * @param file the observations file
     * @return the observations in file order; never empty
     * @throws InvalidInputException naming the file, the line, the field and the value of the first problem
     */
    public static List<Observation> readObservations(Path file) {
        return ObservationLines.read(file);
    }

    /**
     * Parses cluster text; for callers that hold the text rather than a file.
     *
     * @param text   YAML or JSON
     * @param source a name for messages, for example the file name
     * @return the cluster
     * @throws InvalidInputException naming the source, field and value of the first problem
     */
    public static ClusterSnapshot parseCluster(String text, String source) {
        return parseCluster(tree(text, source), source, GpuCatalog.builtIn());
    }

    /**
     * Parses connectivity text; for callers that hold the text rather than a file.
     *
     * @param text    YAML or JSON
     * @param source  a name for messages
     * @param cluster the cluster whose nodes the text may name
     * @return the connectivity map
     * @throws InvalidInputException naming the source, field and value of the first problem
     */
    public static ConnectivityMap parseConnectivity(String text, String source, ClusterSnapshot cluster) {
        return parseConnectivity(tree(text, source), source, cluster);
    }

    /**
     * Reads a YAML or JSON file as the cluster and connectivity files are read (at most 4 MiB, strictly UTF-8, a
     * key given twice is an error), for files that hold a cluster or connectivity section among fields of their
     * own: read it once, then {@link #parseClusterSection} and {@link #parseConnectivitySection}.
     *
     * @param file the file
     * @return its top-level mapping
     * @throws InvalidInputException naming the file if it is missing, unreadable, too large, not UTF-8, not YAML
     *                               or not a mapping
     */
    public static JsonNode readTree(Path file) {
        String source = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        return tree(BoundedText.read(file, MAX_FILE_BYTES, "a cluster or connectivity file is a few KB",
                "YAML or JSON"), source);
    }

    /**
     * Reads a cluster from a section of a file already read, in the cluster file's format.
     *
     * @param section the section's value, or null when the file has none
     * @param source  the file, for messages
     * @param field   the section's field, for example {@code cluster}: a problem names
     *                {@code cluster.nodes[1].gpu}
     * @return the cluster
     * @throws InvalidInputException naming the source, the field within the section and the value
     */
    public static ClusterSnapshot parseClusterSection(JsonNode section, String source, String field) {
        return section(section, source, field, "cluster", () -> parseCluster(section, source, GpuCatalog.builtIn()));
    }

    /**
     * Reads a connectivity map from a section of a file already read, in the connectivity file's format.
     *
     * @param section the section's value, or null when the file has none
     * @param source  the file, for messages
     * @param field   the section's field, for example {@code connectivity}: a problem names
     *                {@code connectivity.rttMillis.node0.node9}
     * @param cluster the cluster whose nodes the section may name
     * @return the connectivity map, measured at {@link Instant#EPOCH}
     * @throws InvalidInputException naming the source, the field within the section and the value
     */
    public static ConnectivityMap parseConnectivitySection(JsonNode section, String source, String field,
            ClusterSnapshot cluster) {
        return section(section, source, field, "connectivity", () -> parseConnectivity(section, source, cluster));
    }

    /** Parses a section in the format of a {@code kind} file, naming every problem under the section's field. */
    private static <T> T section(JsonNode section, String source, String field, String kind, Supplier<T> parse) {
        if (section == null || !section.isObject()) {
            throw new InvalidInputException(source, field, (section == null || section.isNull() ? "missing"
                    : "must be a mapping, found " + describe(section)) + "; give it as in a " + kind + " file");
        }
        try {
            return parse.get();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(source, e.field() == null ? field : field + "." + e.field(), e.problem(),
                    e);
        }
    }

    private static JsonNode tree(String text, String source) {
        JsonNode root = readYaml(text, source);
        if (!root.isObject()) {
            throw new InvalidInputException(source, null, "expected a mapping at the top level, found "
                    + describe(root));
        }
        return root;
    }

    /**
     * Reads YAML or JSON text into a tree the way every Placement input file is read: a key given twice is an
     * error, and a syntax error names the line and column without a parser stack trace. Shared by the readers
     * of other YAML inputs (the demo's scenario files) so that they fail alike.
     *
     * @param text   YAML or JSON
     * @param source a name for messages, for example the file name
     * @return the root of the tree; never null
     * @throws InvalidInputException if the text is empty or not valid YAML
     */
    public static JsonNode readYaml(String text, String source) {
        return YamlText.read(text, source);
    }

    static ClusterSnapshot parseCluster(JsonNode root, String source, GpuCatalog gpus) {
        rejectUnknown(root, "", CLUSTER_FIELDS, source);
        double utilisation = ClusterSnapshot.DEFAULT_GPU_MEMORY_UTILIZATION;
        if (root.has("gpuMemoryUtilization")) {
            utilisation = number(root.get("gpuMemoryUtilization"), "gpuMemoryUtilization", source);
            if (!(utilisation > 0 && utilisation <= 1)) {
                throw new InvalidInputException(source, "gpuMemoryUtilization",
                        "must be in (0, 1], was " + utilisation);
            }
        }
        JsonNode nodesNode = root.get("nodes");
        if (nodesNode == null || nodesNode.isNull()) {
            throw new InvalidInputException(source, "nodes", "missing; list the cluster's nodes");
        }
        if (!nodesNode.isArray() || nodesNode.isEmpty()) {
            throw new InvalidInputException(source, "nodes", "must be a non-empty list, found " + describe(nodesNode));
        }
        List<NodeSpec> nodes = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < nodesNode.size(); i++) {
            String path = "nodes[" + i + "]";
            JsonNode n = nodesNode.get(i);
            if (!n.isObject()) {
                throw new InvalidInputException(source, path, "must be a mapping with id, address and gpu, found "
                        + describe(n));
            }
            rejectUnknown(n, path + ".", NODE_FIELDS, source);
            String id = text(n, "id", path, source);
            Integer previous = seen.putIfAbsent(id, i);
            if (previous != null) {
                throw new InvalidInputException(source, path + ".id",
                        "duplicate node id '" + id + "' (also nodes[" + previous + "]); ids must be unique");
            }
            String address = text(n, "address", path, source);
            GpuSpec gpu = GpuFields.gpu(n.get("gpu"), path + ".gpu", source, gpus);
            if (n.has("intraNodeLink")) {
                gpu = gpu.withIntraNodeLink(GpuFields.link(n.get("intraNodeLink"), path + ".intraNodeLink", source));
            }
            int gpuCount = 1;
            if (n.has("gpuCount")) {
                JsonNode c = n.get("gpuCount");
                if (!c.isIntegralNumber() || !c.canConvertToInt() || c.asInt() < 1 || c.asInt() > MAX_GPUS_PER_NODE) {
                    throw new InvalidInputException(source, path + ".gpuCount",
                            "must be a whole number from 1 to " + MAX_GPUS_PER_NODE + ", was " + c);
                }
                gpuCount = c.asInt();
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (n.has("labels")) {
                JsonNode l = n.get("labels");
                if (!l.isObject()) {
                    throw new InvalidInputException(source, path + ".labels", "must be a mapping of text to text");
                }
                l.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            }
            try {
                nodes.add(new NodeSpec(id, address, gpu, gpuCount, labels));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(source, path, e.getMessage());
            }
        }
        return new ClusterSnapshot(nodes, utilisation);
    }

    static ConnectivityMap parseConnectivity(JsonNode root, String source, ClusterSnapshot cluster) {
        rejectUnknown(root, "", CONNECTIVITY_FIELDS, source);
        JsonNode rtt = root.get("rttMillis");
        if (rtt == null || rtt.isNull()) {
            throw new InvalidInputException(source, "rttMillis", "missing; give the round-trip time in ms "
                    + "between the nodes, for example rttMillis: {node0: {node1: 2.2}}");
        }
        Map<String, Map<String, Double>> rtts = pairs(rtt, "rttMillis", source, cluster, false);
        Map<String, Map<String, Double>> mbps = root.has("bandwidthMbps")
                ? pairs(root.get("bandwidthMbps"), "bandwidthMbps", source, cluster, true)
                : Map.of();
        ConnectivityMap.Builder b = ConnectivityMap.builder().measuredAt(Instant.EPOCH);
        symmetric(rtts).forEach((from, row) -> row.forEach((to, v) -> b.rtt(from, to, v)));
        Map<String, Map<String, Double>> bw = symmetric(mbps);
        symmetric(rtts).forEach((from, row) -> row.keySet().forEach(to -> {
            double m = bw.getOrDefault(from, Map.of()).getOrDefault(to, DEFAULT_BANDWIDTH_MBPS);
            b.bandwidth(from, to, m * 1e6 / 8);
        }));
        return b.build();
    }

    /** Reads {@code from: {to: value}} with every node known and every value valid. */
    private static Map<String, Map<String, Double>> pairs(JsonNode node, String field, String source,
            ClusterSnapshot cluster, boolean positive) {
        if (!node.isObject()) {
            throw new InvalidInputException(source, field, "must be a mapping of node to {node: value}, found "
                    + describe(node));
        }
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> row = it.next();
            String from = row.getKey();
            knownNode(from, field + "." + from, source, cluster);
            if (!row.getValue().isObject()) {
                throw new InvalidInputException(source, field + "." + from,
                        "must be a mapping of node to value, found " + describe(row.getValue()));
            }
            for (Iterator<Map.Entry<String, JsonNode>> cells = row.getValue().fields(); cells.hasNext(); ) {
                Map.Entry<String, JsonNode> cell = cells.next();
                String to = cell.getKey();
                String path = field + "." + from + "." + to;
                knownNode(to, path, source, cluster);
                if (to.equals(from)) {
                    throw new InvalidInputException(source, path, "a node has no link to itself");
                }
                double v = number(cell.getValue(), path, source);
                if (positive ? !(v > 0) : v < 0) {
                    throw new InvalidInputException(source, path, "must be " + (positive ? "positive" : ">= 0")
                            + ", was " + cell.getValue().asText());
                }
                out.computeIfAbsent(from, k -> new LinkedHashMap<>()).put(to, v);
            }
        }
        return out;
    }

    /** Fills the reverse of each pair that was given in one direction only. */
    private static Map<String, Map<String, Double>> symmetric(Map<String, Map<String, Double>> given) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        given.forEach((from, row) -> row.forEach((to, v) ->
                out.computeIfAbsent(from, k -> new LinkedHashMap<>()).put(to, v)));
        given.forEach((from, row) -> row.forEach((to, v) ->
                out.computeIfAbsent(to, k -> new LinkedHashMap<>()).putIfAbsent(from, v)));
        return out;
    }

    private static void knownNode(String id, String path, String source, ClusterSnapshot cluster) {
        if (cluster.find(id).isEmpty()) {
            throw new InvalidInputException(source, path, "unknown node '" + id + "'; the cluster has "
                    + String.join(", ", cluster.nodeIds()));
        }
    }
}
