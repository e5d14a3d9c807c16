package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds measured link bandwidths to another probe's RTTs: wraps a {@link LatencyProbe} (usually a
 * {@link PairwiseProbe}) and, now and then, runs iperf3 between every ordered pair of nodes through a
 * {@link CommandRunner} (SSH on a real cluster), filling {@link ConnectivityMap#bandwidthBytesPerSecond()}.
 *
 * <p>Bandwidth is what a prefill pays for: it sends one hidden vector per prompt token over every link. But a
 * measurement fills the link for {@link Builder#duration(Duration) a second} per pair, n × (n − 1) pairs one
 * after another (at once they would compete for the same links), so it runs only every
 * {@link Builder#refreshInterval(Duration) refresh interval}: every call measures RTTs through the wrapped
 * probe, and in between the last measured bandwidths are reused. A pair never tried before, because a node
 * joined or came back, is measured on the next call rather than waiting for the interval.
 *
 * <p>Per pair, the receiving node starts a one-off server, {@code iperf3 -s -1 -D -p PORT --idle-timeout 30}
 * (it detaches, serves one client, and exits by itself if none comes), then the sending node runs
 * {@code iperf3 -c ADDRESS -p PORT -t SECONDS -J --connect-timeout 3000} against the receiver's address, and
 * the rate is iperf3's {@code end.sum_received.bits_per_second}. A test that iperf3 reports as failed (the
 * server was not listening yet, say) is tried a few times with a fresh server; a pair that still gives no rate
 * is left absent in that measurement and the reason is logged as a warning, never thrown. Only pairs between
 * reachable nodes with a known RTT are measured: other pairs cannot be neighbours in a pipeline anyway.
 * Addresses are checked to be host names or IP addresses before they reach iperf3; commands are argument
 * vectors, never shell text.
 *
 * <p>Every node needs iperf3 (Debian/Ubuntu: {@code apt-get install iperf3}; tested with 3.12) and the port open
 * between the nodes. Bandwidths that the wrapped probe reports itself are kept where iperf3 measured nothing.
 *
 * <pre>{@code
 * CommandRunner ssh = SshCommandRunner.builder().user("ubuntu").privateKey(key).knownHosts(knownHosts).build();
 * LatencyProbe probe = BandwidthProbe.builder(ssh, PairwiseProbe.builder(ssh).build())
 *         .refreshInterval(Duration.ofMinutes(10))   // iperf3 at most every 10 min; ping every tick
 *         .duration(Duration.ofSeconds(1))           // 1 s of traffic per ordered pair
 *         .port(5201)
 *         .build();
 * ConnectivityMap map = probe.measure(cluster);
 * map.bandwidthBytesPerSecond("node0", "node1");  // bytes/s, or empty if that pair could not be measured
 * }</pre>
 *
 * <p>Thread-safe: calls to {@link #measure} run one at a time, and the runner is used from one thread at a
 * time (the wrapped probe may use it from several; see its own documentation).
 */
public final class BandwidthProbe implements LatencyProbe {
    private static final Logger LOG = LoggerFactory.getLogger(BandwidthProbe.class);

    private final LatencyProbe rttProbe;
    private final Iperf3Pair pair;
    private final Duration refreshInterval;
    private final Clock clock;
    private final Consumer<String> warnings;

    // Guarded by this: what the last measurements found, for the pairs among the nodes present now.
    private final Map<Link, Double> lastBytesPerSecond = new HashMap<>();
    private final Set<Link> tried = new HashSet<>();
    private Instant lastRound;

    private BandwidthProbe(Builder b) {
        this.rttProbe = b.rttProbe;
        this.pair = new Iperf3Pair(b.runner, new Iperf3Command(b.program, b.port, b.duration), b.pause);
        this.refreshInterval = b.refreshInterval;
        this.clock = b.clock;
        this.warnings = b.warnings;
    }

    /**
     * @param runner   runs iperf3 on the nodes; not null
     * @param rttProbe measures the RTTs on every call, for example a {@link PairwiseProbe}; not null
     * @return a builder: program {@code iperf3}, port 5201, 1 s per pair, a refresh interval of 10 min, system
     *         UTC clock
     */
    public static Builder builder(CommandRunner runner, LatencyProbe rttProbe) {
        return new Builder(Objects.requireNonNull(runner, "runner"), Objects.requireNonNull(rttProbe, "rttProbe"));
    }

    /**
     * Measures RTTs with the wrapped probe, and bandwidths when they are due.
     *
     * @param cluster the nodes
     * @return the wrapped probe's map with the measured bandwidths in bytes per second: from this call if it
     *         measured them, else from the last call that did
     * @throws PlacementException if the wrapped probe throws, or the thread is interrupted
     */
    @Override
    public synchronized ConnectivityMap measure(ClusterSnapshot cluster) {
        Objects.requireNonNull(cluster, "cluster");
        ConnectivityMap rtt = rttProbe.measure(cluster);
        Map<String, NodeSpec> present = new HashMap<>();
        cluster.nodes().stream().filter(n -> !rtt.unreachableNodes().contains(n.id()))
                .forEach(n -> present.put(n.id(), n));
        // A node that left or could not be reached is measured afresh when it is back: it may be elsewhere now.
        lastBytesPerSecond.keySet().removeIf(l -> !l.among(present.keySet()));
        tried.removeIf(l -> !l.among(present.keySet()));

        Instant now = clock.instant();
        boolean due = lastRound == null || !now.isBefore(lastRound.plus(refreshInterval));
        List<Link> measure = new ArrayList<>();
        for (NodeSpec from : cluster.nodes()) {
            for (NodeSpec to : cluster.nodes()) {
                Link link = new Link(from.id(), to.id());
                if (link.among(present.keySet()) && !from.id().equals(to.id()) && rtt.hasLink(from.id(), to.id())
                        && (due || !tried.contains(link))) {
                    measure.add(link);
                }
            }
        }
        if (due) {
            lastRound = now;
        }
        measureLinks(measure, present, now);

        ConnectivityMap.Builder out = rtt.toBuilder();
        lastBytesPerSecond.forEach((l, bw) -> out.bandwidth(l.from(), l.to(), bw));
        return out.build();
    }

    private void measureLinks(List<Link> links, Map<String, NodeSpec> nodes, Instant started) {
        int measured = 0;
        for (Link link : links) {
            tried.add(link);
            Iperf3Result result = pair.measure(nodes.get(link.from()), nodes.get(link.to()));
            if (result.succeeded()) {
                lastBytesPerSecond.put(link, result.bytesPerSecond());
                measured++;
            } else {
                lastBytesPerSecond.remove(link);
                warnings.accept("bandwidth from '" + link.from() + "' to '" + link.to() + "' not measured: "
                        + result.failure());
            }
        }
        if (!links.isEmpty()) {
            LOG.info("measured the bandwidth of {} of {} links with iperf3 in {} ms", measured, links.size(),
                    Duration.between(started, clock.instant()).toMillis());
        }
    }

    /** One direction between two nodes. */
    private record Link(String from, String to) {
        boolean among(Set<String> nodes) {
            return nodes.contains(from) && nodes.contains(to);
        }
    }

    /** Configures a {@link BandwidthProbe}; not thread-safe. */
    public static final class Builder {
        private final CommandRunner runner;
        private final LatencyProbe rttProbe;
        private String program = "iperf3";
        private int port = 5201;
        private Duration duration = Duration.ofSeconds(1);
        private Duration refreshInterval = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();
        private Iperf3Pair.Pause pause = d -> Thread.sleep(d.toMillis());
        private Consumer<String> warnings = LOG::warn;

        private Builder(CommandRunner runner, LatencyProbe rttProbe) {
            this.runner = runner;
            this.rttProbe = rttProbe;
        }

        /**
         * @param program the iperf3 program on the nodes, a name looked up on their PATH or an absolute path;
         *                default {@code iperf3}
         * @return this builder
         */
        public Builder program(String program) {
            this.program = Objects.requireNonNull(program, "program");
            return this;
        }

        /**
         * @param port the TCP port the iperf3 server listens on, on each receiving node, 1 to 65535; it must be
         *             open between the nodes; default 5201 (iperf3's own)
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * @param duration how long each ordered pair sends, whole seconds from 1 to 60 s; longer is steadier
         *                 but fills the link for longer; default 1 s
         * @return this builder
         */
        public Builder duration(Duration duration) {
            this.duration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        /**
         * @param interval how long the last measured bandwidths are reused before every pair is measured
         *                 again, zero or more ({@link Duration#ZERO} measures on every call); read from the
         *                 {@link #clock(Clock) clock}; default 10 min
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder refreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "refreshInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("refreshInterval must not be negative, was " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /**
         * @param clock tells when bandwidths are due again; the map's {@link ConnectivityMap#measuredAt()} is
         *              the wrapped probe's; default system UTC
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Replaces the wait between tries of a pair; for tests. */
        Builder pause(Iperf3Pair.Pause pause) {
            this.pause = Objects.requireNonNull(pause, "pause");
            return this;
        }

        /** Replaces where the line saying why a pair was not measured goes (a warning log); for tests. */
        Builder warnings(Consumer<String> warnings) {
            this.warnings = Objects.requireNonNull(warnings, "warnings");
            return this;
        }

        /**
         * @return the probe
         * @throws IllegalArgumentException if the program, port or duration is invalid, naming it and its value
         */
        public BandwidthProbe build() {
            return new BandwidthProbe(this);
        }
    }
}
