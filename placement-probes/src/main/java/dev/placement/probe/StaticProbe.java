package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import java.time.Clock;
import java.util.Objects;

/**
 * Returns the same connectivity map every time: for a cluster whose links are known from a file, and for
 * tests. Links and unreachable nodes outside the cluster being measured are left out.
 *
 * <p>Immutable and thread-safe.
 */
public final class StaticProbe implements LatencyProbe {
    private final ConnectivityMap map;
    private final Clock clock;

    /**
     * @param map   the links to report; not null
     * @param clock stamps each returned map's {@link ConnectivityMap#measuredAt()}; not null
     */
    public StaticProbe(ConnectivityMap map, Clock clock) {
        this.map = Objects.requireNonNull(map, "map");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param cluster the nodes to report links for
     * @return the configured map, restricted to the cluster's nodes, stamped with the clock's time
     */
    @Override
    public ConnectivityMap measure(ClusterSnapshot cluster) {
        return OriginMeasurement.restrict(map, Objects.requireNonNull(cluster, "cluster"), clock.instant());
    }
}
