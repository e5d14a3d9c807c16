package dev.placement.cli;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.Slo;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Precision;
import dev.placement.api.Workload;
import dev.placement.core.Calibration;
import dev.placement.core.PerformanceModel;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The inputs shared by {@code plan} and {@code predict}: cluster and connectivity files, the model, the
 * workload, max model length, the calibration of the performance model and the output format; a picocli mixin.
 * Every invalid value becomes an {@link InvalidInputException} naming the option. Not thread-safe (picocli fills
 * it once per run).
 */
final class PlanningOptions {

    @Option(names = "--cluster", paramLabel = "FILE", required = true,
            description = "The cluster file (YAML or JSON): nodes, their GPUs, gpuMemoryUtilization.")
    Path cluster;

    @Option(names = "--connectivity", paramLabel = "FILE", required = true,
            description = "The connectivity file: RTT in ms per node pair, optionally bandwidthMbps "
                    + "(1000 Mbps where absent). A pair that is absent cannot be neighbours in a pipeline.")
    Path connectivity;

    @Option(names = "--model", paramLabel = "ID_OR_CONFIG_JSON", required = true,
            description = "A catalogue model id (e.g. tiiuae/Falcon3-10B-Base) or the path of a Hugging Face "
                    + "config.json.")
    String model;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "auto",
            description = "vLLM's --dtype the model is sized for: auto (the default; a float32 checkpoint is "
                    + "served in 16 bits), half, float16, bfloat16, float32.")
    String dtype;

    @Option(names = "--kv-cache-dtype", paramLabel = "DTYPE", defaultValue = "auto",
            description = "vLLM's --kv-cache-dtype: auto (the dtype, the default), fp8, fp8_e4m3, fp8_e5m2.")
    String kvCacheDtype;

    @Option(names = "--input-len", paramLabel = "N", defaultValue = "512",
            description = "Prompt length in tokens (default ${DEFAULT-VALUE}).")
    int inputLen;

    @Option(names = "--output-len", paramLabel = "N", defaultValue = "128",
            description = "Answer length in tokens (default ${DEFAULT-VALUE}).")
    int outputLen;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
            description = "Requests in flight at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--max-model-len", paramLabel = "N",
            description = "vLLM's --max-model-len: every stage keeps KV cache for one sequence this long "
                    + "(default: the model's context length, at most 4096).")
    Integer maxModelLen;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "A calibration file written by 'placement calibrate': predict with the model it adopted "
                    + "(default: the built-in defaults).")
    Path calibration;

    @Option(names = "--slo", paramLabel = "KEY=MS,...",
            description = "Per-request SLOs in ms: ttft=MS,itl=MS,tpot=MS,e2el=MS (any subset). Prints the predicted "
                    + "goodput (requests/s within them, as vllm bench serve --goodput counts); --objective goodput "
                    + "maximises it.")
    String slo;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (for a person, the default) or json (one object on stdout).")
    String format;

    /** @return whether JSON output was asked for */
    boolean json() {
        return json(format);
    }

    /**
     * Reads a {@code --format} option.
     *
     * @param format the option's value
     * @return whether it asks for JSON
     * @throws InvalidInputException unless it is table or json
     */
    static boolean json(String format) {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("json") && !f.equals("table")) {
            throw new InvalidInputException("--format", null, "unknown format '" + format
                    + "'; valid formats: table, json");
        }
        return f.equals("json");
    }

    /**
     * The performance model to predict with.
     *
     * @return the model {@code --calibration} adopted, or the defaults without it
     * @throws InvalidInputException naming the calibration file, the field and the value
     */
    PerformanceModel performanceModel() {
        return performanceModel(calibration);
    }

    /**
     * Reads a placement given with {@code --placement} for a cluster and a model: every problem names
     * {@code --placement} (not the cluster file it was checked against), the node or the layer count and the value.
     *
     * @param spec        the option's value, {@code node:layers,...}, rank 0 first
     * @param cluster     the nodes it may use
     * @param clusterFile where they were read from, for the message listing them
     * @param model       the model whose layers it must hold
     * @return the placement
     * @throws InvalidInputException naming {@code --placement} when it does not parse, names a node the cluster has
     *                               not or holds another number of layers than the model
     */
    static Placement placement(String spec, ClusterSnapshot cluster, Path clusterFile, ModelSpec model) {
        Placement p;
        try {
            p = Placement.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--placement", null, e.getMessage());
        }
        for (String id : p.nodeIds()) {
            if (cluster.find(id).isEmpty()) {
                throw new InvalidInputException("--placement", null, "unknown node '" + id + "'; nodes in "
                        + clusterFile + ": " + String.join(", ", cluster.nodeIds()));
            }
        }
        if (p.totalLayers() != model.layers()) {
            throw new InvalidInputException("--placement", null, "holds " + p.totalLayers() + " layers but "
                    + model.name() + " has " + model.layers());
        }
        return p;
    }

    /**
     * The performance model a {@code --calibration} option selects.
     *
     * @param calibration the option's file, or null when it was not given
     * @return the model that calibration adopted, or the defaults without one
     * @throws InvalidInputException naming the calibration file, the field and the value
     */
    static PerformanceModel performanceModel(Path calibration) {
        return calibration == null ? PerformanceModel.defaults() : Calibration.readModel(calibration);
    }

    /**
     * Reads the files and builds the request.
     *
     * @param objective   the objective
     * @param firstNodeId the pinned first node, or null
     * @return the request
     * @throws InvalidInputException naming the file or option, the field and the value
     */
    PlacementRequest request(Objective objective, String firstNodeId) {
        return request(objective, firstNodeId, model, "--model");
    }

    /**
     * The request for another model than {@code --model} (a variant), alike in everything else.
     *
     * @param modelIdOrPath a catalogue id, short name or config.json path
     * @param option        the option that named it, for messages
     */
    PlacementRequest request(Objective objective, String firstNodeId, String modelIdOrPath, String option) {
        json();
        ClusterSnapshot nodes = ClusterFiles.readCluster(cluster);
        ConnectivityMap links = ClusterFiles.readConnectivity(connectivity, nodes);
        ModelSpec spec = precision(dtype, kvCacheDtype, nodes).apply(ModelCatalog.builtIn().resolve(modelIdOrPath,
                option, null));
        atMost(inputLen, spec.contextLength(), "--input-len", "the model's context length");
        atMost(outputLen, spec.contextLength(), "--output-len", "the model's context length");
        atMost(concurrency, MAX_CONCURRENCY, "--concurrency", "the most requests planned for at once");
        int len = maxModelLen != null ? maxModelLen : spec.defaultMaxModelLen();
        if (len < 1 || len > spec.contextLength()) {
            throw new InvalidInputException("--max-model-len", null, "must be 1 to the model's context length "
                    + spec.contextLength() + ", was " + len);
        }
        if (firstNodeId != null && nodes.find(firstNodeId).isEmpty()) {
            throw new InvalidInputException("--first-node", null, "unknown node '" + firstNodeId + "'; nodes in "
                    + cluster + ": " + String.join(", ", nodes.nodeIds()));
        }
        return PlacementRequest.builder(spec, nodes, links).objective(objective)
                .workload(new Workload(inputLen, outputLen, concurrency)).maxModelLen(len).firstNodeId(firstNodeId)
                .build();
    }

    /**
     * The element types asked for, checked against the cluster's GPUs.
     *
     * @throws InvalidInputException naming the option when a value is unknown or bfloat16 meets a GPU without it
     */
    static Precision precision(String dtype, String kvCacheDtype, ClusterSnapshot nodes) {
        Precision p;
        try {
            p = new Precision(dtype, kvCacheDtype);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(Precision.DTYPES.contains(dtype) ? "--kv-cache-dtype" : "--dtype", null,
                    e.getMessage());
        }
        try {
            p.vllmDtype(nodes.nodes().stream().map(n -> n.gpu()).toList());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--dtype", null, e.getMessage());
        }
        return p;
    }

    /** The most concurrent requests a plan is made for: beyond it the figures mean nothing. */
    static final int MAX_CONCURRENCY = 100_000;

    /** Checks {@code 1 <= value <= max}, so that the model's arithmetic on tokens cannot overflow. */
    private static void atMost(int value, int max, String option, String what) {
        if (value < 1 || value > max) {
            throw new InvalidInputException(option, null, "must be a whole number from 1 to " + what + " " + max
                    + ", was " + value);
        }
    }

    /**
     * Reads {@code --objective}.
     *
     * @param text the option's value
     * @return the objective without bounds
     * @throws InvalidInputException listing the valid objectives
     */
    static Objective objective(String text) {
        return objective(text, null);
    }

    /**
     * Reads {@code --objective} with {@code --slo}.
     *
     * @param text the {@code --objective} value
     * @param slo  the {@code --slo} value, or null
     * @return the objective with those SLOs and no other bounds
     * @throws InvalidInputException naming the option: an unknown objective or SLO key, a bad bound, or goodput
     *                               without an SLO
     */
    static Objective objective(String text, String slo) {
        Objective.Goal goal;
        try {
            goal = Objective.Goal.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--objective", null, e.getMessage());
        }
        Slo bounds = slo(slo);
        if (goal == Objective.Goal.GOODPUT && bounds.isNone()) {
            throw new InvalidInputException("--objective", null, "goodput needs --slo, e.g. --slo ttft=2000,tpot=150");
        }
        return new Objective(goal, null, null, null, bounds);
    }

    /**
     * Reads a {@code --slo} value.
     *
     * @param text the value, or null
     * @return the SLOs; {@link Slo#NONE} for null
     * @throws InvalidInputException naming {@code --slo} and the bad entry
     */
    static Slo slo(String text) {
        if (text == null) {
            return Slo.NONE;
        }
        try {
            return Slo.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--slo", null, e.getMessage());
        }
    }

    /** @return this command's {@code --slo}, {@link Slo#NONE} when absent */
    Slo slo() {
        return slo(slo);
    }
}
