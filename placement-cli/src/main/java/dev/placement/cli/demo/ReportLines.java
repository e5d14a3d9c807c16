package dev.placement.cli.demo;

import dev.placement.api.PipelineMetrics;
import dev.placement.cli.demo.ChartLine.Marker;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The lines of the report's metric charts, in the legend's order: the fixed series first (they never run, so
 * they show the simulation's truth; vLLM's default as a wide grey band), then per agent what the simulated
 * cluster measured (solid, filled markers) and what its planner predicted (dotted, hollow markers of the same
 * shape and colour). {@link #drawingOrder} draws wide bands under solid lines under dashed and dotted ones, so
 * that a line drawn over another lets it show through. Stateless.
 */
final class ReportLines {
    /** The agents' colours, in {@code --agent} order. */
    static final List<String> AGENT_COLORS = List.of("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e",
            "#17becf");
    private static final List<Marker> AGENT_MARKERS = List.of(Marker.CIRCLE, Marker.TRIANGLE, Marker.CROSS,
            Marker.CIRCLE, Marker.TRIANGLE, Marker.CROSS);

    private ReportLines() {
    }

    /**
     * @param i an agent's position in the runs
     * @return its colour
     */
    static String agentColor(int i) {
        return AGENT_COLORS.get(i % AGENT_COLORS.size());
    }

    /**
     * @param runs the agents' runs over the same steps, at least one
     * @return the lines, in drawing order
     */
    static List<ChartLine> of(List<AgentRun> runs) {
        List<DemoRun.StepRow> first = runs.get(0).rows();
        List<ChartLine> lines = new ArrayList<>();
        lines.add(new ChartLine("fixed all nodes", "vLLM's default: the even split over every node up ("
                + splits(first, DemoRun.VLLM_DEFAULT) + "); the simulation's truth", "#9a9a9a", "", Marker.SQUARE,
                false, 6, baseline(first, DemoRun.VLLM_DEFAULT)));
        lines.add(new ChartLine("memory-proportional", "layers in proportion to GPU memory over every node up, as "
                + "exo and llama.cpp split (" + splits(first, DemoRun.PROPORTIONAL) + "); the simulation's truth",
                "#e377c2", "3 3", Marker.DIAMOND, true, 2.2, baseline(first, DemoRun.PROPORTIONAL)));
        lines.add(new ChartLine("fixed 2 nodes", "the even split over the cluster's first two nodes ("
                + splits(first, DemoRun.FIXED_TWO_NODES) + ") at every step, like the research's 20/20; the "
                + "simulation's truth, a gap where a node of it is down", "#8c564b", "12 3 3 3",
                Marker.TRIANGLE_DOWN, false, 2.2, baseline(first, DemoRun.FIXED_TWO_NODES)));
        for (int i = 0; i < runs.size(); i++) {
            AgentRun run = runs.get(i);
            String color = agentColor(i);
            Marker marker = AGENT_MARKERS.get(i % AGENT_MARKERS.size());
            lines.add(new ChartLine(run.key() + ", measured", "what the simulated cluster measured for the "
                    + "placement " + run.name() + " ran: the mean of the step's samples, each with the "
                    + "simulation's measurement noise", color, "", marker, false, 2.4,
                    values(run.rows(), r -> r.measured().metrics())));
            lines.add(new ChartLine(run.key() + ", predicted", "what " + run.key() + "'s planner predicted for it "
                    + "at the end of the step (it learns from what it measures)", color, "2 3", marker, true, 1.8,
                    values(run.rows(), r -> r.predicted().metrics())));
        }
        return lines;
    }

    /**
     * @param lines lines in the legend's order
     * @return the same lines as they are drawn: bands (at least 5 px wide) first, then solid lines, then dashed
     *         and dotted ones, each group in the legend's order
     */
    static List<ChartLine> drawingOrder(List<ChartLine> lines) {
        List<ChartLine> out = new ArrayList<>(lines.stream().filter(l -> l.width() >= 5).toList());
        lines.stream().filter(l -> l.width() < 5 && l.dash().isEmpty()).forEach(out::add);
        lines.stream().filter(l -> l.width() < 5 && !l.dash().isEmpty()).forEach(out::add);
        return out;
    }

    private static List<PipelineMetrics> baseline(List<DemoRun.StepRow> rows, String name) {
        return values(rows, r -> r.baseline(name).metrics());
    }

    private static List<PipelineMetrics> values(List<DemoRun.StepRow> rows,
            Function<DemoRun.StepRow, PipelineMetrics> of) {
        List<PipelineMetrics> out = new ArrayList<>();
        rows.forEach(r -> out.add(of.apply(r)));
        return out;
    }

    /** @return the distinct placements a fixed series ran, as {@code 13/14/13 on node0,node1,node2} */
    private static String splits(List<DemoRun.StepRow> rows, String name) {
        List<String> seen = new ArrayList<>();
        for (DemoRun.StepRow r : rows) {
            if (r.baseline(name).placement() != null) {
                String s = DemoFormat.splitOnNodes(r.baseline(name).placement());
                if (!seen.contains(s)) {
                    seen.add(s);
                }
            }
        }
        return seen.isEmpty() ? "never fits" : String.join(" or ", seen);
    }
}
