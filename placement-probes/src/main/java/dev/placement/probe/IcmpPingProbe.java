package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * Measures RTTs with the system's {@code ping} (Linux iputils; busybox output is read too), run on this
 * machine against every other node: what the research measured, with the same ICMP round trip.
 *
 * <p>This machine is the <em>origin</em> node (by default the cluster's first). Each node gets
 * {@link Builder#count(int) several} echo requests and the median reply time is kept; a node that answers
 * none is reported in {@link ConnectivityMap#unreachableNodes()}. Pairs not involving the origin are
 * estimated through it (an upper bound), as in {@link TcpConnectProbe}; {@link PairwiseProbe} measures them
 * for real.
 *
 * <p>Immutable and thread-safe; {@link #measure} runs one {@code ping} process per node, one after another.
 */
public final class IcmpPingProbe implements LatencyProbe {
    private final PingCommand command;
    private final OriginMeasurement origin;

    private IcmpPingProbe(Builder b) {
        this.command = new PingCommand(b.program, b.count, b.replyTimeout);
        this.origin = b.originMeasurement();
    }

    /** @return a builder: program {@code ping}, 3 echo requests, 1 s reply timeout, system UTC clock */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Pings every node but the origin.
     *
     * @param cluster the nodes; their {@link NodeSpec#address()} is pinged
     * @return median RTTs in milliseconds; nodes that answered nothing are listed as unreachable
     * @throws PlacementException if the ping program cannot be run (for example it is not installed), or the
     *                            thread is interrupted
     */
    @Override
    public ConnectivityMap measure(ClusterSnapshot cluster) {
        return origin.measure(cluster, this::ping);
    }

    private OptionalDouble ping(NodeSpec node) {
        Process process;
        try {
            process = new ProcessBuilder(command.argv(node.address())).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new PlacementException("cannot run '" + command.program() + "' to measure latency ("
                    + e.getMessage() + "); install iputils-ping (apt-get install iputils-ping), set the path of "
                    + "ping with IcmpPingProbe.builder().program(...), or use TcpConnectProbe, which needs no "
                    + "program", e);
        }
        try {
            process.getOutputStream().close();
            String stdout;
            try (InputStream in = process.getInputStream()) {
                stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(command.processTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return OptionalDouble.empty();
            }
            String problem = PingOutput.permissionProblem(stdout);
            if (problem != null) {
                throw new PlacementException("'" + command.program() + "' may not send ICMP here (" + problem
                        + "); allow it (sysctl net.ipv4.ping_group_range, or setcap cap_net_raw+ep on ping) or use "
                        + "TcpConnectProbe, which needs no privileges");
            }
            return PingOutput.parse(stdout).medianMillis();
        } catch (IOException e) {
            process.destroyForcibly();
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new PlacementException("interrupted while pinging '" + node.id() + "'", e);
        }
    }

    /** Configures an {@link IcmpPingProbe}; not thread-safe. */
    public static final class Builder extends OriginProbeBuilder<Builder> {
        private String program = "ping";
        private int count = 3;
        private Duration replyTimeout = Duration.ofSeconds(1);

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param program the ping program, a name looked up on the PATH or an absolute path; default
         *                {@code ping}
         * @return this builder
         */
        public Builder program(String program) {
            this.program = Objects.requireNonNull(program, "program");
            return this;
        }

        /**
         * @param count echo requests per node, 1 to 100; the median reply is kept; default 3
         * @return this builder
         */
        public Builder count(int count) {
            this.count = count;
            return this;
        }

        /**
         * @param timeout how long to wait for each reply, whole seconds, at least 1 s; default 1 s
         * @return this builder
         */
        public Builder replyTimeout(Duration timeout) {
            this.replyTimeout = Objects.requireNonNull(timeout, "replyTimeout");
            return this;
        }

        /**
         * @return the probe
         * @throws IllegalArgumentException if the count or timeout is out of range
         */
        public IcmpPingProbe build() {
            return new IcmpPingProbe(this);
        }
    }
}
