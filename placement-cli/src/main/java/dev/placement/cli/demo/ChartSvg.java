package dev.placement.cli.demo;

import static dev.placement.cli.demo.DemoFormat.html;

import dev.placement.cli.demo.DemoFormat.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * One metric's line chart as inline SVG inside a {@code <figure>}: axis titles with units, the steps along x,
 * every {@link ChartLine} with its dash pattern and markers, and a caption naming the lines that show the same
 * figures at every step. Lines that would hide each other (within a few pixels at every step they share) are
 * drawn a few pixels apart, later lines to the right. Stateless.
 */
final class ChartSvg {
    static final int WIDTH = 720;
    static final int HEIGHT = 340;
    private static final int LEFT = 82;
    private static final int RIGHT = 16;
    private static final int TOP = 40;
    private static final int BOTTOM = 76;
    /** Lines closer than this (px) at every shared step would hide each other. */
    private static final double OVERLAP_PX = 4.5;
    /** How far apart (px) lines that would hide each other are drawn. */
    private static final double NUDGE_PX = 5;

    private ChartSvg() {
    }

    /**
     * What a chart plots on its y axis, and how it reads and formats a line's figure at a step.
     *
     * @param title  the title, for example {@code ITL}; not null
     * @param unit   its unit, for example {@code ms}; not null
     * @param note   what the title is followed by, for example {@code lower is better}; not null
     * @param format the format of a figure, for example {@code %.1f}; not null
     * @param value  a line's figure at a 0-based step, or null where it has none; not null
     */
    record Measure(String title, String unit, String note, String format,
            BiFunction<ChartLine, Integer, Double> value) {

        /** Validates. */
        Measure {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(note, "note");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(value, "value");
        }

        /** @return the measure of a metric: its title and unit, read from each line's metrics */
        static Measure of(Metric metric) {
            return new Measure(metric.title, metric.unit, (metric.higherIsBetter ? "higher" : "lower") + " is better",
                    metric.format, (l, i) -> l.value(metric, i));
        }

        /** @return a line's figure at a step, formatted, or empty text where it has none */
        String format(ChartLine line, int step) {
            Double v = value.apply(line, step);
            return v == null ? "" : String.format(Locale.ROOT, format, v);
        }
    }

    /**
     * @param metric the metric
     * @param lines  the lines, in drawing order, each with one value per step
     * @param labels the steps' labels
     * @param xTitle the x axis's title
     * @return the figure
     */
    static String render(Metric metric, List<ChartLine> lines, List<String> labels, String xTitle) {
        return render(Measure.of(metric), lines, labels, xTitle, "step");
    }

    /**
     * @param metric what the chart plots
     * @param lines  the lines, in drawing order, each with one value per step
     * @param labels the steps' labels; a label with a line break is drawn on two lines
     * @param xTitle the x axis's title
     * @param per    what a step is, for the title, for example {@code step}
     * @return the figure
     */
    static String render(Measure metric, List<ChartLine> lines, List<String> labels, String xTitle, String per) {
        int n = labels.size();
        int rows = labels.stream().anyMatch(l -> l.contains("\n")) ? 2 : 1;
        int height = HEIGHT + (rows - 1) * 28;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (ChartLine l : lines) {
            for (int i = 0; i < n; i++) {
                Double v = metric.value().apply(l, i);
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
        StringBuilder s = new StringBuilder("<figure class=\"chart\">\n");
        s.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                + "aria-label=\"%s per %s\">\n", WIDTH, height, WIDTH, height, html(metric.title()), html(per)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s per "
                + "%s<tspan font-weight=\"normal\" fill=\"#666\"> — %s</tspan></text>\n", LEFT,
                html(metric.title()), html(per), html(metric.note())));
        double tick = niceStep((hi - lo) / 4);
        for (double v = Math.ceil(lo / tick) * tick; v <= hi + 1e-9; v += tick) {
            double y = y(v, lo, hi, plotH);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
                    LEFT, WIDTH - RIGHT, y, y, LEFT - 6, y + 4, tick >= 1 ? String.format(Locale.ROOT, "%.0f", v)
                            : String.format(Locale.ROOT, "%.1f", v)));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
                + "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", LEFT, WIDTH - RIGHT,
                TOP + plotH, TOP + plotH, LEFT, LEFT, TOP, TOP + plotH));
        // Axis titles, with units.
        s.append(String.format(Locale.ROOT, "<text class=\"axis-title\" x=\"18\" y=\"%d\" font-size=\"12.5\" "
                + "text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\" fill=\"#333\">%s (%s)</text>\n",
                TOP + plotH / 2, TOP + plotH / 2, html(metric.title()), html(metric.unit())));
        s.append(String.format(Locale.ROOT, "<text class=\"axis-title\" x=\"%d\" y=\"%d\" font-size=\"12.5\" "
                + "text-anchor=\"middle\" fill=\"#333\">%s</text>\n", LEFT + plotW / 2, height - 10, html(xTitle)));
        for (int i = 0; i < n; i++) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
                    + "fill=\"#333\">%s</text>\n", x(i, n, plotW), HEIGHT - BOTTOM + 17 + (i % 2) * 14 * rows,
                    label(labels.get(i), x(i, n, plotW))));
        }
        double[][] ys = new double[lines.size()][n];
        for (int k = 0; k < lines.size(); k++) {
            for (int i = 0; i < n; i++) {
                Double v = metric.value().apply(lines.get(k), i);
                ys[k][i] = v == null ? Double.NaN : y(v, lo, hi, plotH);
            }
        }
        int[] nudges = nudges(ys);
        for (int k = 0; k < lines.size(); k++) {
            s.append(line(lines.get(k), metric, ys[k], nudges[k] * NUDGE_PX, n, plotW));
        }
        s.append("</svg>\n");
        s.append("<figcaption>").append(caption(metric, lines, nudges, n, per)).append("</figcaption>\n</figure>\n");
        return s.toString();
    }

    /** @return for each line, how many earlier lines it would hide or be hidden by */
    private static int[] nudges(double[][] ys) {
        int[] out = new int[ys.length];
        for (int j = 0; j < ys.length; j++) {
            for (int i = 0; i < j; i++) {
                if (overlap(ys[i], ys[j])) {
                    out[j] = Math.max(out[j], out[i] + 1);
                }
            }
        }
        return out;
    }

    private static boolean overlap(double[] a, double[] b) {
        boolean shared = false;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) {
                if (Math.abs(a[i] - b[i]) >= OVERLAP_PX) {
                    return false;
                }
                shared = true;
            }
        }
        return shared;
    }

    /** @return a label's text, a second line (after a line break) as a tspan below the first */
    private static String label(String label, double x) {
        int br = label.indexOf('\n');
        return br < 0 ? html(label) : html(label.substring(0, br)) + String.format(Locale.ROOT, "<tspan x=\"%.1f\" "
                + "dy=\"14\">%s</tspan>", x, html(label.substring(br + 1)));
    }

    private static String line(ChartLine l, Measure metric, double[] ys, double dx, int n, int plotW) {
        StringBuilder s = new StringBuilder();
        List<String> segment = new ArrayList<>();
        StringBuilder markers = new StringBuilder();
        for (int i = 0; i <= n; i++) {
            if (i == n || Double.isNaN(ys[i])) {
                s.append(polyline(segment, l));
                segment.clear();
                continue;
            }
            double x = x(i, n, plotW) + dx;
            segment.add(String.format(Locale.ROOT, "%.1f,%.1f", x, ys[i]));
            markers.append(l.marker().svg(x, ys[i], l.color(), l.hollow(), l.name() + ": "
                    + metric.format(l, i) + " " + metric.unit()));
        }
        return s.append(markers).toString();
    }

    private static String polyline(List<String> points, ChartLine l) {
        if (points.size() < 2) {
            return "";
        }
        return String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\""
                + "%s/>\n", String.join(" ", points), l.color(), l.width(),
                l.dash().isEmpty() ? "" : " stroke-dasharray=\"" + l.dash() + "\"");
    }

    private static String caption(Measure metric, List<ChartLine> lines, int[] nudges, int n, String per) {
        List<String> same = new ArrayList<>();
        for (int j = 0; j < lines.size(); j++) {
            for (int i = 0; i < j; i++) {
                if (identical(metric, lines.get(j), lines.get(i), n)) {
                    same.add("<i>" + html(lines.get(j).name()) + "</i> = <i>" + html(lines.get(i).name()) + "</i>");
                    break;
                }
            }
        }
        StringBuilder c = new StringBuilder();
        if (!same.isEmpty()) {
            c.append("Identical ").append(html(metric.title())).append(" at every ").append(html(per)).append(": ")
                    .append(String.join("; ", same)).append(". ");
        }
        if (java.util.Arrays.stream(nudges).anyMatch(k -> k > 0)) {
            c.append("Lines that would hide each other are drawn ").append((int) NUDGE_PX)
                    .append(" px apart, later ones to the right.");
        }
        return c.toString();
    }

    /** @return whether both lines show the same figure (as formatted) at each of n steps, and at least one */
    private static boolean identical(Measure metric, ChartLine a, ChartLine b, int n) {
        boolean any = false;
        for (int i = 0; i < n; i++) {
            String f = metric.format(a, i);
            if (!f.equals(metric.format(b, i))) {
                return false;
            }
            any |= !f.isEmpty();
        }
        return any;
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

    private static double y(double v, double lo, double hi, int plotH) {
        return TOP + plotH - (v - lo) / (hi - lo) * plotH;
    }

    private static double x(int i, int n, int plotW) {
        return LEFT + plotW * (i + 0.5) / Math.max(n, 1);
    }
}
