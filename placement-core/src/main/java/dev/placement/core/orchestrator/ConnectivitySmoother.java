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
 * Keeps the last few RTT samples of each ordered pair and reports their median. The median is the outlier
 * rejection: with a window of w samples, up to (w − 1) / 2 spikes in a row do not move it, while a lasting
 * change shows after (w + 1) / 2 samples (also right after a link is first seen: its first sample fills
 * the window). A pair that is missing from one measurement keeps its samples as
 * long as both nodes are present; a pair whose node left is forgotten.
 *
 * <p>Not thread-safe; the orchestrator calls it under its tick lock.
 */
final class ConnectivitySmoother {
    private final int window;
    private final Map<String, Map<String, Deque<Double>>> samples = new HashMap<>();

    ConnectivitySmoother(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("smoothing window must be at least 1, was " + window);
        }
        this.window = window;
    }

    /**
     * Adds a measurement and returns the smoothed map.
     *
     * @param raw   the latest measurement
     * @param nodes the nodes present and reachable now; samples of other nodes are dropped
     * @return medians per pair among {@code nodes}, with the raw map's bandwidths, unreachable nodes and time
     */
    ConnectivityMap add(ConnectivityMap raw, Set<String> nodes) {
        samples.keySet().retainAll(nodes);
        samples.values().forEach(row -> row.keySet().retainAll(nodes));
        raw.rttMillis().forEach((from, row) -> row.forEach((to, rtt) -> {
            if (nodes.contains(from) && nodes.contains(to)) {
                Deque<Double> q = samples.computeIfAbsent(from, k -> new HashMap<>())
                        .computeIfAbsent(to, k -> new ArrayDeque<>());
                // A new link's first sample fills the window, so a spike right after it is rejected like any other.
                do {
                    q.addLast(rtt);
                } while (q.size() < window);
                while (q.size() > window) {
                    q.removeFirst();
                }
            }
        }));
        ConnectivityMap.Builder out = ConnectivityMap.builder().measuredAt(raw.measuredAt());
        samples.forEach((from, row) -> row.forEach((to, q) -> out.rtt(from, to, median(q))));
        raw.bandwidthBytesPerSecond().forEach((from, row) -> row.forEach((to, bw) -> {
            if (nodes.contains(from) && nodes.contains(to)) {
                out.bandwidth(from, to, bw);
            }
        }));
        raw.unreachableNodes().forEach(out::unreachable);
        return out.build();
    }

    private static double median(Deque<Double> q) {
        List<Double> sorted = new ArrayList<>(q);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
