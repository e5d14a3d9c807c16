package dev.placement.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Service-level objectives a single request must meet to count towards goodput, as {@code vllm bench serve
 * --goodput} counts them: a request is good when its TTFT, its TPOT and its end-to-end latency are each at most
 * their bound. An {@code itl} bound (not one of vLLM's keys) asks the same of a request's mean inter-token
 * latency. A bound that is {@code null} is absent; {@link #NONE} has none, and every request meets it.
 *
 * @param ttftMillis time to first token bound in ms, or {@code null}; positive
 * @param itlMillis  mean inter-token latency bound in ms, or {@code null}; positive
 * @param tpotMillis time per output token bound in ms, or {@code null}; positive
 * @param e2elMillis end-to-end latency bound in ms, or {@code null}; positive
 */
public record Slo(Double ttftMillis, Double itlMillis, Double tpotMillis, Double e2elMillis) {

    /** No bounds: every request is good. */
    public static final Slo NONE = new Slo(null, null, null, null);

    /**
     * Validates that every bound present is positive and finite.
     *
     * @param ttftMillis time to first token bound in ms, positive and finite, or {@code null}
     * @param itlMillis  mean inter-token latency bound in ms, positive and finite, or {@code null}
     * @param tpotMillis time per output token bound in ms, positive and finite, or {@code null}
     * @param e2elMillis end-to-end latency bound in ms, positive and finite, or {@code null}
     */
    public Slo {
        bound(ttftMillis, "slo.ttft");
        bound(itlMillis, "slo.itl");
        bound(tpotMillis, "slo.tpot");
        bound(e2elMillis, "slo.e2el");
    }

    private static void bound(Double v, String field) {
        if (v != null && !(v > 0 && v < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(field + " must be a positive number of ms, was " + v);
        }
    }

    /**
     * Reads the CLI spelling {@code ttft=MS,itl=MS,tpot=MS,e2el=MS}: any subset, in any order, each key once;
     * {@code :} is accepted in place of {@code =} (vLLM's spelling).
     *
     * @param text the spelling; not blank
     * @return the bounds
     * @throws IllegalArgumentException naming the bad entry and listing the valid keys
     */
    public static Slo parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty SLO; expected e.g. ttft=2000,tpot=150 (keys: ttft, itl, tpot, e2el)");
        }
        Double[] v = new Double[4];
        for (String entry : text.split(",")) {
            String[] kv = entry.trim().split("[=:]", -1);
            if (kv.length != 2) {
                throw new IllegalArgumentException("SLO entry '" + entry.trim() + "' is not KEY=MS (keys: ttft, itl, "
                        + "tpot, e2el)");
            }
            int i = switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                case "ttft" -> 0;
                case "itl" -> 1;
                case "tpot" -> 2;
                case "e2el" -> 3;
                default -> throw new IllegalArgumentException("unknown SLO key '" + kv[0].trim()
                        + "'; valid keys: ttft, itl, tpot, e2el");
            };
            if (v[i] != null) {
                throw new IllegalArgumentException("SLO key '" + kv[0].trim() + "' is given twice");
            }
            double ms;
            try {
                ms = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SLO " + kv[0].trim() + " must be a number of ms, was '"
                        + kv[1].trim() + "'");
            }
            if (!(ms > 0 && ms < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("SLO " + kv[0].trim() + " must be a positive number of ms, was "
                        + kv[1].trim());
            }
            v[i] = ms;
        }
        return new Slo(v[0], v[1], v[2], v[3]);
    }

    /** @return whether no bound is set */
    public boolean isNone() {
        return ttftMillis == null && itlMillis == null && tpotMillis == null && e2elMillis == null;
    }

    /**
     * Whether one request meets every bound.
     *
     * @param ttftMillis its time to first token, ms
     * @param itlMillis  its mean inter-token latency, ms
     * @param tpotMillis its time per output token, ms
     * @param e2elMillis its end-to-end latency, ms
     * @return true when each present bound is at least the request's value
     */
    public boolean meets(double ttftMillis, double itlMillis, double tpotMillis, double e2elMillis) {
        return within(this.ttftMillis, ttftMillis) && within(this.itlMillis, itlMillis)
                && within(this.tpotMillis, tpotMillis) && within(this.e2elMillis, e2elMillis);
    }

    private static boolean within(Double bound, double value) {
        return bound == null || value <= bound;
    }

    /** @return the CLI spelling, e.g. {@code ttft=2000,tpot=150}; {@code none} when no bound is set */
    public String toSpec() {
        List<String> parts = new ArrayList<>();
        add(parts, "ttft", ttftMillis);
        add(parts, "itl", itlMillis);
        add(parts, "tpot", tpotMillis);
        add(parts, "e2el", e2elMillis);
        return parts.isEmpty() ? "none" : String.join(",", parts);
    }

    private static void add(List<String> parts, String key, Double v) {
        if (v != null) {
            parts.add(key + "=" + (v == Math.rint(v) ? String.valueOf(v.longValue()) : String.valueOf(v)));
        }
    }
}
