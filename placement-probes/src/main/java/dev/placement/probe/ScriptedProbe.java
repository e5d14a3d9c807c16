package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Returns a scripted sequence of connectivity maps, one per call, repeating the last one once the script
 * runs out: a flapping link, a spike, a step change — for tests and research code that drive an orchestrator
 * through a known story. Each map is restricted to the cluster being measured.
 *
 * <p>Thread-safe: concurrent calls each get a distinct step of the script.
 */
public final class ScriptedProbe implements LatencyProbe {
    private final List<ConnectivityMap> script;
    private final Clock clock;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param script the maps to return in order; at least one
     * @param clock  stamps each returned map's {@link ConnectivityMap#measuredAt()}
     * @throws IllegalArgumentException if the script is empty
     */
    public ScriptedProbe(List<ConnectivityMap> script, Clock clock) {
        this.script = List.copyOf(Objects.requireNonNull(script, "script"));
        if (this.script.isEmpty()) {
            throw new IllegalArgumentException("a scripted probe needs at least one connectivity map");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param cluster the nodes to report links for
     * @return the next map of the script (the last one once the script is used up)
     */
    @Override
    public ConnectivityMap measure(ClusterSnapshot cluster) {
        int call = next.getAndIncrement();
        ConnectivityMap map = script.get(Math.min(call, script.size() - 1));
        return OriginMeasurement.restrict(map, Objects.requireNonNull(cluster, "cluster"), clock.instant());
    }

    /** @return how many times {@link #measure} has been called */
    public int calls() {
        return next.get();
    }
}
