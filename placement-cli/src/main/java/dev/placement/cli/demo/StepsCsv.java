package dev.placement.cli.demo;

import dev.placement.cli.demo.DemoFormat.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the demo's rows as CSV ({@code steps.csv}): one line per step; per series (the orchestrator as it ran,
 * the same placement as the planner predicted it, vLLM's default split, the memory-proportional split) its
 * placement and TTFT, ITL, TPOT (ms) and output throughput (tokens/s), then the planner's prediction error for
 * what ran (percent, mean over TTFT, ITL and TPOT). Empty cells where nothing runs or a baseline does not fit.
 */
final class StepsCsv {
    private static final List<String> PREFIXES = List.of("", "predicted_", "vllm_default_", "proportional_");

    private StepsCsv() {
    }

    static String render(List<DemoRun.StepRow> rows) {
        StringBuilder out = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("step", "label", "nodes_up", "rtt_ms", "action", "agent_calls",
                "reconfigurations"));
        for (String p : PREFIXES) {
            header.add(p + "placement");
            header.add(p + "layer_partition");
            for (Metric m : DemoFormat.METRICS) {
                header.add(p + m.csv);
            }
        }
        header.add("prediction_error_pct");
        header.add("truths_choice");
        header.add("reason");
        out.append(String.join(",", header)).append('\n');
        for (DemoRun.StepRow r : rows) {
            List<String> cells = new ArrayList<>(List.of(Integer.toString(r.index()), r.label(),
                    String.join(" ", r.nodesUp()), DemoFormat.links(r.rttMillis()), r.action(),
                    Integer.toString(r.agentCalls()), Integer.toString(r.reconfigurations())));
            for (DemoRun.Series s : r.allSeries()) {
                cells.add(s.placement() == null ? "" : s.placement().toSpec());
                cells.add(s.placement() == null ? "" : s.placement().layerPartition());
                for (Metric m : DemoFormat.METRICS) {
                    cells.add(m.format(s.metrics()));
                }
            }
            cells.add(DemoFormat.percent(r.predictionError()));
            cells.add(r.truthsChoice() == null ? "" : r.truthsChoice().toSpec());
            cells.add(r.reason());
            out.append(String.join(",", cells.stream().map(DemoFormat::csv).toList())).append('\n');
        }
        return out.toString();
    }
}
