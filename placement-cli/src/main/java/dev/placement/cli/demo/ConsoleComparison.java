package dev.placement.cli.demo;

import dev.placement.api.PipelineMetrics;
import dev.placement.cli.demo.DemoFormat.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The console's comparison of several agents that ran the same scenario: per step the split each ran and the
 * ITL it achieved beside the fixed placements, then per agent and fixed placement its means, restarts and
 * downtime (the report's side-by-side summary). Stateless.
 */
public final class ConsoleComparison {
    private static final int CELL = 17;

    private ConsoleComparison() {
    }

    /**
     * @param runs the agents' runs over the same steps, at least one
     * @return the lines to print, each ending in a line break
     */
    public static String render(List<AgentRun> runs) {
        List<DemoRun.StepRow> first = runs.get(0).rows();
        StringBuilder s = new StringBuilder("Side by side: per step the split each ran (layers per node in pipeline\n"
                + "order; * restarted during the step) and its ITL in ms, the simulation's truth:\n");
        List<String> names = new ArrayList<>();
        runs.forEach(r -> names.add(r.key()));
        names.addAll(List.of("fixed all nodes", "fixed 2 nodes"));
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-3s %-18s", "#", "step"));
        names.forEach(n -> header.append(' ').append(pad(n)));
        s.append(header.toString().stripTrailing()).append('\n');
        for (int i = 0; i < first.size(); i++) {
            DemoRun.StepRow row = first.get(i);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-3d %-18s", row.index(),
                    cut(row.label(), 18)));
            for (AgentRun r : runs) {
                DemoRun.StepRow x = r.rows().get(i);
                line.append(' ').append(pad(cell(x.orchestrator(), x.reconfigurations() > 0)));
            }
            line.append(' ').append(pad(cell(row.baseline(DemoRun.VLLM_DEFAULT), false)));
            line.append(' ').append(pad(cell(row.baseline(DemoRun.FIXED_TWO_NODES), false)));
            s.append(line.toString().stripTrailing()).append('\n');
        }
        List<Integer> steps = Summary.commonSteps(runs);
        s.append('\n').append(String.format(Locale.ROOT, "Means over the %d of %d steps where every series runs "
                + "(the simulation's truth; measured ITL beside):%n", steps.size(), first.size()));
        String format = "%-16s %8s %10s %8s %8s %8s %8s %8s %14s %14s%n";
        s.append(String.format(Locale.ROOT, format, "series", "restarts", "downtime", "TTFT", "ITL", "meas.ITL",
                "TPOT", "tok/s", "ITL vs all", "ITL vs 2")).append(String.format(Locale.ROOT, format, "", "", "s", "ms",
                "ms", "ms", "ms", "", "nodes", "nodes"));
        Double all = Summary.mean(i -> first.get(i).baseline(DemoRun.VLLM_DEFAULT).metrics(), steps, Metric.ITL);
        Double two = Summary.mean(i -> first.get(i).baseline(DemoRun.FIXED_TWO_NODES).metrics(), steps, Metric.ITL);
        for (AgentRun r : runs) {
            s.append(summaryLine(format, cut(r.key(), 16), Integer.toString(r.reconfigurations()),
                    DemoFormat.seconds(r.downtimeSeconds()), i -> r.rows().get(i).orchestrator().metrics(),
                    i -> r.rows().get(i).measured().metrics(), steps, all, two));
        }
        for (String[] f : new String[][] {{"fixed all nodes", DemoRun.VLLM_DEFAULT},
            {"fixed 2 nodes", DemoRun.FIXED_TWO_NODES}}) {
            s.append(summaryLine(format, f[0], "-", "-", i -> first.get(i).baseline(f[1]).metrics(), null, steps, all,
                    two));
        }
        return s.toString();
    }

    private static String summaryLine(String format, String name, String restarts, String downtime,
            Function<Integer, PipelineMetrics> truth, Function<Integer, PipelineMetrics> measured, List<Integer> steps,
            Double all, Double two) {
        Double itl = Summary.mean(truth, steps, Metric.ITL);
        return String.format(Locale.ROOT, format, name, restarts, downtime, mean(truth, steps, Metric.TTFT),
                mean(truth, steps, Metric.ITL), measured == null ? "-" : mean(measured, steps, Metric.ITL),
                mean(truth, steps, Metric.TPOT), mean(truth, steps, Metric.THROUGHPUT), change(itl, all),
                change(itl, two));
    }

    private static String mean(Function<Integer, PipelineMetrics> of, List<Integer> steps, Metric m) {
        Double v = Summary.mean(of, steps, m);
        return v == null ? "-" : String.format(Locale.ROOT, m.format, v);
    }

    private static String change(Double v, Double base) {
        return v == null || base == null || base == 0 ? "-"
                : String.format(Locale.ROOT, "%+.1f%%", (v - base) / base * 100);
    }

    private static String cell(DemoRun.Series s, boolean restarted) {
        if (s.placement() == null) {
            return "-";
        }
        String itl = Metric.ITL.format(s.metrics());
        return DemoFormat.split(s.placement()) + (restarted ? "*" : "") + " " + (itl.isEmpty() ? "-" : itl);
    }

    private static String pad(String s) {
        return String.format(Locale.ROOT, "%-" + CELL + "s", cut(s, CELL));
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }
}
