package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.api.Placement;
import java.util.List;
import java.util.Locale;

/**
 * The report's strips under the metric charts, one column per step in the same geometry: the nodes lane (per
 * agent and step the split that ran at the end of the step, its nodes, and whether the pipeline was restarted
 * during the step; then the fixed series) and the downtime bars (per step and agent, the seconds no pipeline
 * served). Each lane cell and bar carries its figures as {@code data-} attributes. Stateless.
 */
final class LaneSvg {
    static final int LABEL_W = 210;
    static final int COL_W = 122;
    static final int HEADER_H = 40;
    static final int AGENT_ROW_H = 56;
    private static final int FIXED_ROW_H = 42;
    private static final int GAP = 12;
    /** Cell fills by how many nodes fewer than the cluster has a placement uses: 0, 1, 2, 3 or more. */
    static final List<String> FILLS = List.of("#dbe9f6", "#e2f3dc", "#fdf1c7", "#f6dede");
    static final String NONE_FILL = "#f0f0f0";
    static final String RESTART_COLOR = "#e6550d";

    private LaneSvg() {
    }

    /** @return the lane's width in px for {@code steps} steps */
    static int width(int steps) {
        return LABEL_W + steps * COL_W + 8;
    }

    /**
     * @param runs         the agents' runs
     * @param clusterNodes how many nodes the cluster has
     * @return the lane
     */
    static String lane(List<AgentRun> runs, int clusterNodes) {
        List<DemoRun.StepRow> first = runs.get(0).rows();
        int n = first.size();
        List<String> fixed = List.of(DemoRun.VLLM_DEFAULT, DemoRun.PROPORTIONAL, DemoRun.FIXED_TWO_NODES);
        List<String> fixedNames = List.of("fixed all nodes", "memory-proportional", "fixed 2 nodes");
        int height = HEADER_H + runs.size() * AGENT_ROW_H + GAP + fixed.size() * FIXED_ROW_H + 6;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg class=\"lane\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"nodes used per agent and step\">\n",
                width(n), height, width(n), height));
        s.append(String.format(Locale.ROOT, "<text x=\"6\" y=\"24\" font-size=\"13\" fill=\"#333\" "
                + "font-weight=\"bold\">layers per node</text>"));
        for (int i = 0; i < n; i++) {
            double cx = LABEL_W + COL_W * (i + 0.5);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"14\" font-size=\"10.5\" fill=\"#777\" "
                    + "text-anchor=\"middle\">step %d</text><text x=\"%.1f\" y=\"31\" font-size=\"12.5\" "
                    + "font-weight=\"bold\" text-anchor=\"middle\">%s</text>\n", cx, i + 1, cx,
                    html(first.get(i).label())));
        }
        int y = HEADER_H;
        for (int a = 0; a < runs.size(); a++) {
            AgentRun run = runs.get(a);
            s.append(rowLabel(y, AGENT_ROW_H, run.key(), run.name().equals(run.key()) ? "agent" : run.name(),
                    ReportLines.agentColor(a)));
            for (int i = 0; i < n; i++) {
                DemoRun.StepRow r = run.rows().get(i);
                s.append(cell(run.key(), i, y, AGENT_ROW_H, r.orchestrator().placement(), clusterNodes,
                        r.reconfigurations(), r.downtimeSeconds(), null));
            }
            y += AGENT_ROW_H;
        }
        y += GAP;
        for (int f = 0; f < fixed.size(); f++) {
            s.append(rowLabel(y, FIXED_ROW_H, fixedNames.get(f), "fixed, the truth", "#999"));
            for (int i = 0; i < n; i++) {
                s.append(cell(fixedNames.get(f), i, y, FIXED_ROW_H, first.get(i).baseline(fixed.get(f)).placement(),
                        clusterNodes, 0, 0, null));
            }
            y += FIXED_ROW_H;
        }
        return s.append("</svg>\n").toString();
    }

    /** @return a row's label: a bar of its colour, its name and under it its kind */
    static String rowLabel(int y, int h, String name, String sub, String color) {
        return String.format(Locale.ROOT, "<rect x=\"4\" y=\"%d\" width=\"6\" height=\"%d\" fill=\"%s\"/>"
                + "<text x=\"16\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>"
                + "<text x=\"16\" y=\"%d\" font-size=\"10.5\" fill=\"#666\">%s</text>\n", y + 5, h - 10, color,
                y + h / 2 - 1, html(cut(name, 28)), y + h / 2 + 13, html(cut(sub, 34)));
    }

    /**
     * @return the cell of a series at the 0-based step {@code i}: the placement's split and nodes, an orange
     *         border if it was restarted, and under them {@code note}, or if null the restarts and downtime
     */
    static String cell(String series, int i, int y, int h, Placement p, int clusterNodes,
            int reconfigurations, double downtime, String note) {
        double x = LABEL_W + COL_W * i;
        String fill = p == null ? NONE_FILL
                : FILLS.get(Math.min(FILLS.size() - 1, Math.max(0, clusterNodes - p.pipelineParallelSize())));
        String stroke = reconfigurations > 0 ? "stroke=\"" + RESTART_COLOR + "\" stroke-width=\"2.5\""
                : "stroke=\"#ccc\" stroke-width=\"1\"";
        String restart = (reconfigurations == 0 ? "" : "restarted" + (reconfigurations > 1 ? " ×" + reconfigurations
                : "") + ", ") + (reconfigurations == 0 && downtime == 0 ? ""
                : String.format(Locale.ROOT, "%.0f", downtime) + " s down");
        if (note != null) {
            restart = note;
        }
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<g class=\"lane-cell\" data-series=\"%s\" "
                + "data-step=\"%d\" data-placement=\"%s\" data-reconfigurations=\"%d\">", html(series), i + 1,
                p == null ? "" : html(p.toSpec()), reconfigurations));
        s.append(String.format(Locale.ROOT, "<title>%s, step %d: %s%s</title>", html(series), i + 1,
                p == null ? "nothing runs" : html(p.toSpec()), restart.isEmpty() ? "" : "; " + restart));
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" "
                + "fill=\"%s\" %s/>", x + 3, y + 3, COL_W - 6, h - 6, fill, stroke));
        double cx = x + COL_W / 2.0;
        boolean tall = h >= AGENT_ROW_H;
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"13\" font-weight=\"bold\" "
                + "text-anchor=\"middle\">%s</text>", cx, y + (tall ? 19 : 18), html(DemoFormat.split(p))));
        if (p != null) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10.5\" fill=\"#444\" "
                    + "text-anchor=\"middle\">%s</text>", cx, y + (tall ? 33 : 32),
                    html(cut(String.join(" ", p.nodeIds()), 22))));
        }
        if (!restart.isEmpty()) {
            String color = note == null || reconfigurations > 0 ? RESTART_COLOR : "#555";
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"%s\" "
                    + "text-anchor=\"middle\">%s</text>", cx, y + 47, color, html(restart)));
        }
        return s.append("</g>\n").toString();
    }

    /**
     * @param runs the agents' runs
     * @return the downtime bars: per step one bar per agent, its height the seconds no pipeline served
     */
    static String downtime(List<AgentRun> runs) {
        List<List<Double>> values = runs.stream().map(r -> r.rows().stream().map(DemoRun.StepRow::downtimeSeconds)
                .toList()).toList();
        List<String> colors = new java.util.ArrayList<>();
        for (int a = 0; a < runs.size(); a++) {
            colors.add(ReportLines.agentColor(a));
        }
        return downtime("Restart downtime per step", "seconds no pipeline served (a restart, or nothing running)",
                "step", runs.stream().map(AgentRun::key).toList(), colors, values,
                runs.get(0).rows().stream().map(DemoRun.StepRow::label).toList());
    }

    /**
     * @param title  the title
     * @param note   what follows the title
     * @param per    what a step is, for tooltips, for example {@code step}
     * @param series the series' names
     * @param colors the series' colours, one per series
     * @param values per series, its seconds down at each step
     * @param labels the steps' labels
     * @return the downtime bars: per step one bar per series, its height the seconds
     */
    static String downtime(String title, String note, String per, List<String> series, List<String> colors,
            List<List<Double>> values, List<String> labels) {
        int n = labels.size();
        int top = 40;
        int plotH = 130;
        int height = top + plotH + 34;
        double max = 1;
        for (List<Double> v : values) {
            for (double d : v) {
                max = Math.max(max, d);
            }
        }
        double hi = max * 1.15;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg class=\"downtime\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"restart downtime per %s\">\n",
                width(n), height, width(n), height, html(per)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s"
                + "<tspan font-weight=\"normal\" fill=\"#666\"> — %s</tspan></text>\n", LABEL_W, html(title),
                html(note)));
        int base = top + plotH;
        for (double v : new double[] {0, max / 2, max}) {
            double yy = base - v / hi * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#555\">%.0f</text>\n",
                    LABEL_W, width(n) - 8, yy, yy, LABEL_W - 6, yy + 4, v));
        }
        s.append(String.format(Locale.ROOT, "<text class=\"axis-title\" x=\"%d\" y=\"%d\" font-size=\"12.5\" "
                + "text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\" fill=\"#333\">downtime (s)</text>\n",
                LABEL_W - 48, top + plotH / 2, LABEL_W - 48, top + plotH / 2));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n",
                LABEL_W, width(n) - 8, base, base));
        double group = COL_W * 0.72;
        double bar = group / series.size();
        for (int i = 0; i < n; i++) {
            double x0 = LABEL_W + COL_W * i + (COL_W - group) / 2;
            for (int a = 0; a < series.size(); a++) {
                double v = values.get(a).get(i);
                double h = v / hi * plotH;
                double bx = x0 + a * bar;
                s.append(String.format(Locale.ROOT, "<rect class=\"downtime-bar\" data-series=\"%s\" data-step=\"%d\" "
                        + "data-downtime-s=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                        + "<title>%s, %s %d: %s s down</title></rect>", html(series.get(a)), i + 1,
                        DemoFormat.seconds(v), bx + 0.5, base - h, bar - 1, h, colors.get(a),
                        html(series.get(a)), html(per), i + 1, DemoFormat.seconds(v)));
                if (v > 0) {
                    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                            + "text-anchor=\"middle\" fill=\"#333\">%.0f</text>", bx + bar / 2, base - h - 3, v));
                }
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s"
                    + "</text>\n", LABEL_W + COL_W * (i + 0.5), base + 17, html(labels.get(i))));
        }
        return s.append("</svg>\n").toString();
    }

    /** @return {@code s}, cut to {@code width} characters with an ellipsis if longer */
    static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
