package dev.placement.cli.demo;

import dev.placement.api.PipelineMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One line of the report's metric charts: a series across the steps and how it is drawn, so that lines that
 * share values stay told apart (colour, dash pattern, marker shape, filled or hollow markers).
 *
 * @param name        the legend's name, for example {@code solver, measured}
 * @param description what the line shows, for the legend; not null
 * @param color       its CSS colour
 * @param dash        its SVG dash pattern, empty for a solid line
 * @param marker      its marker's shape
 * @param hollow      whether its markers are hollow
 * @param width       its stroke width in px, positive
 * @param values      its metrics at each step, null where it has none
 */
record ChartLine(String name, String description, String color, String dash, Marker marker, boolean hollow,
        double width, List<PipelineMetrics> values) {

    /** Validates and copies (keeping nulls). */
    ChartLine {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(color, "color");
        Objects.requireNonNull(dash, "dash");
        Objects.requireNonNull(marker, "marker");
        if (!(width > 0)) {
            throw new IllegalArgumentException("width must be positive, was " + width);
        }
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** A marker's shape. */
    enum Marker {
        CIRCLE, SQUARE, TRIANGLE, DIAMOND, TRIANGLE_DOWN, CROSS;

        /**
         * @return the SVG element of this marker centred at (x, y), with a tooltip
         */
        String svg(double x, double y, String color, boolean hollow, String tooltip) {
            String paint = hollow ? "fill=\"#fff\" stroke=\"" + color + "\" stroke-width=\"1.6\""
                    : "fill=\"" + color + "\" stroke=\"#fff\" stroke-width=\"0.8\"";
            double r = 4.2;
            String shape = switch (this) {
                case CIRCLE -> String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" %s>", x, y,
                        r - 0.4, paint);
                case SQUARE -> String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                        + " %s>", x - r + 0.6, y - r + 0.6, 2 * r - 1.2, 2 * r - 1.2, paint);
                case TRIANGLE -> polygon(paint, x, y - r - 0.5, x + r + 0.4, y + r * 0.75, x - r - 0.4, y + r * 0.75);
                case TRIANGLE_DOWN -> polygon(paint, x, y + r + 0.5, x + r + 0.4, y - r * 0.75, x - r - 0.4,
                        y - r * 0.75);
                case DIAMOND -> polygon(paint, x, y - r - 0.8, x + r + 0.2, y, x, y + r + 0.8, x - r - 0.2, y);
                case CROSS -> String.format(Locale.ROOT, "<path d=\"M%.1f %.1fl%.1f %.1fM%.1f %.1fl%.1f %.1f\" "
                        + "stroke=\"%s\" stroke-width=\"2.4\">", x - r, y - r, 2 * r, 2 * r, x - r, y + r, 2 * r,
                        -2 * r, color);
            };
            String tag = shape.substring(1, shape.indexOf(' '));
            return shape + "<title>" + DemoFormat.html(tooltip) + "</title></" + tag + ">\n";
        }

        private static String polygon(String paint, double... xy) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < xy.length; i += 2) {
                points.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", xy[i], xy[i + 1]));
            }
            return "<polygon points=\"" + points + "\" " + paint + ">";
        }
    }

    /**
     * @param metric a metric
     * @param step   a 0-based step
     * @return this line's value of the metric at the step, or null
     */
    Double value(DemoFormat.Metric metric, int step) {
        return metric.of(values.get(step));
    }

    /**
     * @param other  another line over the same steps
     * @param metric a metric
     * @return whether both show the same figure (as formatted) at every step, and at least one figure
     */
    boolean identicalTo(ChartLine other, DemoFormat.Metric metric) {
        boolean any = false;
        for (int i = 0; i < values.size(); i++) {
            String a = metric.format(values.get(i));
            if (!a.equals(metric.format(other.values.get(i)))) {
                return false;
            }
            any |= !a.isEmpty();
        }
        return any;
    }

    /**
     * @param other another line over the same steps
     * @return whether both show the same figures of every metric at every step
     */
    boolean identicalTo(ChartLine other) {
        return DemoFormat.METRICS.stream().allMatch(m -> identicalTo(other, m));
    }
}
