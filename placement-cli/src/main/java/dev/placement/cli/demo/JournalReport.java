package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.api.AgentProposal;
import dev.placement.api.InvalidInputException;
import dev.placement.api.PipelineMetrics;
import dev.placement.cli.demo.DemoFormat.Metric;
import dev.placement.core.orchestrator.DecisionJournal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the report of a run from its decision journal alone, in the demo report's look ({@link DemoReport}):
 * the TTFT, ITL and (when measured) output throughput per decision, as predicted when it decided and as
 * measured; the smoothed RTT of each link each decision was given; the lane of placements in force after each
 * decision with its restarts and what the orchestrator did; the restart downtime; and the table of decisions.
 * A run has no scenario and no truth: every figure is the journal's. One self-contained HTML file, no scripts.
 * Stateless.
 */
public final class JournalReport {
    /** The widest lane (px) drawn to the page's width; a wider one scrolls. */
    private static final int MAX_SCALED_PX = 2000;
    private static final String NOWRAP = " style=\"white-space:nowrap\"";

    private JournalReport() {
    }

    /**
     * Writes {@code dir/report.html} from a journal's entries, replacing an earlier one. An empty journal gives
     * a report that says no decision was made.
     *
     * @param dir     the output directory; must exist
     * @param title   the report's title, for example the model and nodes of the run; not blank
     * @param entries the journal's entries in its order, as {@link DecisionJournal#read(Path)} or
     *                {@link DecisionJournal#entries()} gives them; not null, no null element
     * @return the report's path
     * @throws InvalidInputException    naming {@code --out} if {@code dir} is not a directory or the file cannot
     *                                  be written
     * @throws IllegalArgumentException if the title is blank
     * @throws NullPointerException     if an argument or an entry is null
     */
    public static Path write(Path dir, String title, List<DecisionJournal.Entry> entries) {
        Objects.requireNonNull(dir, "dir");
        if (Objects.requireNonNull(title, "title").isBlank()) {
            throw new IllegalArgumentException("a report's title must not be blank");
        }
        List<DecisionJournal.Entry> all = List.copyOf(entries); // rejects null elements
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("--out", null, dir + " is not a directory");
        }
        Path file = dir.resolve(DemoReport.HTML);
        try {
            Files.writeString(file, render(title, all), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException("--out", null, "cannot write to " + dir + ": " + e.getMessage());
        }
        return file;
    }

    static String render(String title, List<DecisionJournal.Entry> entries) {
        StringBuilder h = new StringBuilder(HtmlReport.head(title));
        h.append("<h1>").append(html(title)).append("</h1>\n");
        if (entries.isEmpty()) {
            return h.append("<p class=\"no-decision\">No decision was made: the decision journal holds no decision, "
                    + "so there is nothing to chart.</p>\n</body>\n</html>\n").toString();
        }
        List<JournalRow> rows = JournalRow.of(entries);
        double span = rows.stream().mapToDouble(JournalRow::seconds).max().orElseThrow();
        List<String> agents = entries.stream().map(DecisionJournal.Entry::agent).distinct().toList();
        String agent = agents.size() == 1 ? agents.get(0) : null;
        h.append(summary(rows, agents, span));
        List<String> labels = JournalCharts.axisLabels(rows, span);
        String xTitle = "decision: time since the first (" + JournalRow.unit(span) + "), and its trigger";
        List<ChartLine> lines = JournalCharts.metricLines(rows, agent);
        Map<String, List<Double>> rtts = JournalCharts.rtts(rows);
        List<ChartLine> links = JournalCharts.linkLines(rtts);
        List<ChartLine> legend = new ArrayList<>(lines);
        legend.addAll(links);
        h.append("<h2>Metrics and links per decision</h2>\n").append(HtmlReport.legend(legend));
        h.append("<p class=\"caption\">One column per decision, in the journal's order, labelled with its time since "
                + "the first decision and what triggered it (<i>+1</i>: and one more trigger; all are in the table "
                + "below). Metrics are defined as <code>vllm bench serve</code> defines them. Each decision was given "
                + "the smoothed RTT of every link in each direction; a link's line is the mean of both, with a gap "
                + "where the link was not among them (a node down or unreachable).</p>\n");
        h.append("<div class=\"charts\">\n");
        boolean throughput = rows.stream().anyMatch(r -> r.measured() != null);
        for (Metric m : List.of(Metric.TTFT, Metric.ITL, Metric.THROUGHPUT)) {
            if (m != Metric.THROUGHPUT || throughput) {
                h.append(ChartSvg.render(ChartSvg.Measure.of(m), lines, labels, xTitle, "decision"));
            }
        }
        h.append(ChartSvg.render(JournalCharts.rttMeasure(rtts), links, labels, xTitle, "decision"))
                .append("</div>\n");
        h.append(lane(rows, span, agent));
        h.append("<h2>Decisions</h2>\n").append(table(rows, span));
        return h.append("</body>\n</html>\n").toString();
    }

    private static String summary(List<JournalRow> rows, List<String> agents, double span) {
        DecisionJournal.Entry first = rows.get(0).entry();
        DecisionJournal.Entry last = rows.get(rows.size() - 1).entry();
        long restarts = rows.stream().filter(JournalRow::restarted).count();
        double down = rows.stream().mapToDouble(JournalRow::restartSeconds).sum();
        long measured = rows.stream().filter(r -> r.measured() != null).count();
        return "<p class=\"muted\">" + rows.size() + " decision" + (rows.size() == 1 ? "" : "s") + " from "
                + html(first.at().toString()) + " to " + html(last.at().toString()) + " (" + rows.get(rows.size() - 1)
                .time(span) + "), by agent" + (agents.size() == 1 ? " " : "s ")
                + String.join(", ", agents.stream().map(a -> "<b>" + html(a) + "</b>").toList()) + "; objective <b>"
                + html(last.context().objective().goal().cliName()) + "</b>; workload " + last.context().workload()
                .inputTokens() + " input and " + last.context().workload().outputTokens() + " output tokens, "
                + last.context().workload().concurrency() + " at once; " + restarts + " restart"
                + (restarts == 1 ? "" : "s") + " (" + DemoFormat.seconds(down) + " s down); " + measured + " of "
                + rows.size() + " decisions with a measurement of what they left in force. Every figure is the "
                + "decision journal's: what each decision was given, predicted and did, and what the metrics source "
                + "measured next. A solid line is what was measured, a dotted one what was predicted; a gap, no "
                + "figure.</p>\n";
    }

    private static String lane(List<JournalRow> rows, double span, String agent) {
        int nodes = rows.stream().mapToInt(r -> r.entry().context().nodes().size()).max().orElse(0);
        StringBuilder h = new StringBuilder("<h2>Placement and restarts per decision</h2>\n<p class=\"caption\">Each "
                + "cell: the layers per node, in pipeline order, of the placement in force after the decision, its "
                + "nodes, and what the orchestrator did. Colour: ");
        for (int k = 0; k < Math.min(nodes, LaneSvg.FILLS.size()); k++) {
            h.append(HtmlReport.key(LaneSvg.FILLS.get(k))).append(' ').append(k == LaneSvg.FILLS.size() - 1
                    && nodes - k > 1 ? nodes - k + " nodes or fewer" : (nodes - k) + " node" + (nodes - k == 1 ? ""
                    : "s")).append(", ");
        }
        h.append(HtmlReport.key(LaneSvg.NONE_FILL)).append(" nothing runs (of the ").append(nodes).append(" nodes "
                + "the decisions saw at most). An orange border: the decision restarted the pipeline.</p>\n");
        // Shrunk to the page's width, like the demo's, never enlarged; wider than 2000 px it scrolls instead.
        int width = LaneSvg.width(rows.size());
        boolean scroll = width > MAX_SCALED_PX;
        String open = scroll ? "<div style=\"overflow-x:auto\">" : "";
        String close = scroll ? "</div>\n" : "";
        String wide = scroll ? "<svg style=\"width:auto;max-width:none\" " : "<svg style=\"max-width:" + width
                + "px\" ";
        h.append(open).append(JournalCharts.lane(rows, span, agent, nodes).replaceFirst("^<svg ", wide))
                .append(close);
        h.append(open).append(JournalCharts.downtime(rows, span, agent).replaceFirst("^<svg ", wide))
                .append(close);
        return h.append("<p class=\"caption\">Downtime: the seconds, as the journal recorded them, that requests "
                + "were held while a decision switched placements: draining, stopping what ran and launching the new "
                + "placement until it was healthy. A rollback or a degradation records none.</p>\n").toString();
    }

    private static String table(List<JournalRow> rows, double span) {
        StringBuilder t = new StringBuilder("<table class=\"decisions\">\n<tr><th>#</th><th class=\"l\">time</th>"
                + "<th class=\"l\">triggers</th><th class=\"l\">action</th><th class=\"l\">placement in force</th>"
                + "<th>predicted ITL (ms)</th><th>measured ITL (ms)</th>"
                + "<th>measured TTFT (ms)</th><th>restart (s)</th><th class=\"l\">why</th></tr>\n");
        for (JournalRow r : rows) {
            DecisionJournal.Entry e = r.entry();
            PipelineMetrics measured = r.measured() == null ? null : r.measured().metrics();
            t.append(r.restarted() ? "<tr class=\"re\"" : "<tr").append(" data-decision=\"").append(e.id())
                    .append("\"><td>").append(e.id()).append("</td><td class=\"l\"").append(NOWRAP).append('>')
                    .append(html(r.time(span))).append("</td><td class=\"l\">").append(html(r.triggers()))
                    .append("</td><td class=\"l\"").append(NOWRAP).append("><b>")
                    .append(html(r.action())).append("</b></td><td class=\"l\">")
                    .append(r.inForce() == null ? "—" : html(r.inForce().toSpec())).append("</td>")
                    .append(cell("predicted-itl", Metric.ITL.format(r.predicted())))
                    .append(cell("measured-itl", Metric.ITL.format(measured)))
                    .append(cell("measured-ttft", Metric.TTFT.format(measured)))
                    .append(cell("restart", r.restarted() ? DemoFormat.seconds(r.restartSeconds()) : ""))
                    .append("<td class=\"l\">").append(why(r)).append("</td></tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    private static String cell(String kind, String value) {
        return "<td class=\"" + kind + "\">" + (value.isEmpty() ? "—" : value) + "</td>";
    }

    private static String why(JournalRow r) {
        DecisionJournal.Entry e = r.entry();
        StringBuilder s = new StringBuilder(html(e.result().reason()));
        if (e.decision() != null && !e.decision().placement().equals(r.inForce())) {
            s.append(" <span class=\"muted\">(").append(html(e.agent())).append(" proposed ")
                    .append(html(e.decision().placement().toSpec())).append(String.format(Locale.ROOT, "%s)</span>",
                            e.decision().predicted() == null ? "" : ", predicted ITL "
                                    + Metric.ITL.format(e.decision().predicted()) + " ms"));
        }
        AgentProposal p = e.decision() == null ? null : e.decision().proposal();
        if (p != null) {
            s.append(" <span class=\"muted\">LLM ").append(html(p.agent()))
                    .append(p.model() == null ? "" : " (" + html(p.model()) + ")").append(" proposed ")
                    .append(p.placement() == null ? "no valid placement" : html(p.placement().toSpec()))
                    .append(p.accepted() ? ", accepted" : ", not accepted").append(": ").append(html(p.reason()))
                    .append("</span>");
        }
        return s.toString();
    }
}
