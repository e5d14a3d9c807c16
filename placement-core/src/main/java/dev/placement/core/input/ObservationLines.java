package dev.placement.core.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.Observation;
import dev.placement.core.catalog.ModelCatalog;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads an observations file: JSON Lines, one measured run per line, the input of calibration. Behind
 * {@link ClusterFiles#readObservations}; the format is described there. One reader per file: it remembers the
 * cluster, connectivity and model files it has read, so that each distinct file is read once. Not thread-safe.
 */
final class ObservationLines {

    /** A few hundred runs of a few hundred bytes each; a bench result pasted with its per-request arrays fits. */
    static final int MAX_BYTES = 16 << 20;
    /** One line with a {@code --detailed} bench result of a few hundred prompts as its measured object. */
    static final int MAX_LINE_CHARS = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> TOP = Set.of("cluster", "connectivity", "model", "placement", "maxModelLen",
            "workload", "measured");
    private static final Set<String> WORKLOAD = Set.of("inputTokens", "outputTokens", "concurrency");
    private static final String EXAMPLE = "{\"cluster\": \"cluster.yaml\", \"connectivity\": \"links.yaml\", "
            + "\"model\": \"tiiuae/Falcon3-10B-Base\", \"placement\": \"node0:20,node1:20\", \"measured\": "
            + "{\"mean_itl_ms\": 80.1}}";

    private final String source;
    private final Path folder;
    private final Map<Path, ClusterSnapshot> clusters = new HashMap<>();
    private final Map<List<Path>, ConnectivityMap> links = new HashMap<>();
    private final Map<String, ModelSpec> models = new HashMap<>();
    private int lineNumber;

    private ObservationLines(Path file) {
        this.source = file.toString();
        Path parent = file.toAbsolutePath().normalize().getParent();
        this.folder = parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    static List<Observation> read(Path file) {
        return new ObservationLines(file).observations(BoundedText.read(file, MAX_BYTES,
                "split the observations over several files", "one JSON object per line"));
    }

    private List<Observation> observations(String text) {
        List<Observation> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNumber++;
            String line = text.substring(start, end);
            start = end + 1;
            if (line.length() > MAX_LINE_CHARS) {
                throw new InvalidInputException(source, "line " + lineNumber, "longer than " + MAX_LINE_CHARS
                        + " characters; one observation is one line of a few hundred");
            }
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                out.add(observation(tree(trimmed)));
            }
        }
        if (out.isEmpty()) {
            throw new InvalidInputException(source, null, "holds no observation; expected one JSON object per line "
                    + "like " + EXAMPLE);
        }
        return List.copyOf(out);
    }

    private JsonNode tree(String line) {
        JsonNode root;
        try {
            root = JSON.readTree(line);
        } catch (StreamConstraintsException e) {
            throw new InvalidInputException(source, "line " + lineNumber, "nested too deeply or too large; each line "
                    + "is one object like " + EXAMPLE);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at column " + at.getColumnNr();
            // Jackson may name a start marker's place in a source it has redacted; the column says enough.
            String why = e.getOriginalMessage().replaceAll(" \\(start marker at \\[Source: .*", "");
            throw new InvalidInputException(source, "line " + lineNumber, "not valid JSON" + where + " (" + why
                    + "); each line is one object like " + EXAMPLE);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(source, "line " + lineNumber, "must be a JSON object like " + EXAMPLE
                    + ", found " + (root == null ? "nothing" : JsonFields.describe(root)));
        }
        return root;
    }

    private Observation observation(JsonNode line) {
        line.fieldNames().forEachRemaining(name -> {
            if (!TOP.contains(name)) {
                throw bad(name, "unknown field; valid fields: " + String.join(", ", TOP.stream().sorted().toList()));
            }
        });
        Path clusterFile = path(line, "cluster");
        Path linksFile = path(line, "connectivity");
        ClusterSnapshot cluster = clusters.computeIfAbsent(clusterFile,
                f -> within("cluster", () -> ClusterFiles.readCluster(f)));
        ConnectivityMap connectivity = links.computeIfAbsent(List.of(linksFile, clusterFile),
                k -> within("connectivity", () -> ClusterFiles.readConnectivity(linksFile, cluster)));
        ModelSpec model = models.computeIfAbsent(text(line, "model"), this::model);
        String spec = text(line, "placement");
        Placement placement;
        try {
            placement = Placement.parse(spec);
        } catch (IllegalArgumentException e) {
            throw bad("placement", "'" + spec + "': " + e.getMessage());
        }
        int maxModelLen = line.has("maxModelLen") ? whole(line.get("maxModelLen"), "maxModelLen")
                : model.defaultMaxModelLen();
        if (maxModelLen > model.contextLength()) {
            throw bad("maxModelLen", "must be 1 to " + model.name() + "'s context length " + model.contextLength()
                    + ", was " + maxModelLen);
        }
        PlacementRequest request = PlacementRequest.builder(model, cluster, connectivity).workload(workload(line))
                .maxModelLen(maxModelLen).build();
        List<String> problems = request.problemsWith(placement);
        if (!problems.isEmpty()) {
            throw bad("placement", "'" + spec + "': " + String.join("; ", problems));
        }
        return new Observation(placement, request, measured(line.get("measured")));
    }

    /** A path field, resolved against the observations file's folder as the format promises. */
    private Path path(JsonNode line, String field) {
        String value = text(line, field);
        try {
            return folder.resolve(value).normalize();
        } catch (InvalidPathException e) {
            throw bad(field, "'" + value + "' is not a valid path: " + e.getMessage());
        }
    }

    /** Reads a companion file, naming this line in any problem the companion has. */
    private <T> T within(String field, Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidInputException e) {
            if (source.equals(e.source())) {
                throw e; // already names this file and line
            }
            throw new InvalidInputException(source, "line " + lineNumber + ": " + field, e.getMessage(), e);
        }
    }

    private ModelSpec model(String value) {
        ModelCatalog catalog = ModelCatalog.builtIn();
        if (catalog.find(value).isPresent()) {
            return catalog.find(value).get();
        }
        String resolved;
        try {
            resolved = folder.resolve(value).normalize().toString();
        } catch (InvalidPathException e) {
            resolved = value;
        }
        String path = resolved;
        return within("model", () -> catalog.resolve(path, source, "line " + lineNumber + ": model"));
    }

    private Workload workload(JsonNode line) {
        JsonNode w = line.get("workload");
        if (w == null) {
            return Workload.DEFAULT;
        }
        if (!w.isObject()) {
            throw bad("workload", "must be an object like {\"inputTokens\": 1024, \"outputTokens\": 128, "
                    + "\"concurrency\": 16}, found " + JsonFields.describe(w));
        }
        w.fieldNames().forEachRemaining(name -> {
            if (!WORKLOAD.contains(name)) {
                throw bad("workload." + name, "unknown field; valid fields: concurrency, inputTokens, outputTokens");
            }
        });
        Workload d = Workload.DEFAULT;
        return new Workload(wholeOr(w, "inputTokens", d.inputTokens()), wholeOr(w, "outputTokens", d.outputTokens()),
                wholeOr(w, "concurrency", d.concurrency()));
    }

    private int wholeOr(JsonNode w, String field, int fallback) {
        return w.has(field) ? whole(w.get(field), "workload." + field) : fallback;
    }

    /**
     * The measured object in {@code vllm bench serve}'s keys; everything else a bench result holds is ignored so
     * that one can be pasted whole. A missing (or null) metric is 0, which calibration reads as not measured.
     */
    private PipelineMetrics measured(JsonNode m) {
        if (m == null || !m.isObject()) {
            throw bad("measured", (m == null ? "missing" : "must be an object, found " + JsonFields.describe(m))
                    + "; give vllm bench serve's mean_ttft_ms, mean_itl_ms, mean_tpot_ms and output_throughput");
        }
        return new PipelineMetrics(metric(m, "mean_ttft_ms"), metric(m, "mean_itl_ms"), metric(m, "mean_tpot_ms"),
                metric(m, "output_throughput"), PipelineMetrics.Source.MEASURED);
    }

    private double metric(JsonNode m, String key) {
        JsonNode v = m.get(key);
        if (v == null || v.isNull()) {
            return 0;
        }
        double d = v.isNumber() ? v.asDouble() : Double.NaN;
        if (!(d >= 0 && d < Double.POSITIVE_INFINITY)) {
            throw bad("measured." + key, "must be a number >= 0 (0 = not measured), was " + JsonFields.describe(v));
        }
        return d;
    }

    private String text(JsonNode line, String field) {
        JsonNode v = line.get(field);
        if (v == null || v.isNull()) {
            throw bad(field, "missing; each line is one object like " + EXAMPLE);
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw bad(field, "must be non-empty text, found " + JsonFields.describe(v));
        }
        return v.asText().strip();
    }

    private int whole(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw bad(field, "must be a whole number >= 1, was " + JsonFields.describe(v));
        }
        return v.asInt();
    }

    private InvalidInputException bad(String field, String problem) {
        return new InvalidInputException(source, "line " + lineNumber + ": " + field, problem);
    }
}
