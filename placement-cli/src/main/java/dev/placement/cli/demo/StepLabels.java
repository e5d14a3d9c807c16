package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.api.NodeSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the report says about the steps' labels. A label is the scenario's free text; the built-in scenario's
 * {@code [a,b]} is the RTT added, in ms, to the links between the cluster's first and second node (a) and its
 * second and third (b). The report says so only when the run's own links confirm it at every step labelled
 * that way (and that the first and third node's link got a + b, as when the nodes are wired in a line);
 * otherwise it explains nothing it cannot check. Stateless.
 */
final class StepLabels {
    private static final Pattern PAIR = Pattern.compile("\\[\\s*(\\d+(?:\\.\\d+)?)\\s*,\\s*(\\d+(?:\\.\\d+)?)\\s*]");
    private static final double EPS = 1e-6;

    /**
     * The checked meaning of {@code [a,b]} labels.
     *
     * @param first  the link a is added to, as {@code node0–node1}
     * @param second the link b is added to
     * @param sum    the link that got a + b at every such step, or null
     * @param example     the label of that form that adds the most RTT
     * @param exampleFirst  the true RTT of the first link at that step, ms
     * @param exampleSecond the true RTT of the second link at that step, ms
     */
    record Pairs(String first, String second, String sum, String example, double exampleFirst,
            double exampleSecond) {
    }

    private StepLabels() {
    }

    /**
     * @param scenario the scenario
     * @param rows     one run's rows (every run has the same links)
     * @return what {@code [a,b]} means, if at least one label has that form and the links confirm it at every one
     */
    static Pairs pairs(DemoScenario scenario, List<DemoRun.StepRow> rows) {
        List<NodeSpec> nodes = scenario.cluster().nodes();
        if (nodes.size() < 3) {
            return null;
        }
        String n0 = nodes.get(0).id();
        String n1 = nodes.get(1).id();
        String n2 = nodes.get(2).id();
        DemoRun.StepRow example = null;
        double[] rtts = new double[2];
        boolean sum = true;
        for (DemoRun.StepRow r : rows) {
            Matcher m = PAIR.matcher(r.label());
            if (!m.find()) {
                continue;
            }
            double a = Double.parseDouble(m.group(1));
            double b = Double.parseDouble(m.group(2));
            Double ab = added(r.rttMillis(), n0, n1, scenario.baseRttMillis());
            Double bc = added(r.rttMillis(), n1, n2, scenario.baseRttMillis());
            if (ab == null || bc == null || Math.abs(ab - a) > EPS || Math.abs(bc - b) > EPS) {
                return null;
            }
            Double ac = added(r.rttMillis(), n0, n2, scenario.baseRttMillis());
            sum &= ac != null && Math.abs(ac - (a + b)) <= EPS;
            if (example != null && ab + bc <= rtts[0] + rtts[1] - 2 * scenario.baseRttMillis()) {
                continue; // the example is the step that adds the most
            }
            example = r;
            rtts[0] = ab + scenario.baseRttMillis();
            rtts[1] = bc + scenario.baseRttMillis();
        }
        return example == null ? null : new Pairs(n0 + "–" + n1, n1 + "–" + n2, sum ? n0 + "–" + n2 : null,
                example.label(), rtts[0], rtts[1]);
    }

    private static Double added(Map<String, Double> rtt, String a, String b, double base) {
        Double v = rtt.get(a + "-" + b);
        if (v == null) {
            v = rtt.get(b + "-" + a);
        }
        return v == null ? null : v - base;
    }

    /**
     * @param p the checked meaning, or null
     * @return the x axis's title
     */
    static String axisTitle(Pairs p) {
        return p == null ? "step of the scenario" : "step — [a,b]: RTT added on " + p.first() + " (a) and "
                + p.second() + " (b), ms";
    }

    /**
     * @param p        the checked meaning, or null
     * @param scenario the scenario
     * @return the caption under the charts, as HTML
     */
    static String caption(Pairs p, DemoScenario scenario) {
        String base = String.format(Locale.ROOT, "%.1f", scenario.baseRttMillis());
        String each = "Each step lasts " + scenario.step().toMinutes() + " virtual minutes; its link RTTs are in the "
                + "tables below.";
        if (p == null) {
            return "Step labels are the scenario's own. " + each;
        }
        return "<b>Step labels</b> <code>[a,b]</code>: the round-trip time added, in ms, on top of every link's "
                + "base RTT of " + base + " ms, to the link " + html(p.first()) + " (a) and to the link "
                + html(p.second()) + " (b)" + (p.sum() == null ? "" : "; " + html(p.sum()) + " gets a + b, since "
                + "the nodes are wired in a line") + ". So <code>" + html(p.example()) + "</code> means RTTs of "
                + String.format(Locale.ROOT, "%.1f ms and %.1f ms", p.exampleFirst(), p.exampleSecond())
                + ", as the research added latency with <code>tc</code>. " + each;
    }
}
