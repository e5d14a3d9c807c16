package dev.placement.vllm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One scrape of a Prometheus text-format endpoint (version 0.0.4): its samples, with helpers to sum a metric
 * and to read a histogram. Immutable and thread-safe.
 */
final class PrometheusText {

    /**
     * One sample line.
     *
     * @param name   the series name, for example {@code vllm:num_requests_running}
     * @param labels the labels, in the order written
     * @param value  the value ({@code NaN} and infinities allowed)
     */
    record Sample(String name, Map<String, String> labels, double value) {
        Sample {
            Objects.requireNonNull(name, "name");
            labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    /**
     * A histogram summed over every label set except {@code le}.
     *
     * @param upperBounds  bucket upper bounds, ascending, the last usually {@code +Inf}
     * @param cumulative   cumulative counts per bucket, same order
     * @param sum          the {@code _sum} series
     * @param count        the {@code _count} series
     */
    record Histogram(double[] upperBounds, double[] cumulative, double sum, double count) {
        static final Histogram EMPTY = new Histogram(new double[0], new double[0], 0, 0);

        /** @return this histogram minus an earlier scrape of it (bucket by bucket); buckets missing earlier count 0 */
        Histogram minus(Histogram earlier) {
            double[] c = new double[cumulative.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = Math.max(0, cumulative[i] - earlier.cumulativeAt(upperBounds[i]));
            }
            return new Histogram(upperBounds.clone(), c, Math.max(0, sum - earlier.sum),
                    Math.max(0, count - earlier.count));
        }

        private double cumulativeAt(double le) {
            for (int i = 0; i < upperBounds.length; i++) {
                if (Double.compare(upperBounds[i], le) == 0) {
                    return cumulative[i];
                }
            }
            return 0;
        }

        /** @return the mean observation, {@code sum / count}; NaN if empty */
        double mean() {
            return count > 0 ? sum / count : Double.NaN;
        }

        /**
         * Estimates a quantile as Prometheus's {@code histogram_quantile} does: linear interpolation inside the
         * bucket holding the rank; a rank in the {@code +Inf} bucket gives the highest finite bound.
         *
         * @param q the quantile in [0, 1]
         * @return the estimate; NaN if empty
         */
        double quantile(double q) {
            if (upperBounds.length == 0) {
                return Double.NaN;
            }
            double total = cumulative[cumulative.length - 1];
            if (total <= 0) {
                return Double.NaN;
            }
            double rank = q * total;
            for (int i = 0; i < upperBounds.length; i++) {
                if (cumulative[i] >= rank) {
                    if (Double.isInfinite(upperBounds[i])) {
                        return i == 0 ? Double.NaN : upperBounds[i - 1];
                    }
                    double lower = i == 0 ? 0 : upperBounds[i - 1];
                    double below = i == 0 ? 0 : cumulative[i - 1];
                    double inBucket = cumulative[i] - below;
                    if (inBucket <= 0) {
                        return upperBounds[i];
                    }
                    return lower + (upperBounds[i] - lower) * (rank - below) / inBucket;
                }
            }
            return upperBounds[upperBounds.length - 1];
        }
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = List.copyOf(samples);
    }

    /** @return an empty scrape (every counter at zero) */
    static PrometheusText empty() {
        return new PrometheusText(List.of());
    }

    /**
     * Parses the text format.
     *
     * @param text the body of {@code /metrics}
     * @return the scrape
     * @throws IllegalArgumentException naming the line if a sample line is malformed
     */
    static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            samples.add(parseLine(line, lineNo));
        }
        return new PrometheusText(samples);
    }

    private static Sample parseLine(String line, int lineNo) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty()) {
            throw malformed(lineNo, line, "no metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                    i++;
                }
                if (i < n && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
                    throw malformed(lineNo, line, "label without =\"value\"");
                }
                String key = line.substring(i, eq).strip();
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; j < n && line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < n) {
                        char e = line.charAt(++j);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                if (j >= n) {
                    throw malformed(lineNo, line, "unterminated label value");
                }
                labels.put(key, value.toString());
                i = j + 1;
            }
        }
        String[] rest = line.substring(i).strip().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            throw malformed(lineNo, line, "no value");
        }
        return new Sample(name, labels, parseValue(rest[0], lineNo, line));
    }

    private static double parseValue(String v, int lineNo, String line) {
        switch (v) {
            case "+Inf", "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw malformed(lineNo, line, "value '" + v + "' is not a number");
                }
        }
    }

    private static IllegalArgumentException malformed(int lineNo, String line, String why) {
        return new IllegalArgumentException("metrics line " + lineNo + " is malformed (" + why + "): "
                + (line.length() > 200 ? line.substring(0, 200) + "..." : line));
    }

    /** @return every sample, in the order scraped */
    List<Sample> samples() {
        return samples;
    }

    /** @return whether any sample has this name */
    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    /** @return the sum of every series with this name (over all label sets); 0 if none */
    double sum(String name) {
        return sum(name, s -> true);
    }

    double sum(String name, Predicate<Sample> filter) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(filter).mapToDouble(Sample::value).sum();
    }

    /**
     * Reads a histogram from its {@code _bucket}, {@code _sum} and {@code _count} series, summing label sets.
     *
     * @param name the base name, for example {@code vllm:time_to_first_token_seconds}
     * @return the histogram; {@link Histogram#EMPTY} if absent
     */
    Histogram histogram(String name) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (Sample s : samples) {
            if (s.name().equals(name + "_bucket")) {
                String le = s.labels().get("le");
                if (le != null) {
                    buckets.merge(parseValue(le, 0, le), s.value(), Double::sum);
                }
            }
        }
        if (buckets.isEmpty()) {
            return Histogram.EMPTY;
        }
        double[] bounds = new double[buckets.size()];
        double[] counts = new double[buckets.size()];
        int k = 0;
        for (Map.Entry<Double, Double> e : buckets.entrySet()) {
            bounds[k] = e.getKey();
            counts[k++] = e.getValue();
        }
        return new Histogram(bounds, counts, sum(name + "_sum"), sum(name + "_count"));
    }
}
