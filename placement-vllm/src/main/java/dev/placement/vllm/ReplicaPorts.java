package dev.placement.vllm;

import dev.placement.api.LaunchException;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The OpenAI server ports a launcher hands its pipelines, so that replicas of one model running at once never
 * ask for the same port on one host. The rule: a launch takes the <em>lowest</em> port of the launcher's range
 * that none of its live pipelines (or launches under way) holds <em>on the same host</em> — the host vLLM's API
 * server runs on, rank 0's node (or the local host). Pipelines on other hosts do not count, so replicas on
 * disjoint nodes all get the first port; with the default range (one port, 8000) a single pipeline behaves as
 * before. A port is held from {@link #reserve} until {@link #release}: a launch that fails gives it back, a stop
 * gives it back once the server is gone. Ports held by processes this launcher did not start are not seen (vLLM
 * then fails to bind, and the launch fails with its log).
 *
 * <p>Thread-safe: every method that reads or changes the leases is synchronized, so concurrent launches never get
 * one port on one host.
 */
final class ReplicaPorts {

    /** What holds a port between {@link #reserve} and {@link #assign}. */
    static final String LAUNCHING = "a launch under way";

    /**
     * A range of TCP ports, both ends included.
     *
     * @param first the lowest port, 1 to 65535
     * @param last  the highest port, {@code first} to 65535
     */
    record Range(int first, int last) {
        /** @throws IllegalArgumentException naming the bound and value if the range is empty or outside 1..65535 */
        Range {
            requirePort(first, "portRange first");
            requirePort(last, "portRange last");
            if (last < first) {
                throw new IllegalArgumentException("portRange: last port " + last + " is below the first, " + first);
            }
        }

        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + " to " + last;
        }
    }

    /** A port held on a host, from {@link #reserve} until {@link #release}; each lease is its own (identity). */
    static final class Lease {
        private final String host;
        private final int port;

        private Lease(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** @return the host, lower case */
        String host() {
            return host;
        }

        /** @return the port */
        int port() {
            return port;
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private final Range range;
    /** Per host (lower case), the ports held: the lease and what holds it (a pipeline id, or LAUNCHING). */
    private final Map<String, TreeMap<Integer, Lease>> held = new HashMap<>();
    private final Map<Lease, String> holders = new HashMap<>();
    private final Map<String, Lease> byPipeline = new HashMap<>();

    ReplicaPorts(Range range) {
        this.range = Objects.requireNonNull(range, "range");
    }

    static int requirePort(int port, String field) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(field + " must be 1 to 65535, was " + port);
        }
        return port;
    }

    /** @return the range the ports are taken from */
    Range range() {
        return range;
    }

    /**
     * Plans a launch on the lowest free port of the host its server runs on, starts it, and binds the port to the
     * pipeline it started; if planning or starting throws, the port is given back.
     *
     * @param host  where the server listens, or empty for rank 0's node address
     * @param start starts the planned launch and returns the running pipeline (or throws)
     * @return the running pipeline, its endpoint on the reserved port
     * @throws LaunchException if the placement cannot be planned, no port is free on the host, or the start fails
     */
    RunningPipeline launch(Optional<String> host, Placement placement, PlacementRequest request, VllmOptions options,
            Function<VllmLaunchPlan, RunningPipeline> start) {
        String on = host.orElseGet(() -> VllmLaunchPlan.createForLaunch(placement, request, options, range.first())
                .ranks().get(0).address());
        Lease lease = reserve(on);
        RunningPipeline started = null;
        try {
            started = start.apply(VllmLaunchPlan.createForLaunch(placement, request, options, lease.port()));
            assign(lease, started.id());
            return started;
        } finally {
            if (started == null) {
                release(lease);
            }
        }
    }

    /**
     * Holds the lowest port of the range that nothing of this launcher holds on that host.
     *
     * @param host the host the server will listen on (an address or host name; compared ignoring case)
     * @return the lease; give it back with {@link #release} or bind it to the pipeline with {@link #assign}
     * @throws LaunchException naming the host, the range and what holds its ports if all are held
     */
    synchronized Lease reserve(String host) {
        String key = Objects.requireNonNull(host, "host").toLowerCase(Locale.ROOT);
        TreeMap<Integer, Lease> onHost = held.computeIfAbsent(key, k -> new TreeMap<>());
        for (int port = range.first(); port <= range.last(); port++) {
            if (!onHost.containsKey(port)) {
                Lease lease = new Lease(key, port);
                onHost.put(port, lease);
                holders.put(lease, LAUNCHING);
                return lease;
            }
        }
        StringJoiner holding = new StringJoiner(", ");
        onHost.forEach((port, lease) -> holding.add(port + ": " + holders.get(lease)));
        throw new LaunchException("no free port on " + host + " in portRange " + range + ": this launcher's "
                + "pipelines hold them all there (" + holding + "); stop one, or widen the launcher's portRange");
    }

    /**
     * Binds a held port to the pipeline that now serves on it, so that {@link #releasePipeline} gives it back.
     *
     * @param lease      a lease from {@link #reserve}, still held
     * @param pipelineId the pipeline's id
     * @throws IllegalStateException if the lease was released
     */
    synchronized void assign(Lease lease, String pipelineId) {
        Objects.requireNonNull(pipelineId, "pipelineId");
        if (!holders.containsKey(lease)) {
            throw new IllegalStateException("port " + lease + " was released before pipeline " + pipelineId
                    + " took it");
        }
        holders.put(lease, pipelineId);
        byPipeline.put(pipelineId, lease);
    }

    /** Gives a port back; idempotent, and a lease released twice never frees a port another lease holds since. */
    synchronized void release(Lease lease) {
        if (holders.remove(lease) == null) {
            return;
        }
        TreeMap<Integer, Lease> onHost = held.get(lease.host());
        onHost.remove(lease.port());
        if (onHost.isEmpty()) {
            held.remove(lease.host());
        }
        byPipeline.values().remove(lease);
    }

    /** Gives back the port a pipeline holds, if any (its server is gone); idempotent. */
    synchronized void releasePipeline(String pipelineId) {
        Lease lease = byPipeline.remove(pipelineId);
        if (lease != null) {
            release(lease);
        }
    }

    /** @return per host, the ports held now and by what; a copy, for messages and tests */
    synchronized Map<String, Map<Integer, String>> held() {
        Map<String, Map<Integer, String>> copy = new TreeMap<>();
        held.forEach((host, ports) -> {
            Map<Integer, String> byPort = new TreeMap<>();
            ports.forEach((port, lease) -> byPort.put(port, holders.get(lease)));
            copy.put(host, byPort);
        });
        return copy;
    }
}
