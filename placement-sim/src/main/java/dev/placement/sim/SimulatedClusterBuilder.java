package dev.placement.sim;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.NodeSpec;
import dev.placement.api.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Configures a {@link SimulatedCluster} ({@link SimulatedCluster#builder}); not thread-safe. */
public final class SimulatedClusterBuilder {
    final SimulatedClock clock;
    final List<NodeSpec> nodes;
    final List<Link> links = new ArrayList<>();
    final MetricsPredictor truth;
    Workload workload = Workload.DEFAULT;
    double gpuMemoryUtilization = ClusterSnapshot.DEFAULT_GPU_MEMORY_UTILIZATION;
    double defaultRttMillis = 0.2;
    double rttNoise = 0.05;
    double metricsNoise = 0.03;
    Duration restartDelay = Duration.ofSeconds(60);
    long seed = 1;

    SimulatedClusterBuilder(SimulatedClock clock, List<NodeSpec> nodes, MetricsPredictor truth) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nodes = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
        this.truth = Objects.requireNonNull(truth, "truth");
        if (this.nodes.isEmpty()) {
            throw new IllegalArgumentException("a simulated cluster needs at least one node");
        }
        new ClusterSnapshot(this.nodes); // validates unique ids
    }

    /**
     * Sets the seed of the one generator every random draw comes from.
     *
     * @param v the seed; default 1
     * @return this builder
     */
    public SimulatedClusterBuilder seed(long v) {
        seed = v;
        return this;
    }

    /**
     * Sets the RTT of every link not set with {@link #link}.
     *
     * @param v the RTT in ms, finite and &ge; 0; default 0.2
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is negative, infinite or NaN
     */
    public SimulatedClusterBuilder defaultRttMillis(double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("defaultRttMillis must be finite and >= 0, was " + v);
        }
        defaultRttMillis = v;
        return this;
    }

    /**
     * @param a         one node
     * @param b         the other node
     * @param rttMillis the link's initial RTT, both directions, ms
     * @return this builder
     */
    public SimulatedClusterBuilder link(String a, String b, double rttMillis) {
        links.add(new Link(a, b, rttMillis));
        return this;
    }

    /**
     * @param rtt     relative standard deviation of the probe's noise on RTTs, 0 to 1; default 0.05
     * @param metrics relative standard deviation of the noise on measured metrics, 0 to 1; default 0.03
     * @return this builder
     */
    public SimulatedClusterBuilder noise(double rtt, double metrics) {
        rttNoise = fraction(rtt, "rtt noise");
        metricsNoise = fraction(metrics, "metrics noise");
        return this;
    }

    /**
     * Sets how long a launch takes, in virtual time.
     *
     * @param v the delay, not negative; default 60 s
     * @return this builder
     * @throws NullPointerException     if {@code v} is null
     * @throws IllegalArgumentException if {@code v} is negative
     */
    public SimulatedClusterBuilder restartDelay(Duration v) {
        Objects.requireNonNull(v, "restartDelay");
        if (v.isNegative()) {
            throw new IllegalArgumentException("restartDelay must not be negative, was " + v);
        }
        restartDelay = v;
        return this;
    }

    /**
     * Sets the traffic the metrics are computed for.
     *
     * @param v the workload; not null; default {@link Workload#DEFAULT}
     * @return this builder
     */
    public SimulatedClusterBuilder workload(Workload v) {
        workload = Objects.requireNonNull(v, "workload");
        return this;
    }

    /**
     * @param v the GPU memory fraction the inventory reports, vLLM's --gpu-memory-utilization, (0, 1];
     *          default 0.9. A launch runs with the fraction of the request it is given.
     * @return this builder
     */
    public SimulatedClusterBuilder gpuMemoryUtilization(double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("gpuMemoryUtilization must be in (0, 1], was " + v);
        }
        gpuMemoryUtilization = v;
        return this;
    }

    /**
     * @return the cluster
     * @throws IllegalArgumentException if a link names an unknown node
     */
    public SimulatedCluster build() {
        return new SimulatedCluster(this);
    }

    private static double fraction(double v, String name) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be 0 to 1, was " + v);
        }
        return v;
    }

    /** A link set with {@link #link}: both directions, RTT in ms. */
    record Link(String a, String b, double rttMillis) {
    }
}
