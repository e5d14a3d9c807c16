package dev.placement.sim;

import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The true RTT of every link of a {@link SimulatedCluster}, symmetric, and what a probe with seeded
 * multiplicative noise measures of them. Not thread-safe; the cluster calls it under its own lock.
 */
final class SimulatedLinks {
    private final List<NodeSpec> nodes;
    private final Map<String, Map<String, Double>> rttMillis = new HashMap<>();

    SimulatedLinks(List<NodeSpec> nodes, double defaultRttMillis) {
        this.nodes = nodes;
        for (NodeSpec a : nodes) {
            // Every node has a row, so a node without links (a cluster of one) is reachable.
            Map<String, Double> row = rttMillis.computeIfAbsent(a.id(), k -> new HashMap<>());
            for (NodeSpec c : nodes) {
                if (!a.id().equals(c.id())) {
                    row.put(c.id(), defaultRttMillis);
                }
            }
        }
    }

    void set(String a, String b, double rtt) {
        requireNode(a);
        requireNode(b);
        if (a.equals(b)) {
            throw new IllegalArgumentException("a node has no link to itself: '" + a + "'");
        }
        if (!(rtt >= 0) || Double.isInfinite(rtt)) {
            throw new IllegalArgumentException("RTT of " + a + "-" + b + " must be finite and >= 0 ms, was " + rtt);
        }
        rttMillis.get(a).put(b, rtt);
        rttMillis.get(b).put(a, rtt);
    }

    double get(String a, String b) {
        requireNode(a);
        requireNode(b);
        return rttMillis.get(a).get(b);
    }

    /** What a probe sees: noisy RTTs among the nodes up; nodes down (or not simulated) are unreachable. */
    ConnectivityMap measure(List<NodeSpec> asked, Set<String> down, Instant at, Random random, double noise) {
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(at);
        for (NodeSpec a : asked) {
            if (down.contains(a.id()) || !rttMillis.containsKey(a.id())) {
                map.unreachable(a.id());
                continue;
            }
            for (NodeSpec b : asked) {
                if (!a.id().equals(b.id()) && !down.contains(b.id()) && rttMillis.containsKey(b.id())) {
                    map.rtt(a.id(), b.id(), noisy(rttMillis.get(a.id()).get(b.id()), noise, random));
                }
            }
        }
        return map.build();
    }

    /** The true links among the given nodes, without noise. */
    ConnectivityMap truth(List<NodeSpec> alive, Instant at) {
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(at);
        for (NodeSpec a : alive) {
            for (NodeSpec b : alive) {
                if (!a.id().equals(b.id())) {
                    map.rtt(a.id(), b.id(), rttMillis.get(a.id()).get(b.id()));
                }
            }
        }
        return map.build();
    }

    static double noisy(double value, double relativeSigma, Random random) {
        return Math.max(0, value * (1 + relativeSigma * random.nextGaussian()));
    }

    void requireNode(String id) {
        if (!rttMillis.containsKey(id)) {
            throw new IllegalArgumentException("unknown node '" + id + "'; simulated nodes: "
                    + nodes.stream().map(NodeSpec::id).toList());
        }
    }
}
