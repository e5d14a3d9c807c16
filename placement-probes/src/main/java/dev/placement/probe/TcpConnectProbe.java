package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import dev.placement.api.NodeSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Measures RTTs as the time of a TCP handshake from this machine to a port on each node (SSH's 22 by
 * default): no privileges and no {@code ping} binary needed.
 *
 * <p>This machine is taken to be the <em>origin</em> node (by default the cluster's first node, where the
 * driver runs). Each other node is connected to {@link Builder#samples(int) several times} and the median
 * kept; a node whose port refuses or does not answer within the connect timeout is reported in
 * {@link ConnectivityMap#unreachableNodes()}. Pairs not involving the origin are estimated as the path
 * through it ({@code rtt(origin,a) + rtt(origin,b)}, an upper bound) unless
 * {@link Builder#estimatePairsThroughOrigin(boolean)} turns that off; for true node-to-node RTTs use
 * {@link PairwiseProbe}.
 *
 * <p>Immutable and thread-safe; {@link #measure} blocks for up to samples × connect timeout per node.
 */
public final class TcpConnectProbe implements LatencyProbe {
    private final int port;
    private final int samples;
    private final Duration connectTimeout;
    private final OriginMeasurement origin;

    private TcpConnectProbe(Builder b) {
        this.port = b.port;
        this.samples = b.samples;
        this.connectTimeout = b.connectTimeout;
        this.origin = b.originMeasurement();
    }

    /** @return a builder with port 22, 3 samples, a 1 s connect timeout, the system UTC clock */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Measures the handshake RTT to every node but the origin.
     *
     * @param cluster the nodes; their {@link NodeSpec#address()} is connected to
     * @return RTTs in milliseconds; nodes that could not be connected to are listed as unreachable
     */
    @Override
    public ConnectivityMap measure(ClusterSnapshot cluster) {
        return origin.measure(cluster, this::handshakeMillis);
    }

    private OptionalDouble handshakeMillis(NodeSpec node) {
        InetAddress address;
        try {
            // Resolved once, outside the timed region, so name lookup is not counted as network latency.
            address = InetAddress.getByName(node.address());
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
        List<Double> rtts = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                long start = System.nanoTime();
                socket.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
                rtts.add((System.nanoTime() - start) / 1e6);
            } catch (IOException e) {
                // One refused or timed-out handshake means the port is not serving; more tries would only wait.
                return OptionalDouble.empty();
            }
        }
        return Median.of(rtts);
    }

    /** Configures a {@link TcpConnectProbe}; not thread-safe. */
    public static final class Builder extends OriginProbeBuilder<Builder> {
        private int port = 22;
        private int samples = 3;
        private Duration connectTimeout = Duration.ofSeconds(1);

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * @param port the TCP port to connect to on every node, 1 to 65535; default 22
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param samples handshakes per node, 1 to 100; the median is kept; default 3
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder samples(int samples) {
            if (samples < 1 || samples > 100) {
                throw new IllegalArgumentException("samples must be 1 to 100, was " + samples);
            }
            this.samples = samples;
            return this;
        }

        /**
         * @param timeout how long one handshake may take before the node counts as unreachable; 1 ms to
         *                1 min; default 1 s
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "connectTimeout");
            if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("connectTimeout must be 1 ms to 1 min, was " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** @return the probe */
        public TcpConnectProbe build() {
            return new TcpConnectProbe(this);
        }
    }
}
