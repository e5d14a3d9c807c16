package dev.placement.cli.demo;

import dev.placement.api.PipelineMetrics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * The one place the demo formats numbers, so the console table, {@code steps.csv} and {@code report.html}
 * show the same figures.
 */
final class DemoFormat {
    private DemoFormat() {
    }

    /** A metric as the demo shows it: its column name, unit, and how it is read and formatted. */
    enum Metric {
        TTFT("TTFT", "ms", "ttft_ms", PipelineMetrics::ttftMillis, "%.0f", false),
        ITL("ITL", "ms", "itl_ms", PipelineMetrics::itlMillis, "%.1f", false),
        TPOT("TPOT", "ms", "tpot_ms", PipelineMetrics::tpotMillis, "%.1f", false),
        THROUGHPUT("Output throughput", "tok/s", "output_tok_s", PipelineMetrics::outputTokensPerSecond, "%.1f", true);

        final String title;
        final String unit;
        final String csv;
        final Function<PipelineMetrics, Double> value;
        final String format;
        final boolean higherIsBetter;

        Metric(String title, String unit, String csv, Function<PipelineMetrics, Double> value, String format,
                boolean higherIsBetter) {
            this.title = title;
            this.unit = unit;
            this.csv = csv;
            this.value = value;
            this.format = format;
            this.higherIsBetter = higherIsBetter;
        }

        /** @return the formatted value, or empty text when there are no metrics */
        String format(PipelineMetrics m) {
            return m == null ? "" : String.format(Locale.ROOT, format, value.apply(m));
        }

        /** @return the value, or null */
        Double of(PipelineMetrics m) {
            return m == null ? null : value.apply(m);
        }
    }

    static final List<Metric> METRICS = List.of(Metric.values());

    /** @return a fraction as a percentage with one decimal ({@code 0.034 -> "3.4"}), or empty text for null */
    static String percent(Double fraction) {
        return fraction == null ? "" : String.format(Locale.ROOT, "%.1f", fraction * 100);
    }

    /** @return seconds with one decimal ({@code 60.0}) */
    static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    /**
     * @param p a placement, or null
     * @return its layers per stage in pipeline order, such as {@code 13/14/13} ({@code @tp2} appended when its
     *         stages use several GPUs), or {@code —} for none
     */
    static String split(dev.placement.api.Placement p) {
        if (p == null) {
            return "—";
        }
        String s = p.layerPartition().replace(',', '/');
        return p.tensorParallelSize() == 1 ? s : s + "@tp" + p.tensorParallelSize();
    }

    /**
     * @param p a placement, or null
     * @return its split on its nodes, such as {@code 20/20 on node0,node1}, or {@code —} for none
     */
    static String splitOnNodes(dev.placement.api.Placement p) {
        return p == null ? "—" : split(p) + " on " + String.join(",", p.nodeIds());
    }

    static String links(Map<String, Double> rtt) {
        StringJoiner j = new StringJoiner(" ");
        rtt.forEach((pair, ms) -> j.add(pair + "=" + String.format(Locale.ROOT, "%.1f", ms)));
        return j.toString();
    }

    static String csv(String v) {
        if (v == null) {
            return "";
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    static String html(String v) {
        if (v == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(v.length());
        for (char c : v.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
