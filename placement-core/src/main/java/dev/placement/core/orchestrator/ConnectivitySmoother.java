package dev.placement.core.orchestrator;

import dev.placement.api.ConnectivityMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the last few RTT and bandwidth samples of each ordered pair and reports their medians. The median is
 * the outlier rejection: with a window of w samples, up to (w − 1) / 2 spikes in a row do not move it, while a
 * lasting change shows after (w + 1) / 2 samples (also right after a link is first seen: its first sample
 * fills the window). A pair that is missing from one measurement keeps its samples as long as both nodes are
 * present, so a bandwidth measured only now and then holds between measurements; a pair whose node left is
 * forgotten.
 *
 * <p>Not thread-safe; the orchestrator calls it under its tick lock.
 */
final class ConnectivitySmoother {
    private final PairWindows rtt;
    private final PairWindows bandwidth;

    ConnectivitySmoother(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("smoothing window must be at least 1, was " + window);
        }
        this.rtt = new PairWindows(window);
        this.bandwidth = new PairWindows(window);
    }

    /**
     * Adds a measurement and returns the smoothed map.
     *
     * @param raw   the latest measurement
     * @param nodes the nodes present and reachable now; samples of other nodes are dropped
     * @return medians of RTT and bandwidth per pair among {@code nodes}, with the raw map's unreachable nodes
     *         and time
     */
    ConnectivityMap add(ConnectivityMap raw, Set<String> nodes) {
        rtt.add(raw.rttMillis(), nodes);
        bandwidth.add(raw.bandwidthBytesPerSecond(), nodes);
        ConnectivityMap.Builder out = ConnectivityMap.builder().measuredAt(raw.measuredAt());
        rtt.forEachMedian(out::rtt);
        bandwidth.forEachMedian(out::bandwidth);
        raw.unreachableNodes().forEach(out::unreachable);
        return out.build();
    }

    /** What the builder is given for each pair: its median. */
    @FunctionalInterface
    private interface PairValue {
        void accept(String from, String to, double median);
    }

    /** The last samples of one quantity (RTT or bandwidth) per ordered pair. */
    private static final class PairWindows {
        private final int window;
        private final Map<String, Map<String, Deque<Double>>> samples = new HashMap<>();

        PairWindows(int window) {
            this.window = window;
        }

        void add(Map<String, Map<String, Double>> measured, Set<String> nodes) {
            samples.keySet().retainAll(nodes);
            samples.values().forEach(row -> row.keySet().retainAll(nodes));
            measured.forEach((from, row) -> row.forEach((to, value) -> {
                if (nodes.contains(from) && nodes.contains(to)) {
                    Deque<Double> q = samples.computeIfAbsent(from, k -> new HashMap<>())
                            .computeIfAbsent(to, k -> new ArrayDeque<>());
                    // A new link's first sample fills the window, so a spike right after it is rejected like any
                    // other.
                    do {
                        q.addLast(value);
                    } while (q.size() < window);
                    while (q.size() > window) {
                        q.removeFirst();
                    }
                }
            }));
        }

        void forEachMedian(PairValue out) {
            samples.forEach((from, row) -> row.forEach((to, q) -> out.accept(from, to, median(q))));
        }

        private static double median(Deque<Double> q) {
            List<Double> sorted = new ArrayList<>(q);
            Collections.sort(sorted);
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }
}
