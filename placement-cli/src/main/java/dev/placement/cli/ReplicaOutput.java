package dev.placement.cli;

import dev.placement.api.Objective;
import dev.placement.core.ReplicaPlan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code plan --replicas} prints: the JSON object and the table for a person. */
final class ReplicaOutput {
    private ReplicaOutput() {
    }

    /**
     * The {@code plan --replicas} object: {@code replicas} (each with its stages, placement, partition, requests
     * in flight, capacity and prediction), the unused nodes and the cluster's totals.
     */
    static Map<String, Object> json(ReplicaPlan plan, Objective objective, String model) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("objective", objective.goal().cliName());
        out.put("model", model);
        List<Map<String, Object>> replicas = new ArrayList<>();
        for (ReplicaPlan.Replica r : plan.replicas()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stages", PlacementOutput.stages(r.prediction().placement()));
            m.put("placement", r.prediction().placement().toSpec());
            m.put("partition", r.prediction().placement().layerPartition());
            m.put("concurrency", r.concurrency());
            m.put("capacityTokensPerSecond", PlacementOutput.round(r.capacity()));
            m.put("predicted", PlacementOutput.predicted(r.prediction(), objective.slo()));
            replicas.add(m);
        }
        out.put("replicas", replicas);
        out.put("unusedNodes", plan.unusedNodes());
        ReplicaPlan.Totals t = plan.totals();
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("outputTokensPerSecond", PlacementOutput.round(t.outputTokensPerSecond()));
        totals.put(objective.slo().isNone() ? "requestsPerSecond" : "goodputRequestsPerSecond",
                PlacementOutput.round(t.goodput()));
        totals.put("meanTtftMs", PlacementOutput.round(t.meanTtftMillis()));
        totals.put("meanItlMs", PlacementOutput.round(t.meanItlMillis()));
        totals.put("concurrentRequests", t.servedSequences());
        out.put("totals", totals);
        out.put("exact", plan.exact());
        out.put("solveMillis", PlacementOutput.round(plan.solveMillis()));
        return out;
    }

    /** Prints {@link #json}'s object as a table: one line per replica, then the cluster's totals. */
    static void printTable(PrintWriter w, Map<String, Object> plan) {
        w.printf(Locale.ROOT, "%-12s %s%n", "objective", plan.get("objective"));
        w.printf(Locale.ROOT, "%-12s %s%n", "model", plan.get("model"));
        List<?> unused = (List<?>) plan.get("unusedNodes");
        w.printf(Locale.ROOT, "%-12s %s%n", "unused", unused.isEmpty() ? "none"
                : String.join(", ", unused.stream().map(Object::toString).toList()));
        w.println();
        w.printf(Locale.ROOT, "  %-44s %8s %10s %9s %10s%n", "replica (VLLM_PP_LAYER_PARTITION)", "requests",
                "TTFT ms", "ITL ms", "tok/s");
        for (Object o : (List<?>) plan.get("replicas")) {
            Map<?, ?> r = (Map<?, ?>) o;
            Map<?, ?> p = (Map<?, ?>) r.get("predicted");
            w.printf(Locale.ROOT, "  %-44s %8s %10.1f %9.1f %10.1f%n", r.get("placement") + " (" + r.get("partition")
                    + ")", r.get("concurrency"), p.get("ttftMs"), p.get("itlMs"), p.get("outputTokensPerSecond"));
        }
        Map<?, ?> t = (Map<?, ?>) plan.get("totals");
        w.println();
        Object good = t.get("goodputRequestsPerSecond");
        w.printf(Locale.ROOT, "%-12s %.1f output tokens/s, mean TTFT %.1f ms, mean ITL %.1f ms, %s requests at "
                + "once%s%n", "cluster", t.get("outputTokensPerSecond"), t.get("meanTtftMs"), t.get("meanItlMs"),
                t.get("concurrentRequests"), good == null ? "" : String.format(Locale.ROOT,
                        ", goodput %.3f requests/s", ((Number) good).doubleValue()));
        w.printf(Locale.ROOT, "%-12s %.1f ms (%s)%n", "planned in", plan.get("solveMillis"),
                Boolean.TRUE.equals(plan.get("exact")) ? "every partition compared" : "local search");
        w.flush();
    }
}
