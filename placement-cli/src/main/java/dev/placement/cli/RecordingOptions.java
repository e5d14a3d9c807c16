package dev.placement.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import dev.placement.vllm.bench.BenchmarkResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code bench --record} and its companions: what a benchmarked server was running (cluster, connectivity,
 * placement, model, max model length), checked before the run, and the appending of the run as one line of an
 * observations file that {@code placement calibrate} reads ({@link ClusterFiles#readObservations}). A picocli
 * mixin; not thread-safe (picocli fills it once per run).
 */
final class RecordingOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--record", paramLabel = "FILE",
            description = "Append this run as one line of an observations file for 'placement calibrate' "
                    + "(created if absent); needs --cluster, --connectivity and --placement.")
    Path record;

    @Option(names = "--cluster", paramLabel = "FILE", description = "With --record: the cluster file of the server.")
    Path cluster;

    @Option(names = "--connectivity", paramLabel = "FILE",
            description = "With --record: the connectivity file measured while the server ran.")
    Path connectivity;

    @Option(names = "--placement", paramLabel = "NODE:LAYERS,...",
            description = "With --record: the placement the server runs, rank 0 first, e.g. node0:20,node1:20.")
    String placement;

    @Option(names = "--max-model-len", paramLabel = "N",
            description = "With --record: the server's --max-model-len (default: the model's context length, at "
                    + "most 4096).")
    Integer maxModelLen;

    private ClusterSnapshot nodes;
    private ConnectivityMap links;
    private Placement stages;

    /**
     * Checks the options before the run, so that a typo does not cost a benchmark: the companions are given
     * exactly when {@code --record} is, the files read, and the placement fits the cluster (and the model, when it
     * is known before the run).
     *
     * @param model bench's {@code --model}, or null when the served model is only known after the run
     * @throws InvalidInputException naming the option or file, the field and the value
     */
    void check(String model) {
        if (record == null) {
            onlyWithRecord(cluster, "--cluster");
            onlyWithRecord(connectivity, "--connectivity");
            onlyWithRecord(placement, "--placement");
            onlyWithRecord(maxModelLen, "--max-model-len");
            return;
        }
        required(cluster, "--cluster FILE", "the cluster file of the nodes the server runs on");
        required(connectivity, "--connectivity FILE", "the connectivity file measured while it ran");
        required(placement, "--placement NODE:LAYERS,...", "the placement it runs, e.g. node0:20,node1:20");
        Path folder = record.toAbsolutePath().getParent();
        if (Files.isDirectory(record) || folder == null || !Files.isDirectory(folder)) {
            throw new InvalidInputException("--record", null, "'" + record + "' is not a file in an existing folder");
        }
        nodes = ClusterFiles.readCluster(cluster);
        links = ClusterFiles.readConnectivity(connectivity, nodes);
        try {
            stages = Placement.parse(placement);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--placement", null, e.getMessage());
        }
        if (model != null) {
            request(model, false, Workload.DEFAULT);
        } else {
            pipelineFitsTheCluster();
        }
    }

    /**
     * The checks of {@link PlacementRequest#problemsWith} that need no model: without {@code --model} the model is
     * only known once the run has asked the server, and a typo in a node should not wait for the benchmark.
     */
    private void pipelineFitsTheCluster() {
        List<String> ids = stages.nodeIds();
        for (int k = 0; k < ids.size(); k++) {
            if (nodes.find(ids.get(k)).isEmpty()) {
                throw new InvalidInputException("--placement", null, "'" + placement + "': node '" + ids.get(k)
                        + "' is not among the cluster's nodes " + nodes.nodeIds());
            }
            if (k > 0 && !links.hasLink(ids.get(k - 1), ids.get(k))) {
                throw new InvalidInputException("--placement", null, "'" + placement + "': no link is known from '"
                        + ids.get(k - 1) + "' to '" + ids.get(k) + "' in " + connectivity);
            }
        }
    }

    /** @return whether {@code --record} was given */
    boolean recording() {
        return record != null;
    }

    /**
     * Appends the run as one observation line: the companions as given to {@link #check}, the workload the run
     * served and its mean TTFT, ITL, TPOT and output throughput in {@code vllm bench serve}'s keys.
     *
     * @param model  bench's {@code --model}, or null for the model the run was sent to
     * @param result a run in which at least one request completed
     * @throws InvalidInputException if the model is neither a catalogue id nor a config.json
     * @throws UncheckedIOException  if the file cannot be written
     */
    void append(String model, BenchmarkResult result) {
        Workload workload = result.servedWorkload().orElseThrow();
        String id = model != null ? model : result.settings().model();
        PlacementRequest request = request(id, model == null, workload);
        Path folder = record.toAbsolutePath().normalize().getParent();
        ObjectNode line = JSON.createObjectNode();
        line.put("cluster", relative(folder, cluster));
        line.put("connectivity", relative(folder, connectivity));
        // A catalogue id as the catalogue spells it; a config.json path relative, as cluster and connectivity.
        line.put("model", ModelCatalog.builtIn().find(id).map(ModelSpec::name)
                .orElseGet(() -> relative(folder, Path.of(id))));
        line.put("placement", stages.toSpec());
        line.put("maxModelLen", request.maxModelLen());
        line.putObject("workload").put("inputTokens", workload.inputTokens())
                .put("outputTokens", workload.outputTokens()).put("concurrency", workload.concurrency());
        line.putObject("measured").put("mean_ttft_ms", result.ttft().meanMillis())
                .put("mean_itl_ms", result.itl().meanMillis()).put("mean_tpot_ms", result.tpot().meanMillis())
                .put("output_throughput", result.outputThroughput());
        try {
            appendLine(record, JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an observation as JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + record + ": " + e.getMessage(), e);
        }
    }

    private PlacementRequest request(String model, boolean served, Workload workload) {
        ModelSpec spec;
        try {
            spec = ModelCatalog.builtIn().resolve(model, "--model", null);
        } catch (InvalidInputException e) {
            if (!served || !"--model".equals(e.source())) {
                throw e;
            }
            // The server's own name for its model need not be one the performance model knows.
            throw new InvalidInputException("--record", null, "the served model '" + model + "' is neither a "
                    + "catalogue id nor a config.json here; give --model ID_OR_CONFIG_JSON (with --served-model-name "
                    + "NAME if the server calls it otherwise)", e);
        }
        int len = maxModelLen != null ? maxModelLen : spec.defaultMaxModelLen();
        if (len < 1 || len > spec.contextLength()) {
            throw new InvalidInputException("--max-model-len", null, "must be 1 to " + spec.name()
                    + "'s context length " + spec.contextLength() + ", was " + len);
        }
        PlacementRequest request = PlacementRequest.builder(spec, nodes, links).workload(workload).maxModelLen(len)
                .build();
        List<String> problems = request.problemsWith(stages);
        if (!problems.isEmpty()) {
            throw new InvalidInputException("--placement", null, "'" + placement + "': " + String.join("; ", problems));
        }
        return request;
    }

    /** The path as the observations file's reader resolves it: from that file's folder, else absolute. */
    private static String relative(Path folder, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        try {
            return folder.relativize(absolute).toString();
        } catch (IllegalArgumentException otherRoot) {
            return absolute.toString();
        }
    }

    /**
     * Appends one line with a single write in append mode, so that the file never holds half a line and other
     * writers' lines stay whole; a last line without its newline gets one first rather than being joined.
     */
    static void appendLine(Path file, String line) throws IOException {
        boolean newlineFirst = false;
        if (Files.exists(file) && Files.size(file) > 0) {
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer last = ByteBuffer.allocate(1);
                in.read(last, in.size() - 1);
                newlineFirst = last.get(0) != '\n';
            }
        }
        String text = (newlineFirst ? "\n" : "") + line + "\n";
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    private static void onlyWithRecord(Object value, String option) {
        if (value != null) {
            throw new InvalidInputException(option, null, "only used with --record FILE (it says what the server "
                    + "ran, for the observation --record appends)");
        }
    }

    private static void required(Object value, String option, String what) {
        if (value == null) {
            throw new InvalidInputException("--record", null, "needs " + option + ": " + what);
        }
    }
}
