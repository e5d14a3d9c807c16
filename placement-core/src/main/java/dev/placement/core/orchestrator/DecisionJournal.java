package dev.placement.core.orchestrator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.AgentProposal;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementException;
import dev.placement.api.Workload;
import dev.placement.core.llm.PlacementHistory;
import dev.placement.core.llm.PlacementOutcome;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The orchestrator's record of every decision, as JSON lines: what it saw (nodes, smoothed links, objective,
 * workload), what the agent proposed and predicted, whether it was applied and why, and — in a later line —
 * the metrics measured once it ran. It is the audit trail and the LLM agent's memory: as a
 * {@link PlacementHistory} it hands the placements that ran and their measured metrics to the prompt.
 *
 * <p>Two kinds of line, each one JSON object:
 * <pre>
 * {"kind":"decision","id":3,"at":"…","triggers":["LINK_CHANGED"],"nodes":[…],"unreachable":[…],
 *  "rttMillis":{"node0":{"node1":2.3},…},"objective":{"goal":"itl",…},"workload":{…},"agent":"solver",
 *  "proposed":"node0:20,node1:20","layerPartition":"20,20","rationale":"…","predicted":{…},
 *  "running":"node0:13,node1:14,node2:13","runningPredicted":{…},"action":"RECONFIGURED","applied":true,
 *  "reason":"…","restartSeconds":61.2}
 * {"kind":"measured","decision":3,"at":"…","placement":"node0:20,node1:20","measured":{"ttftMillis":…}}
 * </pre>
 * Metrics objects hold {@code ttftMillis}, {@code itlMillis}, {@code tpotMillis}, {@code outputTokensPerSecond}.
 *
 * <p>Thread-safe: every method is synchronized. A file journal appends and flushes each line, so a crash
 * loses at most the line being written, and {@link #openFile(Path)} reads earlier lines back as history.
 */
public final class DecisionJournal implements PlacementHistory, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter writer;
    private final List<Entry> entries = new ArrayList<>();
    private long nextId = 1;

    private DecisionJournal(Path file, BufferedWriter writer) {
        this.file = file;
        this.writer = writer;
    }

    /** @return a journal kept in memory only, for tests and short-lived runs */
    public static DecisionJournal inMemory() {
        return new DecisionJournal(null, null);
    }

    /**
     * Opens a journal file for appending, reading the entries it already holds as history.
     *
     * @param file the JSON-lines file; created (with its parent directories) if absent
     * @return the journal; close it to release the file
     * @throws InvalidInputException if an existing line is not a journal line (the message names the line)
     * @throws PlacementException    if the file cannot be read or opened
     */
    public static DecisionJournal openFile(Path file) {
        Objects.requireNonNull(file, "file");
        List<Entry> existing = Files.exists(file) ? read(file) : List.of();
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            DecisionJournal journal = new DecisionJournal(file, w);
            journal.entries.addAll(existing);
            journal.nextId = existing.stream().mapToLong(Entry::id).max().orElse(0) + 1;
            return journal;
        } catch (IOException e) {
            throw new PlacementException("cannot open the decision journal " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a journal file.
     *
     * @param file a file written by a {@code DecisionJournal}
     * @return its decisions in order, each with the first metrics measured after it, if any
     * @throws InvalidInputException naming the file and line if a line is not a journal line
     * @throws PlacementException    if the file cannot be read
     */
    public static List<Entry> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PlacementException("cannot read the decision journal " + file + ": " + e.getMessage(), e);
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1);
            try {
                JsonNode node = JSON.readTree(line);
                String kind = node.path("kind").asText();
                if (kind.equals("decision")) {
                    out.add(parseDecision(node));
                } else if (kind.equals("measured")) {
                    long id = node.path("decision").asLong();
                    for (int k = out.size() - 1; k >= 0; k--) {
                        if (out.get(k).id() == id && out.get(k).measured() == null) {
                            out.set(k, out.get(k).withMeasured(Placement.parse(node.path("placement").asText()),
                                    metrics(node.path("measured"), PipelineMetrics.Source.MEASURED),
                                    Instant.parse(node.path("at").asText())));
                            break;
                        }
                    }
                } else {
                    throw new IllegalArgumentException("'kind' must be 'decision' or 'measured', was '" + kind + "'");
                }
            } catch (JsonProcessingException e) {
                throw new InvalidInputException(file.toString(), where, "not a JSON object: "
                        + e.getOriginalMessage());
            } catch (RuntimeException e) {
                throw new InvalidInputException(file.toString(), where, "not a decision-journal line: "
                        + e.getMessage());
            }
        }
        return out;
    }

    /** @return every decision so far (including those read from the file), oldest first */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * The placements that ran and what was measured while they ran, oldest first: the LLM agent's few-shot
     * history.
     *
     * @return one outcome per decision after which metrics were measured
     */
    @Override
    public synchronized List<PlacementOutcome> outcomes() {
        List<PlacementOutcome> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.measured() != null) {
                out.add(new PlacementOutcome(e.measuredPlacement(), e.measured(), e.connectivity(), e.measuredAt()));
            }
        }
        return out;
    }

    /** Appends a decision line and returns the entry with its id. */
    synchronized Entry recordDecision(Entry draft) {
        Entry entry = draft.withId(nextId++);
        entries.add(entry);
        write(decisionLine(entry));
        return entry;
    }

    /** Appends the first measurement after a decision; later ones for the same decision are ignored. */
    synchronized void recordMeasured(long decisionId, Placement placement, PipelineMetrics measured, Instant at) {
        for (int k = entries.size() - 1; k >= 0; k--) {
            Entry e = entries.get(k);
            if (e.id() == decisionId) {
                if (e.measured() != null) {
                    return;
                }
                entries.set(k, e.withMeasured(placement, measured, at));
                ObjectNode line = JSON.createObjectNode();
                line.put("kind", "measured");
                line.put("decision", decisionId);
                line.put("at", at.toString());
                line.put("placement", placement.toSpec());
                line.set("measured", metricsNode(measured));
                write(line);
                return;
            }
        }
    }

    /** Flushes and closes the file, if any. Entries stay readable. */
    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new PlacementException("cannot close the decision journal " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private void write(ObjectNode line) {
        if (writer == null) {
            return;
        }
        try {
            writer.write(JSON.writeValueAsString(line));
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new PlacementException("cannot write the decision journal " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode decisionLine(Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", "decision");
        n.put("id", e.id());
        n.put("at", e.at().toString());
        ArrayNode triggers = n.putArray("triggers");
        e.triggers().stream().sorted().forEach(t -> triggers.add(t.name()));
        ArrayNode nodes = n.putArray("nodes");
        e.nodes().forEach(nodes::add);
        ArrayNode unreachable = n.putArray("unreachable");
        e.connectivity().unreachableNodes().stream().sorted().forEach(unreachable::add);
        ObjectNode rtt = n.putObject("rttMillis");
        e.connectivity().rttMillis().forEach((from, row) -> {
            ObjectNode r = rtt.putObject(from);
            row.forEach(r::put);
        });
        ObjectNode objective = n.putObject("objective");
        objective.put("goal", e.objective().goal().cliName());
        putNullable(objective, "maxTtftMillis", e.objective().maxTtftMillis());
        putNullable(objective, "maxItlMillis", e.objective().maxItlMillis());
        putNullable(objective, "minOutputTokensPerSecond", e.objective().minOutputTokensPerSecond());
        ObjectNode workload = n.putObject("workload");
        workload.put("inputTokens", e.workload().inputTokens());
        workload.put("outputTokens", e.workload().outputTokens());
        workload.put("concurrency", e.workload().concurrency());
        n.put("agent", e.agent());
        n.put("proposed", e.proposed() == null ? null : e.proposed().toSpec());
        n.put("layerPartition", e.proposed() == null ? null : e.proposed().layerPartition());
        n.put("rationale", e.rationale());
        n.set("predicted", metricsNode(e.predicted()));
        if (e.proposal() != null) {
            ObjectNode p = n.putObject("proposal");
            p.put("agent", e.proposal().agent());
            p.put("model", e.proposal().model());
            p.put("placement", e.proposal().placement() == null ? null : e.proposal().placement().toSpec());
            p.put("accepted", e.proposal().accepted());
            p.put("reason", e.proposal().reason());
        }
        n.put("running", e.runningBefore() == null ? null : e.runningBefore().toSpec());
        n.set("runningPredicted", metricsNode(e.runningPredicted()));
        n.put("action", e.action().name());
        n.put("applied", e.applied());
        n.put("reason", e.reason());
        putNullable(n, "restartSeconds", e.restartSeconds());
        return n;
    }

    private static Entry parseDecision(JsonNode n) {
        Set<Trigger> triggers = EnumSet.noneOf(Trigger.class);
        n.path("triggers").forEach(t -> triggers.add(Trigger.valueOf(t.asText())));
        List<String> nodes = new ArrayList<>();
        n.path("nodes").forEach(x -> nodes.add(x.asText()));
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(Instant.parse(n.path("at").asText()));
        n.path("rttMillis").properties().forEach(row -> row.getValue().properties()
                .forEach(c -> map.rtt(row.getKey(), c.getKey(), c.getValue().asDouble())));
        n.path("unreachable").forEach(x -> map.unreachable(x.asText()));
        JsonNode o = n.path("objective");
        Objective objective = new Objective(Objective.Goal.parse(o.path("goal").asText()),
                nullableDouble(o, "maxTtftMillis"), nullableDouble(o, "maxItlMillis"),
                nullableDouble(o, "minOutputTokensPerSecond"));
        JsonNode w = n.path("workload");
        Workload workload = new Workload(w.path("inputTokens").asInt(), w.path("outputTokens").asInt(),
                w.path("concurrency").asInt());
        AgentProposal proposal = null;
        if (n.hasNonNull("proposal")) {
            JsonNode p = n.path("proposal");
            proposal = new AgentProposal(p.path("agent").asText(), p.path("model").isNull() ? null
                    : p.path("model").asText(), placementOrNull(p.path("placement")), p.path("accepted").asBoolean(),
                    p.path("reason").asText());
        }
        return new Entry(n.path("id").asLong(), Instant.parse(n.path("at").asText()), triggers, nodes, map.build(),
                objective, workload, n.path("agent").asText(), placementOrNull(n.path("proposed")),
                n.path("rationale").isNull() ? null : n.path("rationale").asText(),
                metrics(n.path("predicted"), PipelineMetrics.Source.PREDICTED), proposal,
                placementOrNull(n.path("running")), metrics(n.path("runningPredicted"), PipelineMetrics.Source.PREDICTED),
                TickOutcome.Action.valueOf(n.path("action").asText()), n.path("applied").asBoolean(),
                n.path("reason").asText(), nullableDouble(n, "restartSeconds"), null, null, null);
    }

    private static Placement placementOrNull(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : Placement.parse(n.asText());
    }

    private static Double nullableDouble(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asDouble() : null;
    }

    private static void putNullable(ObjectNode n, String field, Double value) {
        if (value == null) {
            n.putNull(field);
        } else {
            n.put(field, value);
        }
    }

    private static JsonNode metricsNode(PipelineMetrics m) {
        if (m == null) {
            return JSON.nullNode();
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("ttftMillis", m.ttftMillis());
        n.put("itlMillis", m.itlMillis());
        n.put("tpotMillis", m.tpotMillis());
        n.put("outputTokensPerSecond", m.outputTokensPerSecond());
        return n;
    }

    private static PipelineMetrics metrics(JsonNode n, PipelineMetrics.Source source) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        return new PipelineMetrics(n.path("ttftMillis").asDouble(), n.path("itlMillis").asDouble(),
                n.path("tpotMillis").asDouble(), n.path("outputTokensPerSecond").asDouble(), source);
    }

    /**
     * One decision and what followed.
     *
     * @param id                numbered from 1 within a journal file
     * @param at                when the agent was asked
     * @param triggers          why it was asked
     * @param nodes             the reachable nodes it was given
     * @param connectivity      the smoothed links it was given
     * @param objective         the objective
     * @param workload          the workload
     * @param agent             the agent's name
     * @param proposed          the placement it chose, or {@code null} if it found none
     * @param rationale         its reasons, or {@code null}
     * @param predicted         its predicted metrics, or {@code null}
     * @param proposal          an advisory (LLM) proposal behind the decision, or {@code null}
     * @param runningBefore     the placement running when it decided, or {@code null}
     * @param runningPredicted  the prediction for that running placement on the same links, or {@code null}
     * @param action            what the orchestrator did
     * @param applied           whether the proposed placement was launched and runs
     * @param reason            why it was or was not applied
     * @param restartSeconds    how long the restart took if one happened, or {@code null}
     * @param measuredPlacement the placement that ran when metrics were next measured, or {@code null}
     * @param measured          the first metrics measured after the decision, or {@code null}
     * @param measuredAt        when they were measured, or {@code null}
     */
    public record Entry(long id, Instant at, Set<Trigger> triggers, List<String> nodes, ConnectivityMap connectivity,
            Objective objective, Workload workload, String agent, Placement proposed, String rationale,
            PipelineMetrics predicted, AgentProposal proposal, Placement runningBefore,
            PipelineMetrics runningPredicted, TickOutcome.Action action, boolean applied, String reason,
            Double restartSeconds, Placement measuredPlacement, PipelineMetrics measured, Instant measuredAt) {

        /** Validates the required fields and copies the collections. */
        public Entry {
            Objects.requireNonNull(at, "at");
            triggers = Set.copyOf(triggers);
            nodes = List.copyOf(nodes);
            Objects.requireNonNull(connectivity, "connectivity");
            Objects.requireNonNull(objective, "objective");
            Objects.requireNonNull(workload, "workload");
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(reason, "reason");
        }

        Entry withId(long newId) {
            return new Entry(newId, at, triggers, nodes, connectivity, objective, workload, agent, proposed, rationale,
                    predicted, proposal, runningBefore, runningPredicted, action, applied, reason, restartSeconds,
                    measuredPlacement, measured, measuredAt);
        }

        Entry withMeasured(Placement placement, PipelineMetrics metrics, Instant when) {
            return new Entry(id, at, triggers, nodes, connectivity, objective, workload, agent, proposed, rationale,
                    predicted, proposal, runningBefore, runningPredicted, action, applied, reason, restartSeconds,
                    placement, metrics, when);
        }
    }
}
