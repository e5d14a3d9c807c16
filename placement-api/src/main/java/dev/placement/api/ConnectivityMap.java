package dev.placement.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Measured round-trip times, and optionally bandwidths, between the nodes of a cluster.
 *
 * <p>Entries are per <em>ordered</em> pair, so asymmetric links can be described; the {@link Builder}'s
 * {@link Builder#link link} methods set both directions at once. A pair that is absent is <em>unknown</em>:
 * {@link #rttMillis(String, String)} returns empty and {@link #requireRttMillis(String, String)} throws, so
 * an unmeasured link is never mistaken for a free one. Two nodes without a known link can never be
 * neighbours in a pipeline.
 *
 * @param rttMillis               RTT in milliseconds, {@code from -> to -> ms}; each value finite and &ge; 0
 * @param bandwidthBytesPerSecond measured bandwidth, {@code from -> to -> bytes/s}; each value positive;
 *                                absent pairs have no measurement (callers apply their own default)
 * @param unreachableNodes        nodes that a probe could not reach at all
 * @param measuredAt              when the measurement was taken
 */
public record ConnectivityMap(
        Map<String, Map<String, Double>> rttMillis,
        Map<String, Map<String, Double>> bandwidthBytesPerSecond,
        Set<String> unreachableNodes,
        Instant measuredAt) {

    /**
     * Validates every value and makes deep, sorted, immutable copies.
     *
     * @param rttMillis               RTT in ms, {@code from -> to -> ms}; not null; values finite and &ge; 0
     * @param bandwidthBytesPerSecond bandwidth, {@code from -> to -> bytes/s}; values positive and finite;
     *                                null means none measured
     * @param unreachableNodes        nodes that a probe could not reach at all; null means none
     * @param measuredAt              when the measurement was taken; not null
     */
    public ConnectivityMap {
        rttMillis = copy(Checks.notNull(rttMillis, "rttMillis"), "rttMillis", true);
        bandwidthBytesPerSecond = copy(bandwidthBytesPerSecond == null ? Map.of() : bandwidthBytesPerSecond,
                "bandwidthBytesPerSecond", false);
        unreachableNodes = unreachableNodes == null ? Set.of()
                : Collections.unmodifiableSet(new TreeSet<>(unreachableNodes));
        Checks.notNull(measuredAt, "measuredAt");
    }

    /** @return a builder for a map measured at {@link Instant#EPOCH} unless set otherwise */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The RTT from one node to another.
     *
     * @param from the sending node
     * @param to   the receiving node
     * @return the RTT in milliseconds, or empty if this pair was not measured
     */
    public OptionalDouble rttMillis(String from, String to) {
        Double v = rttMillis.getOrDefault(from, Map.of()).get(to);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * The RTT from one node to another, which must be known.
     *
     * @param from the sending node
     * @param to   the receiving node
     * @return the RTT in milliseconds
     * @throws IllegalArgumentException naming both nodes if the pair was not measured
     */
    public double requireRttMillis(String from, String to) {
        return rttMillis(from, to).orElseThrow(() -> new IllegalArgumentException(
                "no RTT is known from '" + from + "' to '" + to + "'"));
    }

    /**
     * @param from the sending node
     * @param to   the receiving node
     * @return whether an RTT from {@code from} to {@code to} is known
     */
    public boolean hasLink(String from, String to) {
        return rttMillis(from, to).isPresent();
    }

    /**
     * The measured bandwidth from one node to another.
     *
     * @param from the sending node
     * @param to   the receiving node
     * @return bytes per second, or empty if not measured
     */
    public OptionalDouble bandwidthBytesPerSecond(String from, String to) {
        Double v = bandwidthBytesPerSecond.getOrDefault(from, Map.of()).get(to);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** @return a builder that starts from this map's entries */
    public Builder toBuilder() {
        Builder b = new Builder().measuredAt(measuredAt);
        rttMillis.forEach((from, row) -> row.forEach((to, v) -> b.rtt(from, to, v)));
        bandwidthBytesPerSecond.forEach((from, row) -> row.forEach((to, v) -> b.bandwidth(from, to, v)));
        unreachableNodes.forEach(b::unreachable);
        return b;
    }

    private static Map<String, Map<String, Double>> copy(Map<String, Map<String, Double>> in, String field,
            boolean zeroAllowed) {
        Map<String, Map<String, Double>> out = new TreeMap<>();
        in.forEach((from, row) -> {
            Checks.nodeId(from, field + " key");
            Map<String, Double> r = new TreeMap<>();
            Checks.notNull(row, field + "." + from).forEach((to, v) -> {
                Checks.nodeId(to, field + "." + from + " key");
                String name = field + "." + from + "." + to;
                if (from.equals(to)) {
                    throw new IllegalArgumentException(name + ": a node has no link to itself");
                }
                Checks.notNull(v, name);
                if (zeroAllowed) {
                    Checks.nonNegative(v, name);
                } else {
                    Checks.positive(v, name);
                }
                r.put(to, v);
            });
            if (!r.isEmpty()) {
                out.put(from, Collections.unmodifiableMap(r));
            }
        });
        // Sorted, not Map.copyOf: its iteration order changes from one JVM to the next, and journals and
        // prompts written from this map should read the same every run.
        return Collections.unmodifiableMap(out);
    }

    /** Collects RTTs and bandwidths; not thread-safe. */
    public static final class Builder {
        private final Map<String, Map<String, Double>> rtt = new LinkedHashMap<>();
        private final Map<String, Map<String, Double>> bandwidth = new LinkedHashMap<>();
        private final Set<String> unreachable = new LinkedHashSet<>();
        private Instant measuredAt = Instant.EPOCH;

        private Builder() {
        }

        /**
         * Sets the RTT of one direction.
         *
         * @param from      sending node
         * @param to        receiving node
         * @param rttMillis round-trip time in ms, &ge; 0
         * @return this builder
         */
        public Builder rtt(String from, String to, double rttMillis) {
            rtt.computeIfAbsent(from, k -> new LinkedHashMap<>()).put(to, rttMillis);
            return this;
        }

        /**
         * Sets the RTT of both directions.
         *
         * @param a         one node
         * @param b         the other node
         * @param rttMillis round-trip time in ms, &ge; 0
         * @return this builder
         */
        public Builder link(String a, String b, double rttMillis) {
            return rtt(a, b, rttMillis).rtt(b, a, rttMillis);
        }

        /**
         * Sets the bandwidth of one direction.
         *
         * @param from                    sending node
         * @param to                      receiving node
         * @param bandwidthBytesPerSecond bytes per second, positive
         * @return this builder
         */
        public Builder bandwidth(String from, String to, double bandwidthBytesPerSecond) {
            bandwidth.computeIfAbsent(from, k -> new LinkedHashMap<>()).put(to, bandwidthBytesPerSecond);
            return this;
        }

        /**
         * Sets the RTT and bandwidth of both directions.
         *
         * @param a                       one node
         * @param b                       the other node
         * @param rttMillis               round-trip time in ms
         * @param bandwidthBytesPerSecond bytes per second
         * @return this builder
         */
        public Builder link(String a, String b, double rttMillis, double bandwidthBytesPerSecond) {
            link(a, b, rttMillis);
            bandwidth(a, b, bandwidthBytesPerSecond);
            return bandwidth(b, a, bandwidthBytesPerSecond);
        }

        /**
         * Records a node that could not be reached.
         *
         * @param nodeId the node
         * @return this builder
         */
        public Builder unreachable(String nodeId) {
            unreachable.add(nodeId);
            return this;
        }

        /**
         * @param when when the measurement was taken
         * @return this builder
         */
        public Builder measuredAt(Instant when) {
            this.measuredAt = when;
            return this;
        }

        /**
         * @return the map
         * @throws IllegalArgumentException if a value is invalid
         */
        public ConnectivityMap build() {
            return new ConnectivityMap(rtt, bandwidth, unreachable, measuredAt);
        }
    }
}
