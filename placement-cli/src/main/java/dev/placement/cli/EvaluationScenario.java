package dev.placement.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scenario of {@code placement evaluate}: a cluster, its links, a model and a workload to place it for.
 * A scenario file (YAML or JSON) holds {@code cluster:} and {@code connectivity:} in the formats of the cluster
 * and connectivity files, {@code model:} (a catalogue id, or the path of a config.json relative to the scenario
 * file) and optionally {@code workload: {inputLen, outputLen, concurrency}} (default 512, 128, 8) and
 * {@code maxModelLen} (default the model's, at most 4096). Its name is the file's name without the extension.
 *
 * @param name         the scenario's name
 * @param model        the model to place
 * @param cluster      the nodes
 * @param connectivity the links between them
 * @param workload     the traffic the placement is judged under
 * @param maxModelLen  vLLM's max model length in tokens
 */
record EvaluationScenario(String name, ModelSpec model, ClusterSnapshot cluster, ConnectivityMap connectivity,
        Workload workload, int maxModelLen) {

    /** The scenarios built in, as resources beside this class under {@code scenarios/}, in name order. */
    static final List<String> BUILT_IN = List.of("hetero-5-nodes", "mixed-8-nodes", "research-00-00",
            "research-02-02", "research-02-04", "research-02-06", "research-02-08", "research-02-10");
    /** The most scenario files a directory may hold: every read is bounded. */
    static final int MAX_FILES = 1000;
    private static final Set<String> FIELDS = Set.of("cluster", "connectivity", "model", "workload", "maxModelLen");
    private static final Set<String> WORKLOAD_FIELDS = Set.of("inputLen", "outputLen", "concurrency");
    private static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");

    /** Checks that every part is given. */
    EvaluationScenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(connectivity, "connectivity");
        Objects.requireNonNull(workload, "workload");
    }

    /**
     * @param objective what to optimise
     * @return the request an agent and the solver decide on for this scenario
     */
    PlacementRequest request(Objective objective) {
        return PlacementRequest.builder(model, cluster, connectivity).objective(objective).workload(workload)
                .maxModelLen(maxModelLen).build();
    }

    /**
     * Reads every scenario file of a directory: the files ending in .yaml, .yml or .json (other files and hidden
     * ones are left alone), each read once and bounded.
     *
     * @param dir the directory
     * @return the scenarios, sorted by name; never empty
     * @throws InvalidInputException naming the directory when it is missing, empty or holds more than
     *                               {@value #MAX_FILES} scenario files or two of one name, or naming the file, the
     *                               field and the value of the first problem in a file
     */
    static List<EvaluationScenario> readDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("--scenarios", null, "'" + dir + "' is not a directory"
                    + (Files.exists(dir) ? "" : " (it does not exist)") + "; give a directory of scenario files");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (scenarioName(p) != null && Files.isRegularFile(p)) {
                    if (files.size() == MAX_FILES) {
                        throw new InvalidInputException(dir.toString(), null, "holds more than " + MAX_FILES
                                + " scenario files; split them over several directories");
                    }
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(dir.toString(), null, "cannot be listed: " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new InvalidInputException(dir.toString(), null, "holds no scenario files (*.yaml, *.yml, *.json)");
        }
        files.sort(Comparator.comparing(EvaluationScenario::scenarioName).thenComparing(Path::toString));
        List<EvaluationScenario> out = new ArrayList<>();
        for (Path f : files) {
            String name = scenarioName(f);
            if (!out.isEmpty() && out.get(out.size() - 1).name().equals(name)) {
                throw new InvalidInputException(f.toString(), null, "a second file of scenario '" + name
                        + "'; each scenario is one file");
            }
            String source = f.getFileName().toString();
            out.add(parse(ClusterFiles.readTree(f), name, source, f.toAbsolutePath().getParent()));
        }
        return List.copyOf(out);
    }

    /** @return the built-in set: the research's latency ladder, a heterogeneous cluster and an 8-node one */
    static List<EvaluationScenario> builtIn() {
        List<EvaluationScenario> out = new ArrayList<>();
        for (String name : BUILT_IN) {
            String resource = "scenarios/" + name + ".yaml";
            try (InputStream in = EvaluationScenario.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the built-in scenario " + resource + " is missing from the jar");
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                out.add(parse(ClusterFiles.readYaml(text, resource), name, resource, null));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the built-in scenario " + resource, e);
            }
        }
        return List.copyOf(out);
    }

    /** @return the file's name without its extension when it is a scenario file, else null */
    private static String scenarioName(Path file) {
        String f = file.getFileName().toString();
        if (f.startsWith(".")) {
            return null;
        }
        String lower = f.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().filter(lower::endsWith).findFirst()
                .map(ext -> f.substring(0, f.length() - ext.length())).filter(n -> !n.isEmpty()).orElse(null);
    }

    /**
     * Reads a scenario from its file's tree.
     *
     * @param root   the file's top-level mapping
     * @param name   the scenario's name
     * @param source the file, for messages
     * @param folder where a config.json path is relative to, or null for catalogue ids only
     * @return the scenario
     * @throws InvalidInputException naming the source, the field and the value of the first problem
     */
    static EvaluationScenario parse(JsonNode root, String name, String source, Path folder) {
        if (!root.isObject()) {
            throw new InvalidInputException(source, null, "expected a mapping with cluster, connectivity and model");
        }
        unknown(root, "", FIELDS, source);
        ModelSpec model = model(root.get("model"), source, folder);
        ClusterSnapshot cluster = ClusterFiles.parseClusterSection(root.get("cluster"), source, "cluster");
        ConnectivityMap links = ClusterFiles.parseConnectivitySection(root.get("connectivity"), source,
                "connectivity", cluster);
        int maxModelLen = root.has("maxModelLen") ? whole(root.get("maxModelLen"), "maxModelLen", source)
                : model.defaultMaxModelLen();
        if (maxModelLen > model.contextLength()) {
            throw new InvalidInputException(source, "maxModelLen", "must be 1 to " + model.name()
                    + "'s context length " + model.contextLength() + ", was " + maxModelLen);
        }
        Workload workload = workload(root.get("workload"), source);
        if (workload.inputTokens() + workload.outputTokens() > maxModelLen) {
            throw new InvalidInputException(source, "workload", "inputLen + outputLen = " + (workload.inputTokens()
                    + workload.outputTokens()) + " tokens exceeds maxModelLen " + maxModelLen);
        }
        return new EvaluationScenario(name, model, cluster, links, workload, maxModelLen);
    }

    private static ModelSpec model(JsonNode v, String source, Path folder) {
        if (v == null || v.isNull()) {
            throw new InvalidInputException(source, "model", "missing; give a catalogue id such as "
                    + "tiiuae/Falcon3-10B-Base or the path of a config.json");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new InvalidInputException(source, "model", "must be a catalogue id or a path, found " + v);
        }
        String id = v.asText().strip();
        ModelCatalog catalog = ModelCatalog.builtIn();
        if (catalog.find(id).isPresent() || folder == null) {
            return catalog.resolve(id, source, "model");
        }
        String path;
        try {
            path = folder.resolve(id).normalize().toString();
        } catch (InvalidPathException e) {
            throw new InvalidInputException(source, "model", "'" + id + "' is not a valid path: " + e.getMessage());
        }
        try {
            return catalog.resolve(path, source, "model");
        } catch (InvalidInputException e) {
            // A problem inside the config.json names that file; say which scenario pointed at it.
            throw source.equals(e.source()) ? e : new InvalidInputException(source, "model", e.getMessage(), e);
        }
    }

    private static Workload workload(JsonNode w, String source) {
        if (w == null || w.isNull()) {
            return Workload.DEFAULT;
        }
        if (!w.isObject()) {
            throw new InvalidInputException(source, "workload", "must be a mapping {inputLen, outputLen, "
                    + "concurrency}, found " + w);
        }
        unknown(w, "workload.", WORKLOAD_FIELDS, source);
        Workload d = Workload.DEFAULT;
        return new Workload(wholeOr(w, "inputLen", d.inputTokens(), source),
                wholeOr(w, "outputLen", d.outputTokens(), source), wholeOr(w, "concurrency", d.concurrency(), source));
    }

    private static int wholeOr(JsonNode w, String field, int fallback, String source) {
        return w.has(field) ? whole(w.get(field), "workload." + field, source) : fallback;
    }

    private static int whole(JsonNode v, String field, String source) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw new InvalidInputException(source, field, "must be a whole number >= 1, was " + v);
        }
        return v.asInt();
    }

    private static void unknown(JsonNode obj, String prefix, Set<String> allowed, String source) {
        obj.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                throw new InvalidInputException(source, prefix + f, "unknown field; valid fields here: "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        });
    }
}
