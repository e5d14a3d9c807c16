package dev.placement.core.orchestrator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.AgentProposal;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import dev.placement.core.orchestrator.DecisionJournal.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON lines of a {@link DecisionJournal}, both ways: a {@code decision} line per entry and a
 * {@code measured} line per first measurement after it (the format is on {@link DecisionJournal}). Stateless
 * and thread-safe.
 */
final class JournalLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JournalLines() {
    }

    static String decision(Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", "decision");
        n.put("id", e.id());
        n.put("at", e.at().toString());
        ArrayNode triggers = n.putArray("triggers");
        e.triggers().stream().sorted().forEach(t -> triggers.add(t.name()));
        Entry.Context c = e.context();
        ArrayNode nodes = n.putArray("nodes");
        c.nodes().forEach(nodes::add);
        ArrayNode unreachable = n.putArray("unreachable");
        c.connectivity().unreachableNodes().stream().sorted().forEach(unreachable::add);
        ObjectNode rtt = n.putObject("rttMillis");
        c.connectivity().rttMillis().forEach((from, row) -> {
            ObjectNode r = rtt.putObject(from);
            row.forEach(r::put);
        });
        ObjectNode objective = n.putObject("objective");
        objective.put("goal", c.objective().goal().cliName());
        putNullable(objective, "maxTtftMillis", c.objective().maxTtftMillis());
        putNullable(objective, "maxItlMillis", c.objective().maxItlMillis());
        putNullable(objective, "minOutputTokensPerSecond", c.objective().minOutputTokensPerSecond());
        if (!c.objective().slo().isNone()) {
            objective.put("slo", c.objective().slo().toSpec()); // goodput's: without it the line cannot be read
        }
        ObjectNode workload = n.putObject("workload");
        workload.put("inputTokens", c.workload().inputTokens());
        workload.put("outputTokens", c.workload().outputTokens());
        workload.put("concurrency", c.workload().concurrency());
        n.put("agent", e.agent());
        PlacementDecision d = e.decision();
        n.put("proposed", d == null ? null : d.placement().toSpec());
        n.put("layerPartition", d == null ? null : d.placement().layerPartition());
        n.put("rationale", d == null ? null : d.rationale());
        n.set("predicted", metricsNode(d == null ? null : d.predicted()));
        if (d != null && d.proposal() != null) {
            AgentProposal proposal = d.proposal();
            ObjectNode p = n.putObject("proposal");
            p.put("agent", proposal.agent());
            p.put("model", proposal.model());
            p.put("placement", proposal.placement() == null ? null : proposal.placement().toSpec());
            p.put("accepted", proposal.accepted());
            p.put("reason", proposal.reason());
        }
        n.put("running", c.running() == null ? null : c.running().toSpec());
        n.set("runningPredicted", metricsNode(c.runningPredicted()));
        Entry.Result r = e.result();
        n.put("action", r.action().name());
        n.put("applied", r.applied());
        n.put("reason", r.reason());
        putNullable(n, "restartSeconds", r.restartSeconds());
        return write(n);
    }

    static String measured(long decisionId, Entry.Measurement m) {
        ObjectNode line = JSON.createObjectNode();
        line.put("kind", "measured");
        line.put("decision", decisionId);
        line.put("at", m.at().toString());
        line.put("placement", m.placement().toSpec());
        line.set("measured", metricsNode(m.metrics()));
        return write(line);
    }

    /**
     * Reads the lines of a journal file into entries, each with the first measurement after it.
     *
     * @throws JsonProcessingException  if a line is not JSON
     * @throws IllegalArgumentException (or another runtime exception) if a line is JSON but not a journal line
     */
    static void readInto(String line, List<Entry> out, List<DecisionJournal.Learnt> learnt)
            throws JsonProcessingException {
        JsonNode node = JSON.readTree(line);
        String kind = node.path("kind").asText();
        if (kind.equals("decision")) {
            out.add(parseDecision(node));
        } else if (kind.equals("measured")) {
            long id = node.path("decision").asLong();
            for (int k = out.size() - 1; k >= 0; k--) {
                if (out.get(k).id() == id && out.get(k).measurement() == null) {
                    out.set(k, out.get(k).withMeasurement(new Entry.Measurement(
                            Placement.parse(node.path("placement").asText()),
                            metrics(node.path("measured"), PipelineMetrics.Source.MEASURED),
                            Instant.parse(node.path("at").asText()))));
                    break;
                }
            }
        } else if (kind.equals("calibration")) {
            learnt.add(parseCalibration(node));
        } else {
            throw new IllegalArgumentException("'kind' must be 'decision', 'measured' or 'calibration', was '"
                    + kind + "'");
        }
    }

    static String calibration(DecisionJournal.Learnt l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", "calibration");
        n.put("at", l.at().toString());
        n.put("placement", l.placement().toSpec());
        n.put("observations", l.observations());
        n.put("adopted", l.adopted());
        putNullable(n, "priorCvError", Double.isNaN(l.priorCvError()) ? null : l.priorCvError());
        putNullable(n, "fitCvError", Double.isNaN(l.fitCvError()) ? null : l.fitCvError());
        ObjectNode parameters = n.putObject("parameters");
        l.parameters().forEach(parameters::put);
        n.put("summary", l.summary());
        return write(n);
    }

    private static DecisionJournal.Learnt parseCalibration(JsonNode n) {
        java.util.Map<String, Double> parameters = new java.util.LinkedHashMap<>();
        n.path("parameters").properties().forEach(p -> parameters.put(p.getKey(), p.getValue().asDouble()));
        Double prior = nullableDouble(n, "priorCvError");
        Double fit = nullableDouble(n, "fitCvError");
        return new DecisionJournal.Learnt(Instant.parse(n.path("at").asText()),
                Placement.parse(n.path("placement").asText()), n.path("observations").asInt(),
                n.path("adopted").asBoolean(), prior == null ? Double.NaN : prior, fit == null ? Double.NaN : fit,
                parameters, n.path("summary").asText());
    }

    private static Entry parseDecision(JsonNode n) {
        Set<Trigger> triggers = EnumSet.noneOf(Trigger.class);
        n.path("triggers").forEach(t -> triggers.add(Trigger.valueOf(t.asText())));
        List<String> nodes = new ArrayList<>();
        n.path("nodes").forEach(x -> nodes.add(x.asText()));
        Instant at = Instant.parse(n.path("at").asText());
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(at);
        n.path("rttMillis").properties().forEach(row -> row.getValue().properties()
                .forEach(c -> map.rtt(row.getKey(), c.getKey(), c.getValue().asDouble())));
        n.path("unreachable").forEach(x -> map.unreachable(x.asText()));
        JsonNode o = n.path("objective");
        Objective objective = new Objective(Objective.Goal.parse(o.path("goal").asText()),
                nullableDouble(o, "maxTtftMillis"), nullableDouble(o, "maxItlMillis"),
                nullableDouble(o, "minOutputTokensPerSecond"), o.hasNonNull("slo") ? Slo.parse(o.path("slo").asText())
                : Slo.NONE);
        JsonNode w = n.path("workload");
        Workload workload = new Workload(w.path("inputTokens").asInt(), w.path("outputTokens").asInt(),
                w.path("concurrency").asInt());
        Entry.Context context = new Entry.Context(nodes, map.build(), objective, workload,
                placementOrNull(n.path("running")),
                metrics(n.path("runningPredicted"), PipelineMetrics.Source.PREDICTED));
        String agent = n.path("agent").asText();
        PlacementDecision decision = null;
        Placement proposed = placementOrNull(n.path("proposed"));
        if (proposed != null) {
            decision = new PlacementDecision(proposed, agent, n.path("rationale").asText(),
                    metrics(n.path("predicted"), PipelineMetrics.Source.PREDICTED), proposal(n.path("proposal")));
        }
        Entry.Result result = new Entry.Result(TickOutcome.Action.valueOf(n.path("action").asText()),
                n.path("applied").asBoolean(), n.path("reason").asText(), nullableDouble(n, "restartSeconds"));
        return new Entry(n.path("id").asLong(), at, triggers, context, agent, decision, result, null);
    }

    private static AgentProposal proposal(JsonNode p) {
        if (p.isMissingNode() || p.isNull()) {
            return null;
        }
        return new AgentProposal(p.path("agent").asText(), p.path("model").isNull() ? null : p.path("model").asText(),
                placementOrNull(p.path("placement")), p.path("accepted").asBoolean(), p.path("reason").asText());
    }

    private static String write(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a journal line could not be written as JSON", e);
        }
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
}
