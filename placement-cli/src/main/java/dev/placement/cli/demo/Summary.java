package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.api.PipelineMetrics;
import dev.placement.cli.demo.DemoFormat.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The report's side-by-side summary: per agent and fixed placement, its means over the steps where every one
 * of them runs (the simulation's truth for all, so that they compare like with like; the agents' measured ITL
 * beside), how often it restarted and how long it was down. Stateless.
 */
final class Summary {
    private static final List<String> FIXED = List.of(DemoRun.VLLM_DEFAULT, DemoRun.FIXED_TWO_NODES,
            DemoRun.PROPORTIONAL);

    private Summary() {
    }

    /**
     * @param runs the agents' runs
     * @return the 0-based steps where every agent's placement and every fixed placement has metrics
     */
    static List<Integer> commonSteps(List<AgentRun> runs) {
        List<Integer> out = new ArrayList<>();
        List<DemoRun.StepRow> first = runs.get(0).rows();
        for (int i = 0; i < first.size(); i++) {
            int step = i;
            boolean all = runs.stream().allMatch(r -> r.rows().get(step).orchestrator().metrics() != null)
                    && FIXED.stream().allMatch(f -> first.get(step).baseline(f).metrics() != null);
            if (all) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * @param of    a series' metrics at each step
     * @param steps the steps to average over
     * @param m     the metric
     * @return the mean, or null if a step has none or there are no steps
     */
    static Double mean(Function<Integer, PipelineMetrics> of, List<Integer> steps, Metric m) {
        if (steps.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (int i : steps) {
            Double v = m.of(of.apply(i));
            if (v == null) {
                return null;
            }
            sum += v;
        }
        return sum / steps.size();
    }

    /**
     * @param runs the agents' runs
     * @return the summary as an HTML table
     */
    static String table(List<AgentRun> runs) {
        List<Integer> steps = commonSteps(runs);
        List<DemoRun.StepRow> first = runs.get(0).rows();
        StringBuilder t = new StringBuilder("<h2>Side by side</h2>\n<p class=\"caption\">Means over the ")
                .append(steps.size()).append(" of ").append(first.size()).append(" steps where every series runs; "
                        + "TTFT, ITL, TPOT and throughput are the simulation's truth for the placement each ran, "
                        + "so that agents and fixed placements compare like with like.</p>\n<table>\n<tr>"
                        + "<th class=\"l\">series</th><th>reconfigurations</th><th>downtime (s)</th>"
                        + "<th>measured ITL (ms)</th>");
        for (Metric m : DemoFormat.METRICS) {
            t.append("<th>").append(html(m.title)).append(" (").append(html(m.unit)).append(")</th>");
        }
        t.append("<th>ITL vs fixed all nodes</th><th>ITL vs fixed 2 nodes</th></tr>\n");
        Double all = mean(i -> first.get(i).baseline(DemoRun.VLLM_DEFAULT).metrics(), steps, Metric.ITL);
        Double two = mean(i -> first.get(i).baseline(DemoRun.FIXED_TWO_NODES).metrics(), steps, Metric.ITL);
        for (AgentRun run : runs) {
            List<DemoRun.StepRow> rows = run.rows();
            t.append("<tr><td class=\"l\"><b>").append(html(run.key())).append("</b></td><td>")
                    .append(run.reconfigurations()).append("</td><td>")
                    .append(DemoFormat.seconds(run.downtimeSeconds())).append("</td><td>")
                    .append(figure(mean(i -> rows.get(i).measured().metrics(), steps, Metric.ITL), Metric.ITL))
                    .append("</td>");
            means(t, i -> rows.get(i).orchestrator().metrics(), steps, all, two);
        }
        for (String f : FIXED) {
            t.append("<tr><td class=\"l\">").append(html(f)).append("</td><td>—</td><td>—</td><td>—</td>");
            means(t, i -> first.get(i).baseline(f).metrics(), steps, all, two);
        }
        return t.append("</table>\n").toString();
    }

    private static void means(StringBuilder t, Function<Integer, PipelineMetrics> of, List<Integer> steps, Double all,
            Double two) {
        for (Metric m : DemoFormat.METRICS) {
            t.append("<td>").append(figure(mean(of, steps, m), m)).append("</td>");
        }
        Double itl = mean(of, steps, Metric.ITL);
        t.append("<td>").append(change(itl, all)).append("</td><td>").append(change(itl, two)).append("</td></tr>\n");
    }

    private static String figure(Double v, Metric m) {
        return v == null ? "—" : String.format(Locale.ROOT, m.format, v);
    }

    private static String change(Double v, Double base) {
        return v == null || base == null || base == 0 ? "—" : String.format(Locale.ROOT, "%+.1f%%", (v - base) / base
                * 100);
    }
}
