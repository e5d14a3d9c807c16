package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Builds a connectivity map from RTTs measured from one origin node (the machine the probe runs on) to every
 * other node. Pairs that do not involve the origin are estimated as the path through the origin,
 * {@code rtt(origin, a) + rtt(origin, b)}: an upper bound, which keeps the estimate on the safe side of the
 * "is this link worth using" question.
 *
 * @param originNodeId  the origin, or null (or an id not in the cluster) for the cluster's first node
 * @param estimatePairs whether to estimate pairs not involving the origin through it
 * @param clock         stamps {@link ConnectivityMap#measuredAt()}
 */
record OriginMeasurement(String originNodeId, boolean estimatePairs, Clock clock) {

    OriginMeasurement {
        Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param cluster the nodes; not null
     * @param measure the RTT in milliseconds from the origin to a node, or empty if it did not answer
     * @return the map stamped now
     */
    ConnectivityMap measure(ClusterSnapshot cluster, Function<NodeSpec, OptionalDouble> measure) {
        Objects.requireNonNull(cluster, "cluster");
        return build(cluster, originNodeId, estimatePairs, measure, clock.instant());
    }

    static ConnectivityMap build(ClusterSnapshot cluster, String originId, boolean estimatePairs,
            Function<NodeSpec, OptionalDouble> measure, Instant measuredAt) {
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(measuredAt);
        if (cluster.nodes().isEmpty()) {
            return map.build();
        }
        String origin = originId != null && cluster.find(originId).isPresent() ? originId : cluster.nodeIds().get(0);
        Map<String, Double> fromOrigin = new LinkedHashMap<>();
        for (NodeSpec node : cluster.nodes()) {
            if (node.id().equals(origin)) {
                continue;
            }
            OptionalDouble rtt = measure.apply(node);
            if (rtt.isPresent()) {
                fromOrigin.put(node.id(), rtt.getAsDouble());
                map.link(origin, node.id(), rtt.getAsDouble());
            } else {
                map.unreachable(node.id());
            }
        }
        if (estimatePairs) {
            List<String> ids = new ArrayList<>(fromOrigin.keySet());
            for (int i = 0; i < ids.size(); i++) {
                for (int j = i + 1; j < ids.size(); j++) {
                    map.link(ids.get(i), ids.get(j), fromOrigin.get(ids.get(i)) + fromOrigin.get(ids.get(j)));
                }
            }
        }
        return map.build();
    }

    static ConnectivityMap restrict(ConnectivityMap source, ClusterSnapshot cluster, Instant measuredAt) {
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(measuredAt);
        List<String> ids = cluster.nodeIds();
        source.rttMillis().forEach((from, row) -> row.forEach((to, rtt) -> {
            if (ids.contains(from) && ids.contains(to)) {
                map.rtt(from, to, rtt);
            }
        }));
        source.bandwidthBytesPerSecond().forEach((from, row) -> row.forEach((to, bw) -> {
            if (ids.contains(from) && ids.contains(to)) {
                map.bandwidth(from, to, bw);
            }
        }));
        source.unreachableNodes().stream().filter(ids::contains).forEach(map::unreachable);
        return map.build();
    }
}
