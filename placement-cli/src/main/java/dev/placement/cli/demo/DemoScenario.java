package dev.placement.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.BoundedText;
import dev.placement.core.input.ClusterFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A demo timeline: a simulated cluster, a model, and steps that change link latencies and take nodes down
 * and up. Read from YAML; the built-in one ({@code default-scenario.yaml} beside this class) documents the
 * format field by field.
 *
 * @param name              a title for the report
 * @param model             the model served
 * @param maxModelLen       vLLM's max model length in tokens (when the file gives none,
 *                          {@link ModelSpec#defaultMaxModelLen()})
 * @param objective         the objective
 * @param workload          the workload
 * @param firstNodeId       the node that must stay rank 0, or {@code null}
 * @param cluster           the nodes
 * @param baseRttMillis     every link's RTT before added latency
 * @param step              how long each step lasts (virtual time)
 * @param tick              how often the orchestrator ticks
 * @param restart           how long a simulated launch takes
 * @param cooldown          the orchestrator's cooldown
 * @param horizon           the orchestrator's gain horizon
 * @param steps             the timeline, at least one step
 * @param truth             how the simulated cluster really behaves (the performance model's parameters the
 *                          planner has to learn), or {@code null}: it behaves as the planner predicts
 */
public record DemoScenario(String name, ModelSpec model, int maxModelLen, Objective objective, Workload workload,
        String firstNodeId, ClusterSnapshot cluster, double baseRttMillis, Duration step, Duration tick,
        Duration restart, Duration cooldown, Duration horizon, List<Step> steps, PerformanceModel.Parameters truth) {

    private static final Set<String> FIELDS = Set.of("name", "model", "maxModelLen", "objective", "workload",
            "firstNode", "cluster", "baseRttMillis", "stepMinutes", "tickSeconds", "restartSeconds",
            "cooldownMinutes", "horizonMinutes", "steps", "truth");
    private static final Set<String> STEP_FIELDS = Set.of("label", "addedRttMillis", "fail", "recover");
    private static final Set<String> WORKLOAD_FIELDS = Set.of("inputTokens", "outputTokens", "concurrency");

    /**
     * Validates and copies: only that the required parts are given; {@link #parse(String, String)} checks the
     * values.
     *
     * @param name          a title for the report; not null
     * @param model         the model served; not null
     * @param maxModelLen   vLLM's max model length, in tokens; not checked
     * @param objective     the objective; not null
     * @param workload      the workload; not null
     * @param firstNodeId   the node that must stay rank 0, or {@code null}
     * @param cluster       the nodes; not null
     * @param baseRttMillis every link's RTT before added latency, in ms; not checked
     * @param step          how long each step lasts, in virtual time; not checked
     * @param tick          how often the orchestrator ticks; not checked
     * @param restart       how long a simulated launch takes; not checked
     * @param cooldown      the orchestrator's cooldown; not checked
     * @param horizon       the orchestrator's gain horizon; not checked
     * @param steps         the timeline; not null, no null element; copied (not checked to be non-empty)
     * @param truth         how the simulated cluster really behaves, or {@code null}: as the planner predicts
     */
    public DemoScenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(cluster, "cluster");
        steps = List.copyOf(steps);
    }

    /**
     * One step of the timeline.
     *
     * @param label          what the step shows, for example {@code [2,4]}
     * @param addedRttMillis extra RTT per link set by this step ({@code a -> b -> ms}, both ways); links not
     *                       given keep their earlier value
     * @param fail           nodes that go down at this step
     * @param recover        nodes that come back at this step
     */
    public record Step(String label, Map<String, Map<String, Double>> addedRttMillis, List<String> fail,
            List<String> recover) {
        /**
         * Copies.
         *
         * @param label          what the step shows; not null
         * @param addedRttMillis extra RTT per link in ms, {@code a -> b -> ms}; not null, no null row, no null key
         *                       or value in a row; copied
         * @param fail           nodes that go down at this step; not null, no null element; copied
         * @param recover        nodes that come back at this step; not null, no null element; copied
         */
        public Step {
            Objects.requireNonNull(label, "label");
            Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
            addedRttMillis.forEach((a, row) -> copy.put(a, Map.copyOf(row)));
            addedRttMillis = java.util.Collections.unmodifiableMap(copy);
            fail = List.copyOf(fail);
            recover = List.copyOf(recover);
        }
    }

    /**
     * @return the built-in scenario: the research testbed with the latency steps [0,0] … [2,10], node2 failing
     *         and recovering
     */
    public static DemoScenario builtIn() {
        try (InputStream in = DemoScenario.class.getResourceAsStream("default-scenario.yaml")) {
            if (in == null) {
                throw new IllegalStateException("default-scenario.yaml is missing from the CLI jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in scenario");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in scenario: " + e.getMessage(), e);
        }
    }

    /** @return the text of the built-in scenario file, to copy and edit */
    public static String builtInText() {
        try (InputStream in = DemoScenario.class.getResourceAsStream("default-scenario.yaml")) {
            return new String(Objects.requireNonNull(in, "default-scenario.yaml").readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in scenario: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a scenario file.
     *
     * @param file a YAML file in the format of the built-in scenario
     * @return the scenario
     * @throws InvalidInputException naming the file, field and value of the first problem
     */
    public static DemoScenario read(Path file) {
        // The bound and the regular-file rule are the cluster file's: a device or FIFO is refused, not read.
        return parse(BoundedText.read(file, MAX_FILE_BYTES, "a scenario file is a few KB", "a YAML scenario"),
                file.toString());
    }

    /**
     * Parses scenario text.
     *
     * @param text   YAML
     * @param source a name for messages, for example the file name
     * @return the scenario
     * @throws InvalidInputException naming the source, field and value of the first problem
     */
    public static DemoScenario parse(String text, String source) {
        JsonNode root = ClusterFiles.readYaml(text, source);
        if (!root.isObject()) {
            throw new InvalidInputException(source, null, "expected a mapping with model, cluster and steps");
        }
        ScenarioFields.rejectUnknown(root, "", FIELDS, source);
        ModelSpec model = ModelCatalog.builtIn().get(ScenarioFields.text(root, "model", source), source, "model");
        if (!root.hasNonNull("cluster") || !root.get("cluster").isObject()) {
            throw new InvalidInputException(source, "cluster", "missing; give the nodes as in a cluster file: "
                    + "cluster: {nodes: [{id: node0, address: 10.0.0.10, gpu: T4}, ...]}");
        }
        ClusterSnapshot cluster = ClusterFiles.parseClusterSection(root.get("cluster"), source, "cluster");
        if (cluster.nodes().isEmpty()) {
            throw new InvalidInputException(source, "cluster.nodes", "must list at least one node");
        }
        int maxModelLen = model.defaultMaxModelLen();
        if (root.has("maxModelLen")) {
            double v = ScenarioFields.number(root, "maxModelLen", source);
            if (v < 1 || v > model.contextLength() || v != Math.rint(v)) {
                throw new InvalidInputException(source, "maxModelLen", "must be a whole number from 1 to the "
                        + "model's context length " + model.contextLength() + ", was " + root.get("maxModelLen"));
            }
            maxModelLen = (int) v;
        }
        Objective objective = Objective.minimizeItl();
        if (root.has("objective")) {
            try {
                objective = Objective.of(Objective.Goal.parse(ScenarioFields.text(root, "objective", source)));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(source, "objective", e.getMessage());
            }
        }
        Workload workload = Workload.DEFAULT;
        if (root.has("workload")) {
            JsonNode w = root.get("workload");
            if (!w.isObject()) {
                throw new InvalidInputException(source, "workload", "must be a mapping of inputTokens, "
                        + "outputTokens and concurrency");
            }
            ScenarioFields.rejectUnknown(w, "workload.", WORKLOAD_FIELDS, source);
            Workload d = Workload.DEFAULT;
            workload = new Workload(
                    ScenarioFields.wholePositive(w, "inputTokens", "workload.", d.inputTokens(), source),
                    ScenarioFields.wholePositive(w, "outputTokens", "workload.", d.outputTokens(), source),
                    ScenarioFields.wholePositive(w, "concurrency", "workload.", d.concurrency(), source));
        }
        String firstNode = root.has("firstNode") ? ScenarioFields.text(root, "firstNode", source) : null;
        if (firstNode != null && cluster.find(firstNode).isEmpty()) {
            throw new InvalidInputException(source, "firstNode", "'" + firstNode + "' is not a node of the cluster; "
                    + "nodes: " + String.join(", ", cluster.nodeIds()));
        }
        double base = root.has("baseRttMillis") ? ScenarioFields.nonNegative(root, "baseRttMillis", source) : 0.2;
        Duration step = ScenarioFields.minutes(root, "stepMinutes", 60, source);
        Duration tick = ScenarioFields.seconds(root, "tickSeconds", 60, source);
        Duration restart = ScenarioFields.seconds(root, "restartSeconds", 60, source);
        Duration cooldown = ScenarioFields.minutes(root, "cooldownMinutes", 5, source);
        Duration horizon = ScenarioFields.minutes(root, "horizonMinutes", 60, source);
        if (tick.compareTo(step) > 0) {
            throw new InvalidInputException(source, "tickSeconds", "must not exceed the step length of "
                    + step.toMinutes() + " min, was " + tick.toSeconds() + " s");
        }
        List<Step> steps = steps(root.get("steps"), cluster, source);
        boundTicks(step, tick, steps.size(), source);
        String name = root.has("name") ? ScenarioFields.text(root, "name", source) : source;
        PerformanceModel.Parameters truth = root.has("truth") ? DemoTruth.parse(root.get("truth"), source) : null;
        return new DemoScenario(name, model, maxModelLen, objective, workload, firstNode, cluster, base, step, tick,
                restart, cooldown, horizon, steps, truth);
    }

    /**
     * @param goal the objective to use instead of the scenario's
     * @return a copy with that objective
     */
    public DemoScenario withObjective(Objective goal) {
        return new DemoScenario(name, model, maxModelLen, goal, workload, firstNodeId, cluster, baseRttMillis, step,
                tick, restart, cooldown, horizon, steps, truth);
    }

    private static List<Step> steps(JsonNode node, ClusterSnapshot cluster, String source) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new InvalidInputException(source, "steps", "must be a list of at least one step, each "
                    + "{label, addedRttMillis, fail, recover}");
        }
        List<Step> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "steps[" + i + "]";
            JsonNode s = node.get(i);
            if (!s.isObject()) {
                throw new InvalidInputException(source, path, "must be a mapping {label, addedRttMillis, fail, "
                        + "recover}");
            }
            ScenarioFields.rejectUnknown(s, path + ".", STEP_FIELDS, source);
            String label = ScenarioFields.text(s, "label", source, path + ".label");
            Map<String, Map<String, Double>> added = new LinkedHashMap<>();
            JsonNode a = s.get("addedRttMillis");
            if (a != null && !a.isNull()) {
                if (!a.isObject()) {
                    throw new InvalidInputException(source, path + ".addedRttMillis", "must be a mapping such as "
                            + "{node0: {node1: 2}}");
                }
                for (Map.Entry<String, JsonNode> row : a.properties()) {
                    String from = row.getKey();
                    known(from, path + ".addedRttMillis." + from, cluster, source);
                    if (!row.getValue().isObject()) {
                        throw new InvalidInputException(source, path + ".addedRttMillis." + from,
                                "must be a mapping of node to ms, such as {node1: 2}");
                    }
                    for (Map.Entry<String, JsonNode> cell : row.getValue().properties()) {
                        String field = path + ".addedRttMillis." + from + "." + cell.getKey();
                        known(cell.getKey(), field, cluster, source);
                        if (cell.getKey().equals(from)) {
                            throw new InvalidInputException(source, field, "a node has no link to itself");
                        }
                        JsonNode v = cell.getValue();
                        if (!v.isNumber() || !(v.asDouble() >= 0) || !Double.isFinite(v.asDouble())) {
                            throw new InvalidInputException(source, field, "must be a number of ms >= 0, found "
                                    + v);
                        }
                        added.computeIfAbsent(from, k -> new LinkedHashMap<>()).put(cell.getKey(), v.asDouble());
                    }
                }
            }
            out.add(new Step(label, added, ids(s, "fail", path, cluster, source), ids(s, "recover", path, cluster,
                    source)));
        }
        return out;
    }

    private static List<String> ids(JsonNode s, String field, String path, ClusterSnapshot cluster, String source) {
        JsonNode v = s.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new InvalidInputException(source, path + "." + field, "must be a list of node ids, such as [node2]");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String id = v.get(i).asText();
            known(id, path + "." + field + "[" + i + "]", cluster, source);
            out.add(id);
        }
        return out;
    }

    private static void known(String id, String field, ClusterSnapshot cluster, String source) {
        if (cluster.find(id).isEmpty()) {
            throw new InvalidInputException(source, field, "unknown node '" + id + "'; nodes: "
                    + String.join(", ", cluster.nodeIds()));
        }
    }

    /** The largest scenario file read. */
    static final int MAX_FILE_BYTES = 1 << 20;

    /** The shortest duration a scenario may give: ticks and restarts are whole seconds of simulated time. */
    static final Duration MIN_DURATION = Duration.ofSeconds(1);
    /** The longest duration a scenario may give: a week, far beyond any demo. */
    static final Duration MAX_DURATION = Duration.ofDays(7);
    /** The most ticks a demo may run, over all its steps: a demo must end in seconds, not run for ever. */
    static final long MAX_TICKS = 100_000;

    /** Refuses a scenario whose steps would take more than {@link #MAX_TICKS} ticks. */
    private static void boundTicks(Duration step, Duration tick, int steps, String source) {
        long perStep = Math.max(1, step.toMillis() / tick.toMillis());
        if (perStep > MAX_TICKS / steps) {
            throw new InvalidInputException(source, "tickSeconds", "gives " + Math.multiplyExact(perStep, steps)
                    + " ticks over " + steps + " steps of " + step.toSeconds() + " s; at most " + MAX_TICKS
                    + " ticks: lengthen tickSeconds or shorten stepMinutes");
        }
    }
}
