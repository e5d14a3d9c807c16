package dev.placement.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.AgentProposal;
import dev.placement.api.PipelineMetrics;
import dev.placement.core.Prediction;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Prints the rows of {@code placement evaluate} as a table for a person, one JSON object, or CSV, and the
 * summary line (mean and worst regret). Stateless.
 */
final class EvaluationOutput {
    /** How much of an LLM's first answer the table shows. */
    static final int ANSWER_CLIP_CHARS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CSV_HEADER = List.of("scenario", "model", "status", "agent_placement",
            "agent_ttft_ms", "agent_itl_ms", "agent_tpot_ms", "agent_output_tok_s", "best_placement", "best_ttft_ms",
            "best_itl_ms", "best_tpot_ms", "best_output_tok_s", "regret_pct", "reason", "llm_guard", "llm_reason",
            "llm_answers");

    private EvaluationOutput() {
    }

    /**
     * @param row a row
     * @return {@code ok}, {@code ineligible} or {@code error}
     */
    static String status(Evaluation.Row row) {
        return !row.evaluated() ? "error" : row.eligible() ? "ok" : "ineligible";
    }

    /**
     * @param p an LLM's proposal
     * @return what the guard did: {@code applied}, {@code rejected} (valid, not applied) or {@code fell back} (no
     *         valid placement)
     */
    static String guard(AgentProposal p) {
        return p.accepted() ? "applied" : p.placement() != null ? "rejected" : "fell back";
    }

    /**
     * The summary over the rows.
     *
     * @param rows the rows
     * @return scenarios, evaluated, ineligible, errors, meanRegretPct and worstRegretPct over the eligible rows
     *         (null when none is) and worstScenario
     */
    static Map<String, Object> summary(List<Evaluation.Row> rows) {
        List<Evaluation.Row> eligible = rows.stream().filter(Evaluation.Row::eligible).toList();
        Optional<Evaluation.Row> worst = eligible.stream().max(Comparator.comparingDouble(Evaluation.Row::regret));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenarios", rows.size());
        out.put("evaluated", rows.stream().filter(Evaluation.Row::evaluated).count());
        out.put("ineligible", rows.stream().filter(r -> r.evaluated() && !r.eligible()).count());
        out.put("errors", rows.stream().filter(r -> !r.evaluated()).count());
        out.put("meanRegretPct", eligible.isEmpty() ? null
                : round(eligible.stream().mapToDouble(Evaluation.Row::regret).average().orElseThrow() * 100));
        out.put("worstRegretPct", worst.map(r -> round(r.regret() * 100)).orElse(null));
        out.put("worstScenario", worst.map(Evaluation.Row::scenario).orElse(null));
        return out;
    }

    /**
     * @param summary {@link #summary}
     * @return the summary as one line for a person
     */
    static String summaryLine(Map<String, Object> summary) {
        String regret = summary.get("meanRegretPct") == null ? "no eligible placement"
                : String.format(Locale.ROOT, "mean regret %.1f%%, worst %.1f%% (%s)", summary.get("meanRegretPct"),
                        summary.get("worstRegretPct"), summary.get("worstScenario"));
        return String.format(Locale.ROOT, "summary: %s over %s; %s ineligible, %s errors", regret,
                scenarios(((Number) summary.get("scenarios")).intValue()), summary.get("ineligible"),
                summary.get("errors"));
    }

    /**
     * @param n a count of scenarios
     * @return {@code "1 scenario"} or {@code "n scenarios"}
     */
    static String scenarios(int n) {
        return n + (n == 1 ? " scenario" : " scenarios");
    }

    /**
     * Prints one JSON object: agent, objective, one entry per scenario and the summary.
     *
     * @param w         where to print
     * @param agent     the {@code --agent} value
     * @param objective the objective's CLI name
     * @param rows      the rows
     */
    static void printJson(PrintWriter w, String agent, String objective, List<Evaluation.Row> rows) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agent", agent);
        out.put("objective", objective);
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (Evaluation.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", r.scenario());
            m.put("model", r.model());
            m.put("status", status(r));
            m.put("agentPlacement", r.placement() == null ? null : r.placement().toSpec());
            m.put("agentPredicted", predicted(r.predicted()));
            m.put("bestPlacement", r.best() == null ? null : r.best().placement().toSpec());
            m.put("bestPredicted", predicted(r.best()));
            m.put("regretPct", r.eligible() ? round(r.regret() * 100) : null);
            m.put("reason", r.reason());
            if (r.proposal() != null || !r.answers().isEmpty()) {
                Map<String, Object> llm = r.proposal() == null ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(LlmAgentOptions.json(r.proposal()));
                llm.put("guard", r.proposal() == null ? null : guard(r.proposal()));
                llm.put("answers", r.answers());
                m.put("llm", llm);
            }
            scenarios.add(m);
        }
        out.put("scenarios", scenarios);
        out.put("summary", summary(rows));
        PlacementOutput.printJson(w, out);
    }

    /**
     * Prints CSV: a header, then one line per scenario; an LLM's answers are one cell holding a JSON list.
     *
     * @param w    where to print
     * @param rows the rows
     */
    static void printCsv(PrintWriter w, List<Evaluation.Row> rows) {
        w.println(String.join(",", CSV_HEADER));
        for (Evaluation.Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.scenario(), r.model(), status(r)));
            cells.add(r.placement() == null ? "" : r.placement().toSpec());
            cells.addAll(metricCells(r.predicted(), "%.3f", "%.3f", ""));
            cells.add(r.best() == null ? "" : r.best().placement().toSpec());
            cells.addAll(metricCells(r.best(), "%.3f", "%.3f", ""));
            cells.add(r.eligible() ? String.format(Locale.ROOT, "%.3f", r.regret() * 100) : "");
            cells.add(r.reason() == null ? "" : r.reason());
            cells.add(r.proposal() == null ? "" : guard(r.proposal()));
            cells.add(r.proposal() == null ? "" : r.proposal().reason());
            cells.add(r.proposal() == null && r.answers().isEmpty() ? "" : jsonText(r.answers()));
            w.println(String.join(",", cells.stream().map(EvaluationOutput::csv).toList()));
        }
        w.flush();
    }

    /**
     * Prints the table, the reasons of ineligible and failed scenarios beneath it, and the summary line.
     *
     * @param w        where to print
     * @param headline what was evaluated, printed first
     * @param rows     the rows
     */
    static void printTable(PrintWriter w, String headline, List<Evaluation.Row> rows) {
        boolean llm = rows.stream().anyMatch(r -> r.proposal() != null || !r.answers().isEmpty());
        List<String> header = new ArrayList<>(List.of("scenario", "agent placement", "TTFT ms", "ITL ms", "TPOT ms",
                "tok/s", "best placement", "TTFT ms", "ITL ms", "TPOT ms", "tok/s", "regret"));
        if (llm) {
            header.addAll(List.of("guard", "LLM answer"));
        }
        List<List<String>> table = new ArrayList<>();
        table.add(header);
        List<String> notes = new ArrayList<>();
        for (Evaluation.Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.scenario(), r.placement() == null ? "-"
                    : r.placement().toSpec()));
            cells.addAll(metricCells(r.predicted(), "%.0f", "%.1f", "-"));
            cells.add(r.best() == null ? "-" : r.best().placement().toSpec());
            cells.addAll(metricCells(r.best(), "%.0f", "%.1f", "-"));
            cells.add(r.eligible() ? String.format(Locale.ROOT, "%.1f%%", r.regret() * 100) : status(r));
            if (llm) {
                cells.add(r.proposal() == null ? "-" : guard(r.proposal()));
                cells.add(clipped(r.answers()));
            }
            table.add(cells);
            if (r.reason() != null) {
                notes.add("  " + r.scenario() + ": " + r.reason());
            }
        }
        w.println(headline);
        w.println();
        printAligned(w, table);
        if (!notes.isEmpty()) {
            w.println();
            notes.forEach(w::println);
        }
        w.println();
        w.println(summaryLine(summary(rows)));
        w.flush();
    }

    private static void printAligned(PrintWriter w, List<List<String>> table) {
        int columns = table.get(0).size();
        int[] width = new int[columns];
        table.forEach(row -> {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        });
        for (List<String> row : table) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                // Metrics and regret (columns 2-5 and 7-11) align right, placements and words left.
                boolean number = (c >= 2 && c <= 5) || (c >= 7 && c <= 11);
                String pad = " ".repeat(width[c] - cell.length());
                line.append(c == 0 ? "" : "  ").append(number ? pad + cell : cell + pad);
            }
            w.println(line.toString().stripTrailing());
        }
    }

    /** The first answer on one line, clipped; {@code (+N)} says how many more there were. */
    private static String clipped(List<String> answers) {
        if (answers.isEmpty()) {
            return "-";
        }
        String first = answers.get(0).replaceAll("\\s+", " ").strip();
        String clip = first.length() <= ANSWER_CLIP_CHARS ? first : first.substring(0, ANSWER_CLIP_CHARS) + "...";
        return clip + (answers.size() > 1 ? " (+" + (answers.size() - 1) + ")" : "");
    }

    private static Map<String, Object> predicted(Prediction p) {
        return p == null ? null : PlacementOutput.predicted(p.metrics(), p.maxConcurrentSequences());
    }

    /** TTFT, ITL, TPOT and throughput of a prediction as cells, or {@code absent} four times without one. */
    private static List<String> metricCells(Prediction p, String ttftFormat, String format, String absent) {
        if (p == null) {
            return Collections.nCopies(4, absent);
        }
        PipelineMetrics m = p.metrics();
        return List.of(String.format(Locale.ROOT, ttftFormat, m.ttftMillis()),
                String.format(Locale.ROOT, format, m.itlMillis()), String.format(Locale.ROOT, format, m.tpotMillis()),
                String.format(Locale.ROOT, format, m.outputTokensPerSecond()));
    }

    private static Double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static String jsonText(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csv(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")
                ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
