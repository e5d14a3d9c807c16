package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.api.PipelineMetrics;
import dev.placement.cli.demo.ChartLine.Marker;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The journal report's figures, drawn by the demo report's {@link ChartSvg} and {@link LaneSvg}: the lines of
 * the metric charts (measured and predicted), the links' RTT chart, the placement lane and the restart bars,
 * one column per decision. Stateless.
 */
final class JournalCharts {
    /** The links' colours, in the order of their names. */
    private static final List<String> LINK_COLORS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
            "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728");
    private static final List<Marker> LINK_MARKERS = List.of(Marker.CIRCLE, Marker.SQUARE, Marker.TRIANGLE,
            Marker.DIAMOND, Marker.TRIANGLE_DOWN, Marker.CROSS);
    /** Below this many px per decision, only every few decisions' labels are drawn, so that none overlap. */
    private static final double LABEL_PX = 48;

    private JournalCharts() {
    }

    /**
     * @param rows  the decisions
     * @param agent the agent's name, or null if several decided
     * @return the measured line (solid, filled markers) and the predicted one (dotted, hollow), as the demo draws
     *         an agent's
     */
    static List<ChartLine> metricLines(List<JournalRow> rows, String agent) {
        String who = agent == null ? "" : agent + ", ";
        String color = ReportLines.agentColor(0);
        return List.of(new ChartLine(who + "measured", "what the metrics source measured for the placement in force "
                + "after the decision: the first metrics after it, when taken before the next decision", color, "",
                Marker.CIRCLE, false, 2.4, values(rows, r -> r.measured() == null ? null : r.measured().metrics())),
                new ChartLine(who + "predicted", "what the planner predicted, when it decided, for the placement in "
                + "force after the decision: its choice when applied or kept, else the running placement on the "
                + "same links", color, "2 3", Marker.CIRCLE, true, 1.8, values(rows, JournalRow::predicted)));
    }

    private static List<PipelineMetrics> values(List<JournalRow> rows, Function<JournalRow, PipelineMetrics> of) {
        List<PipelineMetrics> out = new ArrayList<>();
        rows.forEach(r -> out.add(of.apply(r)));
        return out;
    }

    /**
     * @param rows the decisions
     * @return per link (as {@code node0–node1}, in name order), the smoothed RTT each decision was given, in ms:
     *         the mean of both directions where both were measured; null where the link was not among its links
     */
    static Map<String, List<Double>> rtts(List<JournalRow> rows) {
        TreeSet<String> names = new TreeSet<>();
        List<Map<String, Double>> each = new ArrayList<>();
        for (JournalRow r : rows) {
            Map<String, List<Double>> both = new LinkedHashMap<>();
            r.entry().context().connectivity().rttMillis().forEach((from, row) -> row.forEach((to, ms) -> {
                if (!from.equals(to)) {
                    String name = from.compareTo(to) < 0 ? from + "–" + to : to + "–" + from;
                    both.computeIfAbsent(name, k -> new ArrayList<>()).add(ms);
                }
            }));
            Map<String, Double> mean = new LinkedHashMap<>();
            both.forEach((name, v) -> mean.put(name, v.stream().mapToDouble(Double::doubleValue).average()
                    .orElseThrow()));
            names.addAll(mean.keySet());
            each.add(mean);
        }
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String name : names) {
            List<Double> v = new ArrayList<>();
            each.forEach(m -> v.add(m.get(name)));
            out.put(name, v);
        }
        return out;
    }

    /**
     * @param rtts per link, its RTT at each decision, as {@link #rtts} gives them
     * @return one line per link, each its own colour and marker; its figures are in {@link #rttMeasure}
     */
    static List<ChartLine> linkLines(Map<String, List<Double>> rtts) {
        List<ChartLine> lines = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, List<Double>> link : rtts.entrySet()) {
            List<PipelineMetrics> none = new ArrayList<>();
            link.getValue().forEach(v -> none.add(null));
            DoubleSummaryStatistics range = link.getValue().stream().filter(Objects::nonNull)
                    .mapToDouble(Double::doubleValue).summaryStatistics();
            lines.add(new ChartLine(link.getKey(), String.format(Locale.ROOT, "the link's RTT, %.2f to %.2f ms over "
                    + "the decisions", range.getMin(), range.getMax()), LINK_COLORS.get(k % LINK_COLORS.size()), "",
                    LINK_MARKERS.get(k % LINK_MARKERS.size()), false, 2, none));
            k++;
        }
        return lines;
    }

    /**
     * @param rtts per link, its RTT at each decision
     * @return the RTT chart's measure, which reads each link line's figures from {@code rtts}
     */
    static ChartSvg.Measure rttMeasure(Map<String, List<Double>> rtts) {
        return new ChartSvg.Measure("Link RTT", "ms", "smoothed, as each decision was given it", "%.2f",
                (line, i) -> rtts.get(line.name()).get(i));
    }

    /**
     * @param rows the decisions
     * @param span seconds from the first decision to the last
     * @return each decision's x axis label: its time since the first and, below, its trigger(s); only every
     *         few decisions' when they are too close for all
     */
    static List<String> axisLabels(List<JournalRow> rows, double span) {
        double px = (ChartSvg.WIDTH - 98.0) / Math.max(1, rows.size());
        int every = (int) Math.ceil(LABEL_PX / px);
        every += every > 1 && every % 2 == 0 ? 1 : 0; // odd, so that the labels drawn still alternate rows
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            out.add(i % every == 0 ? rows.get(i).time(span) + "\n" + rows.get(i).shortTriggers() : "");
        }
        return out;
    }

    /**
     * @param rows         the decisions
     * @param span         seconds from the first decision to the last
     * @param agent        the row's name: the agent's, or null if several decided
     * @param clusterNodes how many nodes the decisions saw at most
     * @return the lane: per decision the split and nodes in force after it, an orange border where it restarted
     *         the pipeline, and what the orchestrator did
     */
    static String lane(List<JournalRow> rows, double span, String agent, int clusterNodes) {
        int n = rows.size();
        int height = LaneSvg.HEADER_H + LaneSvg.AGENT_ROW_H + 6;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg class=\"lane\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"placement in force per decision\">\n",
                LaneSvg.width(n), height, LaneSvg.width(n), height));
        s.append("<text x=\"6\" y=\"24\" font-size=\"13\" fill=\"#333\" font-weight=\"bold\">layers per node</text>");
        for (int i = 0; i < n; i++) {
            JournalRow r = rows.get(i);
            double cx = LaneSvg.LABEL_W + LaneSvg.COL_W * (i + 0.5);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"14\" font-size=\"10.5\" fill=\"#777\" "
                    + "text-anchor=\"middle\">#%d · %s</text><text x=\"%.1f\" y=\"31\" font-size=\"12\" "
                    + "font-weight=\"bold\" text-anchor=\"middle\">%s<title>%s</title></text>\n", cx, r.entry().id(),
                    html(r.time(span)), cx, html(LaneSvg.cut(r.triggers(), 19)), html(r.triggers())));
        }
        int y = LaneSvg.HEADER_H;
        s.append(LaneSvg.rowLabel(y, LaneSvg.AGENT_ROW_H, agent == null ? "orchestrator" : agent,
                "in force after each decision", ReportLines.agentColor(0)));
        for (int i = 0; i < n; i++) {
            JournalRow r = rows.get(i);
            String note = r.action() + (r.restarted() ? " · " + String.format(Locale.ROOT, "%.0f", r.restartSeconds())
                    + " s" : "");
            s.append(LaneSvg.cell(agent == null ? "orchestrator" : agent, i, y, LaneSvg.AGENT_ROW_H, r.inForce(),
                    clusterNodes, r.restarted() ? 1 : 0, r.restartSeconds(), note));
        }
        return s.append("</svg>\n").toString();
    }

    /**
     * @param rows  the decisions
     * @param span  seconds from the first decision to the last
     * @param agent the series' name: the agent's, or null if several decided
     * @return the restart bars: per decision the seconds its restart took
     */
    static String downtime(List<JournalRow> rows, double span, String agent) {
        return LaneSvg.downtime("Restart downtime per decision", "seconds requests were held by its restart",
                "decision", List.of(agent == null ? "orchestrator" : agent), List.of(ReportLines.agentColor(0)),
                List.of(rows.stream().map(JournalRow::restartSeconds).toList()),
                rows.stream().map(r -> "#" + r.entry().id() + " · " + r.time(span)).toList());
    }
}
