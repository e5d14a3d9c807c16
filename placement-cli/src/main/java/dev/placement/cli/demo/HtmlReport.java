package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.cli.demo.DemoFormat.Metric;
import java.util.List;

/**
 * Renders the demo as one self-contained HTML page comparing the agents that ran the scenario: a line chart
 * (inline SVG) per metric with each agent's measured and predicted figures beside the fixed placements
 * ({@link ReportLines}), the nodes lane and the downtime bars ({@link LaneSvg}), and per agent the table of
 * steps with the same figures as {@code steps.csv}. No scripts, fonts or images are loaded: it opens offline.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    /**
     * @param title the page's title
     * @return the page up to its body: the title and the styles every report shares
     */
    static String head(String title) {
        return new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>").append(html(title)).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;"
                        + "max-width:1480px;color:#222;padding:0 1em}\n")
                .append("h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\n")
                .append(".charts{display:flex;flex-wrap:wrap;gap:.6em 1em}\n")
                .append("figure{margin:0;flex:1 1 600px;max-width:720px}figcaption{font-size:.8em;color:#555;"
                        + "min-height:1em}\n")
                .append("svg{background:#fff;border:1px solid #ddd;width:100%;height:auto}\n")
                .append("svg.lane,svg.downtime{max-width:100%}svg.swatch{border:0;width:46px;height:14px;"
                        + "vertical-align:middle}\n")
                .append("ul.legend{list-style:none;padding:0;columns:2 560px;font-size:.85em;margin:.4em 0}\n")
                .append("ul.legend li{margin:.15em 0;break-inside:avoid}\n")
                .append(".key{display:inline-block;width:1.1em;height:.9em;border:1px solid #bbb;"
                        + "vertical-align:middle;border-radius:2px}\n")
                .append("table{border-collapse:collapse;font-size:.85em;margin-top:.6em}\n")
                .append("th,td{border:1px solid #ddd;padding:.3em .5em;text-align:right;vertical-align:top}\n")
                .append("td.l,th.l{text-align:left}tr.re td{background:#fff4f0}summary{cursor:pointer;"
                        + "font-weight:bold;margin-top:1em}\n")
                .append(".muted{color:#666}.caption{font-size:.9em}\n</style>\n</head>\n<body>\n").toString();
    }

    static String render(DemoScenario scenario, long seed, List<AgentRun> runs) {
        List<DemoRun.StepRow> first = runs.get(0).rows();
        StringBuilder h = new StringBuilder(head("Placement demo: " + scenario.name()));
        h.append("<h1>Placement demo</h1>\n<p>").append(html(scenario.name())).append("</p>\n");
        h.append("<p class=\"muted\">Model ").append(html(scenario.model().name())).append(" on ")
                .append(scenario.cluster().nodes().size()).append(" simulated nodes (")
                .append(html(String.join(", ", scenario.cluster().nodes().stream()
                        .map(n -> n.id() + " " + n.gpu().name()).toList())))
                .append("); agent").append(runs.size() == 1 ? " " : "s ")
                .append(String.join(", ", runs.stream().map(r -> "<b>" + html(r.key()) + "</b>").toList()))
                .append(runs.size() == 1 ? "" : ", each on its own simulated cluster with the same seed, its own "
                        + "orchestrator, journal and calibration").append("; objective <b>")
                .append(html(scenario.objective().goal().cliName())).append("</b>; seed ").append(seed)
                .append("; each step lasts ").append(scenario.step().toMinutes()).append(" virtual minutes, a restart ")
                .append(scenario.restart().toSeconds()).append(" s. Metrics are defined as <code>vllm bench serve"
                        + "</code> defines them. An agent's solid line is what the simulated cluster measured for the "
                        + "placement it ran, its dotted line what its planner predicted; the fixed placements never "
                        + "run, so theirs are the simulation's truth on each step's links.</p>\n");
        h.append(Summary.table(runs));
        StepLabels.Pairs pairs = StepLabels.pairs(scenario, first);
        List<ChartLine> lines = ReportLines.of(runs);
        List<String> labels = first.stream().map(DemoRun.StepRow::label).toList();
        h.append("<h2>Metrics per step</h2>\n").append(legend(lines));
        h.append("<p class=\"caption\">").append(StepLabels.caption(pairs, scenario)).append("</p>\n");
        h.append("<div class=\"charts\">\n");
        for (Metric m : DemoFormat.METRICS) {
            h.append(ChartSvg.render(m, ReportLines.drawingOrder(lines), labels, StepLabels.axisTitle(pairs)));
        }
        h.append("</div>\n");
        h.append("<h2>Nodes used and restarts per step</h2>\n<p class=\"caption\">Each cell: the layers per node, "
                + "in pipeline order, of what ran at the end of the step, and its nodes. Colour: ");
        int nodes = scenario.cluster().nodes().size();
        for (int k = 0; k < Math.min(nodes, LaneSvg.FILLS.size()); k++) {
            h.append(key(LaneSvg.FILLS.get(k))).append(' ').append(k == LaneSvg.FILLS.size() - 1 && nodes - k > 1
                    ? nodes - k + " nodes or fewer" : (nodes - k) + " node" + (nodes - k == 1 ? "" : "s")).append(", ");
        }
        h.append(key(LaneSvg.NONE_FILL)).append(" nothing runs. An orange border: the orchestrator restarted the "
                + "pipeline with a new placement during the step.</p>\n");
        h.append(LaneSvg.lane(runs, nodes));
        h.append(LaneSvg.downtime(runs));
        h.append("<p class=\"caption\">Downtime: the virtual seconds of the step during which no pipeline served "
                + "requests: each launch (the simulated cluster takes the scenario's restart time of ")
                .append(scenario.restart().toSeconds()).append(" s per launch), and any time nothing ran after a tick. "
                + "Bars in the agents' colours, in <code>--agent</code> order. The fixed placements are never "
                + "restarted.</p>\n");
        h.append(errors(runs));
        h.append("<h2>Steps</h2>\n");
        for (int i = 0; i < runs.size(); i++) {
            h.append(i == 0 ? "<details open>" : "<details>").append("<summary>").append(html(runs.get(i).key()))
                    .append(runs.get(i).name().equals(runs.get(i).key()) ? "" : " (" + html(runs.get(i).name()) + ")")
                    .append("</summary>\n").append(table(runs.get(i).rows())).append("</details>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** @return a colour's key: a small box of that fill */
    static String key(String fill) {
        return "<span class=\"key\" style=\"background:" + fill + "\"></span>";
    }

    /** @return the legend of chart lines: per line its swatch, name and description */
    static String legend(List<ChartLine> lines) {
        StringBuilder s = new StringBuilder("<ul class=\"legend\">\n");
        for (int j = 0; j < lines.size(); j++) {
            ChartLine l = lines.get(j);
            s.append("<li><svg class=\"swatch\" viewBox=\"0 0 46 14\" width=\"46\" height=\"14\" "
                    + "aria-hidden=\"true\"><line x1=\"2\" x2=\"44\" y1=\"7\" y2=\"7\" stroke=\"")
                    .append(l.color()).append("\" stroke-width=\"").append(l.width()).append('"')
                    .append(l.dash().isEmpty() ? "" : " stroke-dasharray=\"" + l.dash() + "\"").append("/>")
                    .append(l.marker().svg(23, 7, l.color(), l.hollow(), l.name())).append("</svg> <b>")
                    .append(html(l.name())).append("</b>: ").append(html(l.description()));
            for (int i = 0; i < j; i++) {
                if (l.identicalTo(lines.get(i))) {
                    s.append(" <b>Identical to ").append(html(lines.get(i).name()))
                            .append(" on every metric at every step</b> (drawn beside it).");
                    break;
                }
            }
            s.append("</li>\n");
        }
        return s.append("</ul>\n").toString();
    }

    /** @return per agent, the planner's prediction error for what ran at each step */
    private static String errors(List<AgentRun> runs) {
        StringBuilder s = new StringBuilder("<p class=\"caption\">The planner's prediction error for what runs "
                + "(mean of |predicted / true − 1| over TTFT, ITL and TPOT), per step:");
        for (AgentRun run : runs) {
            s.append(runs.size() == 1 ? "" : "<br><b>" + html(run.key()) + "</b>:");
            for (DemoRun.StepRow r : run.rows()) {
                String e = DemoFormat.percent(r.predictionError());
                s.append(' ').append(r.index()).append(": ").append(e.isEmpty() ? "—" : e + "%").append(';');
            }
            s.setLength(s.length() - 1);
            s.append('.');
        }
        return s.append("</p>\n").toString();
    }

    private static String table(List<DemoRun.StepRow> rows) {
        StringBuilder t = new StringBuilder("<table>\n<tr><th>#</th><th class=\"l\">step</th>"
                + "<th class=\"l\">link RTT (ms)</th><th class=\"l\">series</th><th class=\"l\">placement</th>");
        for (Metric m : DemoFormat.METRICS) {
            t.append("<th>").append(html(m.title)).append(" (").append(html(m.unit)).append(")</th>");
        }
        t.append("<th class=\"l\">orchestrator: action and why</th></tr>\n");
        for (DemoRun.StepRow r : rows) {
            List<DemoRun.Series> all = r.allSeries();
            for (int k = 0; k < all.size(); k++) {
                DemoRun.Series s = all.get(k);
                t.append(r.reconfigurations() > 0 ? "<tr class=\"re\">" : "<tr>");
                if (k == 0) {
                    int span = all.size();
                    t.append("<td rowspan=\"").append(span).append("\">").append(r.index()).append("</td>")
                            .append("<td class=\"l\" rowspan=\"").append(span).append("\">").append(html(r.label()))
                            .append("</td><td class=\"l\" rowspan=\"").append(span).append("\">")
                            .append(html(DemoFormat.links(r.rttMillis()))).append("</td>");
                }
                String name = k == 1 ? s.name() + " (mean of " + r.measuredSamples() + " samples)"
                        : k == 0 ? s.name() + ", achieved (the truth)" : s.name(); // allSeries' order
                t.append("<td class=\"l\">").append(html(name)).append("</td><td class=\"l\">")
                        .append(s.placement() == null ? "—" : html(s.placement().toSpec())).append("</td>");
                for (Metric m : DemoFormat.METRICS) {
                    String v = m.format(s.metrics());
                    t.append("<td>").append(v.isEmpty() ? "—" : v).append("</td>");
                }
                if (k == 0) {
                    t.append("<td class=\"l\" rowspan=\"").append(all.size()).append("\"><b>").append(html(r.action()))
                            .append("</b>, ").append(DemoFormat.seconds(r.downtimeSeconds()))
                            .append(" s down: ").append(html(r.reason())).append("</td>");
                }
                t.append("</tr>\n");
            }
        }
        return t.append("</table>\n").toString();
    }
}
