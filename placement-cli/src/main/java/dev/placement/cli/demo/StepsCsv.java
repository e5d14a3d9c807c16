package dev.placement.cli.demo;

import dev.placement.cli.demo.DemoFormat.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the demo's rows as CSV ({@code steps.csv}): one line per agent and step, every step of the first agent
 * first; per series (the orchestrator as it ran, the same placement as the planner predicted it, vLLM's default
 * split, the memory-proportional split) its placement and TTFT, ITL, TPOT (ms) and output throughput (tokens/s),
 * then the planner's prediction error for what ran (percent, mean over TTFT, ITL and TPOT), the truth's choice and
 * the reason. Then, appended so that the earlier columns keep their places: the {@code agent} (its
 * {@code --agent} name), the same placement as measured ({@code measured_*}, the mean of
 * {@code measured_samples} samples), {@code downtime_s} (seconds of the step no pipeline served) and the fixed
 * 2-node placement's columns ({@code fixed_2_nodes_*}). Empty cells where nothing runs or a baseline does not fit.
 */
final class StepsCsv {
    private static final List<String> PREFIXES = List.of("", "predicted_", "vllm_default_", "proportional_");

    private StepsCsv() {
    }

    static String render(List<AgentRun> runs) {
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
        header.add("agent");
        for (Metric m : DemoFormat.METRICS) {
            header.add("measured_" + m.csv);
        }
        header.add("measured_samples");
        header.add("downtime_s");
        header.add("fixed_2_nodes_placement");
        header.add("fixed_2_nodes_layer_partition");
        for (Metric m : DemoFormat.METRICS) {
            header.add("fixed_2_nodes_" + m.csv);
        }
        out.append(String.join(",", header)).append('\n');
        for (AgentRun run : runs) {
            for (DemoRun.StepRow r : run.rows()) {
                out.append(String.join(",", cells(run, r).stream().map(DemoFormat::csv).toList())).append('\n');
            }
        }
        return out.toString();
    }

    private static List<String> cells(AgentRun run, DemoRun.StepRow r) {
        List<String> cells = new ArrayList<>(List.of(Integer.toString(r.index()), r.label(),
                String.join(" ", r.nodesUp()), DemoFormat.links(r.rttMillis()), r.action(),
                Integer.toString(r.agentCalls()), Integer.toString(r.reconfigurations())));
        for (DemoRun.Series s : List.of(r.orchestrator(), r.predicted(), r.baseline(DemoRun.VLLM_DEFAULT),
                r.baseline(DemoRun.PROPORTIONAL))) {
            series(cells, s);
        }
        cells.add(DemoFormat.percent(r.predictionError()));
        cells.add(r.truthsChoice() == null ? "" : r.truthsChoice().toSpec());
        cells.add(r.reason());
        cells.add(run.key());
        for (Metric m : DemoFormat.METRICS) {
            cells.add(m.format(r.measured().metrics()));
        }
        cells.add(Integer.toString(r.measuredSamples()));
        cells.add(DemoFormat.seconds(r.downtimeSeconds()));
        series(cells, r.baseline(DemoRun.FIXED_TWO_NODES));
        return cells;
    }

    private static void series(List<String> cells, DemoRun.Series s) {
        cells.add(s.placement() == null ? "" : s.placement().toSpec());
        cells.add(s.placement() == null ? "" : s.placement().layerPartition());
        for (Metric m : DemoFormat.METRICS) {
            cells.add(m.format(s.metrics()));
        }
    }
}
