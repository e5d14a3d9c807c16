package dev.placement.vllm.bench;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The service level objectives of goodput, as {@code vllm bench serve --goodput ttft:MS tpot:MS e2el:MS} takes
 * them: a request is good when it completed and each of its metrics named here is at most the objective
 * ({@code <=}, in milliseconds); {@code request_goodput} is the good requests per second of the run's wall time.
 *
 * <p>The semantics are vLLM's, read in {@code vllm/benchmarks/serve.py} (vllm-project/vllm, commit def9ce85):
 * {@code parse_goodput} and {@code check_goodput_args} for the option, {@code calculate_metrics} for the
 * counting ({@code good_completed}: only successful requests, {@code all(slo >= metric)}; the TPOT of a request
 * with at most one output token is taken as 0, so it meets any TPOT objective) and {@code benchmark} for the
 * report ({@code request_goodput = good_completed / duration}, {@code null} in the JSON without
 * {@code --goodput}).
 *
 * @param limitsMillis the objective of each metric, in ms, each finite and &ge; 0; at least one; copied (a metric
 *                     not in it is not judged)
 */
public record GoodputSlo(Map<Metric, Double> limitsMillis) {

    /** The request-level metrics an objective can be set on, with vLLM's names. */
    public enum Metric {
        /** Time to first token: the time from sending a request to its first output chunk. */
        TTFT("ttft"),
        /** Time per output token excluding the first; 0 for a request with at most one output token. */
        TPOT("tpot"),
        /** End-to-end latency: the time from sending a request to its last output chunk. */
        E2EL("e2el");

        private final String key;

        Metric(String key) {
            this.key = key;
        }

        /** @return vLLM's name of the metric in {@code --goodput}: {@code ttft}, {@code tpot} or {@code e2el} */
        public String key() {
            return key;
        }

        /** @return this metric of a completed request, in ms */
        double millisOf(RequestRecord r) {
            switch (this) {
                case TTFT:
                    return r.ttftNanos() / NANOS_PER_MILLI;
                case TPOT:
                    return r.outputTokens() > 1 ? r.tpotNanos() / NANOS_PER_MILLI : 0;
                default:
                    return r.e2elNanos() / NANOS_PER_MILLI;
            }
        }
    }

    private static final double NANOS_PER_MILLI = 1e6;
    private static final String OPTION = "--goodput";
    private static final String PAIRS = "give space-separated KEY:VALUE pairs such as ttft:500 tpot:50 e2el:2000 "
            + "(milliseconds)";
    /** A decimal number: no hexadecimal, no {@code d}/{@code f} suffix, no {@code NaN} or {@code Infinity}. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    /**
     * Checks and copies the objectives.
     *
     * @param limitsMillis the objective of each metric judged, in ms, each finite and &ge; 0; not empty
     * @throws NullPointerException     if the map, a metric or a value is {@code null}
     * @throws IllegalArgumentException if there is no objective, or one is negative, NaN or infinite
     */
    public GoodputSlo {
        Objects.requireNonNull(limitsMillis, "goodput.limitsMillis must not be null");
        if (limitsMillis.isEmpty()) {
            throw new IllegalArgumentException("goodput needs at least one objective (ttft, tpot or e2el)");
        }
        Map<Metric, Double> copy = new EnumMap<>(Metric.class);
        limitsMillis.forEach((metric, limit) -> {
            Objects.requireNonNull(metric, "goodput: a metric must not be null");
            Objects.requireNonNull(limit, "goodput." + metric.key() + " must not be null");
            if (!(limit >= 0) || Double.isInfinite(limit)) {
                throw new IllegalArgumentException("goodput." + metric.key() + " must be a finite number of "
                        + "milliseconds, 0 or more, was " + limit);
            }
            copy.put(metric, limit);
        });
        limitsMillis = Collections.unmodifiableMap(copy);
    }

    /**
     * Reads objectives as {@code vllm bench serve --goodput} takes them: {@code KEY:VALUE} pairs separated by
     * spaces, the key one of {@code ttft}, {@code tpot}, {@code e2el} (lower case, as in vLLM), the value a
     * decimal number of milliseconds, 0 or more. A key given twice keeps its last value, as in vLLM.
     *
     * @param pairs for example {@code "ttft:500 tpot:50"}
     * @return the objectives
     * @throws IllegalArgumentException with one line naming {@code --goodput} and the bad pair if a pair has no
     *     single colon, an unknown key, or a value that is not a number or is negative; or if there is no pair
     */
    public static GoodputSlo parse(String pairs) {
        Objects.requireNonNull(pairs, "pairs must not be null");
        if (pairs.isBlank()) {
            throw new IllegalArgumentException(OPTION + ": no objective given; " + PAIRS);
        }
        Map<Metric, Double> limits = new EnumMap<>(Metric.class);
        for (String pair : pairs.strip().split("\\s+")) {
            String[] keyValue = pair.split(":", -1);
            if (keyValue.length != 2) {
                throw new IllegalArgumentException(OPTION + ": '" + pair + "' is not KEY:VALUE; " + PAIRS);
            }
            limits.put(metric(keyValue[0], pair), millis(keyValue[1], pair));
        }
        return new GoodputSlo(limits);
    }

    /**
     * Whether a request counts toward goodput: it completed ({@link RequestRecord#succeeded()}) and each metric
     * with an objective is at most that objective.
     *
     * @param request a finished request
     * @return whether it is good
     */
    public boolean isGood(RequestRecord request) {
        if (!request.succeeded()) {
            return false;
        }
        for (Map.Entry<Metric, Double> limit : limitsMillis.entrySet()) {
            if (!(limit.getKey().millisOf(request) <= limit.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param requests finished requests
     * @return how many of them are good ({@link #isGood}), vLLM's {@code good_completed}
     */
    public int countGood(Collection<RequestRecord> requests) {
        return (int) requests.stream().filter(this::isGood).count();
    }

    /** @return the objectives keyed by vLLM's metric names, in the order ttft, tpot, e2el, for a JSON report */
    public Map<String, Double> toJsonMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        limitsMillis.forEach((metric, limit) -> m.put(metric.key(), limit));
        return m;
    }

    private static Metric metric(String key, String pair) {
        for (Metric m : Metric.values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException(OPTION + ": unknown metric '" + key + "' in '" + pair + "'; the metric "
                + "must be ttft, tpot or e2el");
    }

    private static double millis(String value, String pair) {
        double millis = DECIMAL.matcher(value).matches() ? Double.parseDouble(value) : Double.NaN;
        if (Double.isNaN(millis) || Double.isInfinite(millis)) {
            throw new IllegalArgumentException(OPTION + ": '" + pair + "': '" + value + "' is not a number of "
                    + "milliseconds");
        }
        if (millis < 0) {
            throw new IllegalArgumentException(OPTION + ": '" + pair + "': an objective must be 0 ms or more");
        }
        return millis;
    }
}
