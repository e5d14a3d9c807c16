package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.cli.demo.DemoFormat.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the demo as one self-contained HTML page: a line chart (inline SVG) per metric with one line for
 * the orchestrator and one per baseline across the steps, reconfigurations marked, and the table of steps
 * with the same figures as {@code steps.csv}. No scripts, fonts or images are loaded: it opens offline.
 */
final class HtmlReport {
    private static final String[] COLORS = {"#d62728", "#ff9896", "#1f77b4", "#7f7f7f"};
    private static final String[] DASHES = {"", "1 3", "6 4", "2 3"};
    private static final int WIDTH = 720;
    private static final int HEIGHT = 292;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 36;
    private static final int BOTTOM = 74;

    private HtmlReport() {
    }

    static String render(DemoScenario scenario, String agent, long seed, List<DemoRun.StepRow> rows) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Placement demo: ").append(html(scenario.name())).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;"
                        + "max-width:1200px;color:#222;padding:0 1em}\n")
                .append("h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}\n")
                .append(".charts{display:flex;flex-wrap:wrap;gap:1em}\n")
                .append("svg{background:#fff;border:1px solid #ddd;width:100%;max-width:590px;height:auto}\n")
                .append("table{border-collapse:collapse;font-size:.85em;margin-top:1em}\n")
                .append("th,td{border:1px solid #ddd;padding:.3em .5em;text-align:right;vertical-align:top}\n")
                .append("td.l,th.l{text-align:left}tr.re td{background:#fff4f0}\n")
                .append(".muted{color:#666}\n</style>\n</head>\n<body>\n");
        h.append("<h1>Placement demo</h1>\n<p>").append(html(scenario.name())).append("</p>\n");
        h.append("<p class=\"muted\">Model ").append(html(scenario.model().name())).append(" on ")
                .append(scenario.cluster().nodes().size()).append(" simulated nodes (")
                .append(html(String.join(", ", scenario.cluster().nodes().stream()
                        .map(n -> n.id() + " " + n.gpu().name()).toList())))
                .append("); agent <b>").append(html(agent)).append("</b>; objective <b>")
                .append(html(scenario.objective().goal().cliName())).append("</b>; seed ").append(seed)
                .append("; each step lasts ").append(scenario.step().toMinutes()).append(" virtual minutes, a restart ")
                .append(scenario.restart().toSeconds()).append(" s. Metrics are what each placement achieves on the "
                        + "true links of each step (the simulation's truth), as <code>vllm bench serve</code> defines "
                        + "them; the dotted line is what the planner predicts for the placement it runs, which it "
                        + "learns from what it measures.</p>\n");
        h.append(summary(rows));
        h.append("<h2>Metrics per step</h2>\n<div class=\"charts\">\n");
        for (Metric m : DemoFormat.METRICS) {
            h.append(chart(m, rows));
        }
        h.append("</div>\n");
        h.append("<p class=\"muted\">Shaded steps: the orchestrator restarted the pipeline with a new placement."
                + "</p>\n");
        h.append(table(rows));
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static String summary(List<DemoRun.StepRow> rows) {
        double orch = 0;
        double base = 0;
        int n = 0;
        int reconfigurations = 0;
        for (DemoRun.StepRow r : rows) {
            reconfigurations += r.reconfigurations();
            Double a = Metric.ITL.of(r.orchestrator().metrics());
            Double b = Metric.ITL.of(r.baselines().get(0).metrics());
            if (a != null && b != null) {
                orch += a;
                base += b;
                n++;
            }
        }
        StringBuilder s = new StringBuilder("<p>");
        s.append(reconfigurations).append(" reconfiguration").append(reconfigurations == 1 ? "" : "s")
                .append(" over ").append(rows.size()).append(" steps.");
        if (n > 0) {
            s.append(String.format(Locale.ROOT, " Mean ITL over the %d steps where both run: orchestrator %.1f ms, "
                    + "vLLM default %.1f ms (%+.1f%%).", n, orch / n, base / n, (orch - base) / base * 100));
        }
        s.append(" The planner's prediction error for what runs (mean over TTFT, ITL and TPOT), per step:");
        for (DemoRun.StepRow r : rows) {
            String e = DemoFormat.percent(r.predictionError());
            s.append(' ').append(r.index()).append(": ").append(e.isEmpty() ? "—" : e + "%").append(';');
        }
        s.setLength(s.length() - 1);
        s.append('.');
        return s.append("</p>\n").toString();
    }

    private static String chart(Metric metric, List<DemoRun.StepRow> rows) {
        List<DemoRun.Series> names = rows.get(0).allSeries();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (DemoRun.StepRow r : rows) {
            for (DemoRun.Series s : r.allSeries()) {
                Double v = metric.of(s.metrics());
                if (v != null) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min == Double.MAX_VALUE) {
            min = 0;
            max = 1;
        }
        double pad = Math.max((max - min) * 0.1, Math.abs(max) * 0.02 + 1e-9);
        double lo = Math.max(0, min - pad);
        double hi = max + pad;
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        int n = rows.size();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s per step\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT,
                html(metric.title)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s (%s)%s"
                + "</text>\n", LEFT, html(metric.title), html(metric.unit),
                metric.higherIsBetter ? " — higher is better" : " — lower is better"));
        for (int i = 0; i < n; i++) {
            double x = x(i, n, plotW);
            if (rows.get(i).reconfigurations() > 0) {
                double w = plotW / (double) Math.max(n, 1);
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                        + "fill=\"#fff0ea\"/>\n", x - w / 2, TOP, w, plotH));
            }
        }
        double tick = niceStep((hi - lo) / 4);
        for (double v = Math.ceil(lo / tick) * tick; v <= hi + 1e-9; v += tick) {
            double y = TOP + plotH - (v - lo) / (hi - lo) * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
                    LEFT, WIDTH - RIGHT, y, y, LEFT - 6, y + 4, tick >= 1 ? String.format(Locale.ROOT, "%.0f", v)
                            : String.format(Locale.ROOT, "%.1f", v)));
        }
        for (int i = 0; i < n; i++) {
            double x = x(i, n, plotW);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
                    + "fill=\"#333\">%s</text>\n", x, HEIGHT - BOTTOM + 16 + (i % 2) * 13, html(rows.get(i).label())));
        }
        for (int k = 0; k < names.size(); k++) {
            List<String> segment = new ArrayList<>();
            for (int i = 0; i <= n; i++) {
                Double v = i < n ? metric.of(rows.get(i).allSeries().get(k).metrics()) : null;
                if (v == null) {
                    s.append(polyline(segment, k));
                    segment.clear();
                    continue;
                }
                double x = x(i, n, plotW);
                double y = TOP + plotH - (v - lo) / (hi - lo) * plotH;
                segment.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: "
                        + "%s %s</title></circle>\n", x, y, COLORS[k % COLORS.length],
                        html(rows.get(i).allSeries().get(k).name()), metric.format(rows.get(i).allSeries().get(k)
                                .metrics()), html(metric.unit)));
            }
        }
        for (int k = 0; k < names.size(); k++) {
            int ly = HEIGHT - 20 + (k / 2) * 14;
            int lx = LEFT + (k % 2) * 330;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2.5\" stroke-dasharray=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"12\">%s"
                    + "</text>\n", lx, lx + 24, ly - 4, ly - 4, COLORS[k % COLORS.length], DASHES[k % DASHES.length],
                    lx + 30, ly, html(names.get(k).name())));
        }
        return s.append("</svg>\n").toString();
    }

    /** A round step (1, 2 or 5 times a power of ten) near {@code raw}, for axis ticks. */
    private static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    private static String polyline(List<String> points, int k) {
        if (points.size() < 2) {
            return "";
        }
        return String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
                + "stroke-dasharray=\"%s\"/>\n", String.join(" ", points), COLORS[k % COLORS.length],
                DASHES[k % DASHES.length]);
    }

    private static double x(int i, int n, int plotW) {
        return LEFT + plotW * (i + 0.5) / Math.max(n, 1);
    }

    private static String table(List<DemoRun.StepRow> rows) {
        StringBuilder t = new StringBuilder("<h2>Steps</h2>\n<table>\n<tr><th>#</th><th class=\"l\">step</th>"
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
                t.append("<td class=\"l\">").append(html(s.name())).append("</td><td class=\"l\">")
                        .append(s.placement() == null ? "—" : html(s.placement().toSpec())).append("</td>");
                for (Metric m : DemoFormat.METRICS) {
                    String v = m.format(s.metrics());
                    t.append("<td>").append(v.isEmpty() ? "—" : v).append("</td>");
                }
                if (k == 0) {
                    t.append("<td class=\"l\" rowspan=\"").append(all.size()).append("\"><b>").append(html(r.action()))
                            .append("</b>: ").append(html(r.reason())).append("</td>");
                }
                t.append("</tr>\n");
            }
        }
        return t.append("</table>\n").toString();
    }
}
