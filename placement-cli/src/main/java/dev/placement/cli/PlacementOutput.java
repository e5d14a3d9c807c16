package dev.placement.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.Stage;
import dev.placement.api.Objective;
import dev.placement.api.Slo;
import dev.placement.core.LinkEstimate;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
import dev.placement.core.StageEstimate;
import dev.placement.core.VariantChoice;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints plan and predict results as one JSON object or as a table for a person. Stateless. */
final class PlacementOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PlacementOutput() {
    }

    /** Rounds to 0.001 for output; a non-finite value is kept as it is. */
    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000.0) / 1000.0 : v;
    }

    static List<Map<String, Object>> stages(Placement p) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Stage s : p.stages()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", s.nodeId());
            m.put("firstLayer", s.firstLayer());
            m.put("layers", s.layerCount());
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> predicted(PipelineMetrics m, int maxConcurrent) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ttftMs", round(m.ttftMillis()));
        out.put("itlMs", round(m.itlMillis()));
        out.put("tpotMs", round(m.tpotMillis()));
        out.put("outputTokensPerSecond", round(m.outputTokensPerSecond()));
        out.put("maxConcurrentSequences", maxConcurrent);
        return out;
    }

    /**
     * A prediction's metrics, with the requests it runs at once and, under SLOs, its predicted goodput
     * ({@code goodputRequestsPerSecond}, {@code withinSloShare}, {@code slo}).
     */
    static Map<String, Object> predicted(Prediction p, Slo slo) {
        Map<String, Object> out = predicted(p.metrics(), p.maxConcurrentSequences());
        out.put("concurrentRequests", p.servedSequences());
        if (!slo.isNone()) {
            out.put("slo", slo.toSpec());
            out.put("goodputRequestsPerSecond", round(p.spread().goodput(slo)));
            out.put("withinSloShare", round(p.spread().shareWithin(slo)));
        }
        return out;
    }

    /** The {@code plan --frontier} array: one object per point, sorted by TTFT. */
    static List<Map<String, Object>> frontierJson(List<PlacementSolver.FrontierPoint> points, Slo slo) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PlacementSolver.FrontierPoint f : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("placement", f.prediction().placement().toSpec());
            m.put("partition", f.prediction().placement().layerPartition());
            m.put("nodes", f.prediction().placement().pipelineParallelSize());
            m.put("chosen", f.chosen());
            m.put("predicted", predicted(f.prediction(), slo));
            m.put("trade", f.trade());
            out.add(m);
        }
        return out;
    }

    /** Prints {@link #frontierJson}'s points as a table for a person, the objective's choice starred. */
    static void printFrontierTable(PrintWriter w, List<Map<String, Object>> points, String objective) {
        w.printf(Locale.ROOT,
                "Trade-off frontier (Pareto-optimal over TTFT, ITL and throughput; * = the %s choice)%n%n",
                objective);
        w.printf(Locale.ROOT, "  %-36s %10s %9s %11s %5s  %s%n", "placement", "TTFT ms", "ITL ms", "tok/s", "seqs",
                "trade");
        for (Map<String, Object> f : points) {
            Map<?, ?> p = (Map<?, ?>) f.get("predicted");
            w.printf(Locale.ROOT, "%s %-36s %10.1f %9.1f %11.1f %5s  %s%n", Boolean.TRUE.equals(f.get("chosen")) ? "*"
                    : " ", f.get("placement"), p.get("ttftMs"), p.get("itlMs"), p.get("outputTokensPerSecond"),
                    p.get("concurrentRequests"), f.get("trade"));
        }
        w.flush();
    }

    /** The {@code plan} object, keys exactly as documented in issue 3, plus {@code "llm"} when an LLM proposed. */
    static Map<String, Object> planJson(PlacementDecision d, Objective objective, String model, Prediction p,
            List<String> excluded, double solveMillis, Boolean proven) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agent", d.agent());
        out.put("objective", objective.goal().cliName());
        out.put("model", model);
        out.put("placement", d.placement().toSpec());
        out.put("stages", stages(d.placement()));
        out.put("partition", d.placement().layerPartition());
        out.put("tensorParallelSize", d.placement().tensorParallelSize());
        out.put("excludedNodes", excluded);
        out.put("predicted", predicted(p, objective.slo()));
        out.put("rationale", d.rationale());
        out.put("solveMillis", round(solveMillis));
        out.put("proven", proven);
        Map<String, Object> llm = LlmAgentOptions.json(d.proposal());
        if (llm != null) {
            out.put("llm", llm);
        }
        return out;
    }

    /** For {@code plan --variant}: each variant's model, and its placement and prediction or why it has none. */
    static List<Map<String, Object>> variantsJson(VariantChoice.Result choice, Slo slo) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (VariantChoice.Candidate c : choice.candidates()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("model", c.request().model().name());
            v.put("chosen", c == choice.best());
            v.put("partition", c.decision() == null ? null : c.decision().placement().toSpec());
            v.put("predicted", c.prediction() == null ? null : predicted(c.prediction(), slo));
            v.put("problem", c.problem());
            list.add(v);
        }
        return list;
    }

    /** The {@code predict} object: the plan's keys where they apply, plus per-stage and per-link terms. */
    static Map<String, Object> predictJson(String model, Prediction p, List<String> excluded, Slo slo) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("placement", p.placement().toSpec());
        out.put("stages", stageTerms(p));
        out.put("partition", p.placement().layerPartition());
        out.put("tensorParallelSize", p.placement().tensorParallelSize());
        out.put("excludedNodes", excluded);
        out.put("predicted", predicted(p, slo));
        List<Map<String, Object>> links = new ArrayList<>();
        for (LinkEstimate l : p.links()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", l.fromNodeId());
            m.put("to", l.toNodeId());
            m.put("returnHop", l.returnHop());
            m.put("rttMs", round(l.rttMillis()));
            m.put("bandwidthMbps", round(l.bandwidthBytesPerSecond() * 8 / 1e6));
            m.put("decodeCrossingMs", round(l.decodeCrossingMillis()));
            m.put("prefillCrossingMs", round(l.prefillCrossingMillis()));
            links.add(m);
        }
        out.put("links", links);
        return out;
    }

    private static List<Map<String, Object>> stageTerms(Prediction p) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StageEstimate s : p.stages()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", s.nodeId());
            m.put("firstLayer", s.firstLayer());
            m.put("layers", s.layers());
            m.put("weightBytes", s.weightBytes());
            m.put("reserveBytes", s.reserveBytes());
            m.put("kvCacheBytes", s.kvCacheBytes());
            m.put("kvCacheTokens", s.kvCacheTokens());
            m.put("decodeStepMs", round(s.decodeStepMillis()));
            m.put("prefillMs", round(s.prefillMillis()));
            m.put("computeBoundDecode", s.computeBoundDecode());
            out.add(m);
        }
        return out;
    }

    static void printJson(PrintWriter w, Object object) {
        try {
            w.println(JSON.writeValueAsString(object));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        w.flush();
    }

    /** With tensor parallelism, a line saying how many GPUs each stage runs on; nothing without. */
    private static void tensorParallelLine(PrintWriter w, Map<String, Object> result) {
        Object t = result.get("tensorParallelSize");
        if (t instanceof Integer size && size > 1) {
            w.printf(Locale.ROOT, "%-12s %d GPUs per stage (--tensor-parallel-size %d)%n", "tensor par.", size, size);
        }
    }

    static void printPlanTable(PrintWriter w, Map<String, Object> plan) {
        w.printf(Locale.ROOT, "%-12s %s%n", "agent", plan.get("agent"));
        w.printf(Locale.ROOT, "%-12s %s%n", "objective", plan.get("objective"));
        w.printf(Locale.ROOT, "%-12s %s%n", "model", plan.get("model"));
        w.printf(Locale.ROOT, "%-12s %s (VLLM_PP_LAYER_PARTITION=%s)%n", "partition", plan.get("partition"),
                plan.get("partition"));
        tensorParallelLine(w, plan);
        List<?> excluded = (List<?>) plan.get("excludedNodes");
        w.printf(Locale.ROOT, "%-12s %s%n", "left out", excluded.isEmpty() ? "none" : String.join(", ",
                excluded.stream().map(Object::toString).toList()));
        w.println();
        stageTable(w, plan);
        w.println();
        predictedLine(w, plan);
        w.printf(Locale.ROOT, "%-12s %.1f ms%s%n", "solved in", (Double) plan.get("solveMillis"),
                Boolean.TRUE.equals(plan.get("proven")) ? " (proven optimal)" : Boolean.FALSE.equals(plan.get("proven"))
                        ? " (not proven optimal)" : "");
        Object llm = plan.get("llm");
        if (llm instanceof Map<?, ?> m) {
            w.printf(Locale.ROOT, "%-12s %s (%s) proposed %s: %s, %s%n", "llm", m.get("provider"), m.get("model"),
                    m.get("proposal"), Boolean.TRUE.equals(m.get("accepted")) ? "accepted" : "rejected",
                    m.get("reason"));
        }
        w.println();
        w.println(plan.get("rationale"));
        w.flush();
    }

    static void printPredictTable(PrintWriter w, Map<String, Object> result) {
        w.printf(Locale.ROOT, "%-12s %s%n", "model", result.get("model"));
        w.printf(Locale.ROOT, "%-12s %s (VLLM_PP_LAYER_PARTITION=%s)%n", "placement", result.get("placement"),
                result.get("partition"));
        tensorParallelLine(w, result);
        w.println();
        w.printf(Locale.ROOT, "%-4s %-16s %6s %6s %10s %10s %12s %10s %11s%n", "rank", "node", "first", "layers",
                "weights GB", "reserve GB", "KV tokens", "decode ms", "prefill ms");
        int rank = 0;
        for (Object o : (List<?>) result.get("stages")) {
            Map<?, ?> s = (Map<?, ?>) o;
            w.printf(Locale.ROOT, "%-4d %-16s %6s %6s %10.2f %10.2f %12s %10.2f %11.1f%s%n", rank++, s.get("node"),
                    s.get("firstLayer"), s.get("layers"), ((Number) s.get("weightBytes")).longValue() / 1e9,
                    ((Number) s.get("reserveBytes")).longValue() / 1e9, s.get("kvCacheTokens"), s.get("decodeStepMs"),
                    s.get("prefillMs"), Boolean.TRUE.equals(s.get("computeBoundDecode")) ? " (compute bound)" : "");
        }
        List<?> links = (List<?>) result.get("links");
        if (!links.isEmpty()) {
            w.println();
            w.printf(Locale.ROOT, "%-24s %8s %10s %14s %14s%n", "link", "RTT ms", "Mbps", "decode ms", "prefill ms");
            for (Object o : links) {
                Map<?, ?> l = (Map<?, ?>) o;
                String name = l.get("from") + "→" + l.get("to")
                        + (Boolean.TRUE.equals(l.get("returnHop")) ? " (return)" : "");
                w.printf(Locale.ROOT, "%-24s %8s %10s %14s %14s%n", name, l.get("rttMs"), l.get("bandwidthMbps"),
                        l.get("decodeCrossingMs"), l.get("prefillCrossingMs"));
            }
        }
        w.println();
        predictedLine(w, result);
        w.flush();
    }

    private static void stageTable(PrintWriter w, Map<String, Object> plan) {
        w.printf(Locale.ROOT, "%-4s %-16s %11s %6s%n", "rank", "node", "first layer", "layers");
        int rank = 0;
        for (Object o : (List<?>) plan.get("stages")) {
            Map<?, ?> s = (Map<?, ?>) o;
            w.printf(Locale.ROOT, "%-4d %-16s %11s %6s%n", rank++, s.get("node"), s.get("firstLayer"), s.get("layers"));
        }
    }

    private static void predictedLine(PrintWriter w, Map<String, Object> object) {
        Map<?, ?> p = (Map<?, ?>) object.get("predicted");
        w.printf(Locale.ROOT, "%-12s TTFT %.1f ms, ITL %.1f ms, TPOT %.1f ms, %.1f output tokens/s, up to %s "
                + "sequences at once%n", "predicted", p.get("ttftMs"), p.get("itlMs"), p.get("tpotMs"),
                p.get("outputTokensPerSecond"), p.get("maxConcurrentSequences"));
        if (p.get("goodputRequestsPerSecond") != null) {
            w.printf(Locale.ROOT, "%-12s %.3f requests/s within %s (%.0f%% of requests)%n", "goodput",
                    p.get("goodputRequestsPerSecond"), p.get("slo"),
                    100 * ((Number) p.get("withinSloShare")).doubleValue());
        }
    }
}
