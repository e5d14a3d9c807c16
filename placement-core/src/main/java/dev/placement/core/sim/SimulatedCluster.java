package dev.placement.core.sim;

import dev.placement.api.ClusterInventory;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import dev.placement.api.LaunchException;
import dev.placement.api.MetricsSource;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * An edge cluster that exists only in memory: inventory, latency probe, pipeline launcher and metrics
 * source at once, with the {@link PerformanceModel} standing in for the GPUs. What the demo runs on, and
 * what research code uses to test placement policies without GPUs.
 *
 * <p>It has true link RTTs that change when told ({@link #setRttMillis}) or on a script ({@link #at}), nodes
 * that fail and recover, launches that take a restart delay (by advancing the {@link SimulatedClock}, so no
 * real time passes) and can be made to fail. The probe reports the true RTTs with seeded multiplicative noise;
 * the metrics source reports the model's prediction on the true links, with seeded noise, as
 * {@link PipelineMetrics.Source#MEASURED}. A launch fails, like vLLM would, if a node it uses is down or the
 * placement does not fit in memory. Everything random comes from one seeded generator: the same seed and the
 * same calls give the same results.
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class SimulatedCluster implements ClusterInventory, LatencyProbe, PipelineLauncher, MetricsSource {
    private final SimulatedClock clock;
    private final ModelSpec model;
    private final List<NodeSpec> nodes;
    private final PerformanceModel performanceModel;
    private final Workload workload;
    private final int maxModelLen;
    private final double gpuMemoryUtilization;
    private final double rttNoise;
    private final double metricsNoise;
    private final Duration restartDelay;
    private final Random random;

    private final Map<String, Map<String, Double>> rttMillis = new HashMap<>();
    private final Set<String> failed = new HashSet<>();
    private final Map<String, RunningPipeline> runningPipelines = new LinkedHashMap<>();
    private final PriorityQueue<ScheduledChange> script =
            new PriorityQueue<>(Comparator.comparing(ScheduledChange::at).thenComparingLong(ScheduledChange::order));
    private long scriptOrder;
    private int failLaunches;
    private int launches;

    private SimulatedCluster(Builder b) {
        this.clock = b.clock;
        this.model = b.model;
        this.nodes = List.copyOf(b.nodes);
        this.performanceModel = b.performanceModel;
        this.workload = b.workload;
        this.maxModelLen = b.maxModelLen != null ? b.maxModelLen : Math.min(b.model.contextLength(), 4096);
        this.gpuMemoryUtilization = b.gpuMemoryUtilization;
        this.rttNoise = b.rttNoise;
        this.metricsNoise = b.metricsNoise;
        this.restartDelay = b.restartDelay;
        this.random = new Random(b.seed);
        for (NodeSpec a : nodes) {
            for (NodeSpec c : nodes) {
                if (!a.id().equals(c.id())) {
                    rttMillis.computeIfAbsent(a.id(), k -> new HashMap<>()).put(c.id(), b.defaultRttMillis);
                }
            }
        }
        b.links.forEach(l -> setRtt(l.a(), l.b(), l.rttMillis()));
    }

    /**
     * @param clock the simulation's clock, advanced by launches; not null
     * @param model the model served; not null
     * @param nodes the nodes, in order; at least one, ids unique
     * @return a builder: seed 1, every link 0.2 ms, 5% RTT noise, 3% metrics noise, 60 s restart delay,
     *         {@link PerformanceModel#defaults()}, {@link Workload#DEFAULT}
     */
    public static Builder builder(SimulatedClock clock, ModelSpec model, List<NodeSpec> nodes) {
        return new Builder(clock, model, nodes);
    }

    // ------------------------------------------------------------------------------------------ the controls

    /**
     * Sets the true RTT of a link, both directions.
     *
     * @param a         one node
     * @param b         the other node
     * @param rttMillis RTT in ms, finite and &ge; 0
     * @throws IllegalArgumentException if a node is unknown or the RTT invalid
     */
    public synchronized void setRttMillis(String a, String b, double rttMillis) {
        applyScript();
        setRtt(a, b, rttMillis);
    }

    /**
     * @param a one node
     * @param b the other node
     * @return the true RTT from {@code a} to {@code b} in ms, without noise
     */
    public synchronized double rttMillis(String a, String b) {
        applyScript();
        requireNode(a);
        requireNode(b);
        return rttMillis.get(a).get(b);
    }

    /**
     * Takes a node down: it leaves the inventory, is unreachable, and pipelines using it stop serving.
     *
     * @param nodeId the node
     */
    public synchronized void failNode(String nodeId) {
        applyScript();
        requireNode(nodeId);
        failed.add(nodeId);
    }

    /**
     * Brings a failed node back.
     *
     * @param nodeId the node
     */
    public synchronized void recoverNode(String nodeId) {
        applyScript();
        requireNode(nodeId);
        failed.remove(nodeId);
    }

    /**
     * Makes the next launches fail (after their restart delay), as a crashing vLLM would.
     *
     * @param count how many launches to fail, &ge; 0
     */
    public synchronized void failNextLaunches(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, was " + count);
        }
        applyScript();
        failLaunches = count;
    }

    /**
     * Scripts a change: it is applied when the clock has reached {@code when}, at the start of the next call
     * to any method of this cluster. Changes due at the same instant apply in the order scripted.
     *
     * @param when   when to apply it
     * @param change what to do, for example {@code c -> c.setRttMillis("node1", "node2", 8)}
     * @return this cluster
     */
    public synchronized SimulatedCluster at(Instant when, Consumer<SimulatedCluster> change) {
        script.add(new ScheduledChange(Objects.requireNonNull(when, "when"), scriptOrder++,
                Objects.requireNonNull(change, "change")));
        return this;
    }

    /** @return how many launches were attempted so far */
    public synchronized int launches() {
        applyScript();
        return launches;
    }

    /** @return the ids of nodes that are down now */
    public synchronized Set<String> failedNodes() {
        applyScript();
        return Set.copyOf(new TreeSet<>(failed));
    }

    /** @return the pipelines running now */
    public synchronized List<RunningPipeline> runningPipelines() {
        applyScript();
        return List.copyOf(runningPipelines.values());
    }

    /** @return the simulation's clock */
    public SimulatedClock clock() {
        return clock;
    }

    // ------------------------------------------------------------------------------------------ the SPI

    /** @return the nodes that are up, in the configured order */
    @Override
    public synchronized ClusterSnapshot snapshot() {
        applyScript();
        return new ClusterSnapshot(nodes.stream().filter(n -> !failed.contains(n.id())).toList(),
                gpuMemoryUtilization);
    }

    /**
     * @param cluster the nodes to measure
     * @return true RTTs with seeded noise among the nodes that are up; nodes that are down are unreachable
     */
    @Override
    public synchronized ConnectivityMap measure(ClusterSnapshot cluster) {
        applyScript();
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(clock.instant());
        for (NodeSpec a : cluster.nodes()) {
            if (failed.contains(a.id()) || !rttMillis.containsKey(a.id())) {
                map.unreachable(a.id());
                continue;
            }
            for (NodeSpec b : cluster.nodes()) {
                if (!a.id().equals(b.id()) && !failed.contains(b.id()) && rttMillis.containsKey(b.id())) {
                    map.rtt(a.id(), b.id(), noisy(rttMillis.get(a.id()).get(b.id()), rttNoise));
                }
            }
        }
        return map.build();
    }

    /**
     * Starts a simulated pipeline: advances the clock by the restart delay, then fails if a node is down,
     * the placement does not fit, or a failure was ordered with {@link #failNextLaunches(int)}.
     */
    @Override
    public synchronized RunningPipeline launch(Placement placement, ModelSpec launchedModel, ClusterSnapshot cluster) {
        applyScript();
        launches++;
        clock.advance(restartDelay);
        applyScript();
        List<String> down = placement.nodeIds().stream().filter(failed::contains).toList();
        if (!down.isEmpty()) {
            throw new LaunchException("cannot launch " + placement + ": node(s) " + down + " are down");
        }
        if (failLaunches > 0) {
            failLaunches--;
            throw new LaunchException("simulated launch failure of " + placement
                    + " (engine exited during start-up)");
        }
        Prediction prediction = performanceModel.predict(placement, trueRequest(live(), launchedModel));
        if (!prediction.fits()) {
            throw new LaunchException("cannot launch " + placement + ": " + prediction.infeasibleReason());
        }
        String id = "sim-" + launches;
        NodeSpec first = nodes.stream().filter(n -> n.id().equals(placement.nodeIds().get(0))).findFirst()
                .orElseThrow();
        RunningPipeline pipeline = new RunningPipeline(id, placement, URI.create("http://" + first.address() + ":8000"),
                clock.instant());
        runningPipelines.put(id, pipeline);
        return pipeline;
    }

    /** Stops a simulated pipeline at once; stopping one that is gone succeeds. */
    @Override
    public synchronized void stop(RunningPipeline pipeline) {
        applyScript();
        runningPipelines.remove(pipeline.id());
    }

    /**
     * @return the model's prediction for the pipeline on the true links, with seeded noise, or empty if the
     *         pipeline is not running or one of its nodes is down
     */
    @Override
    public synchronized Optional<PipelineMetrics> sample(RunningPipeline pipeline) {
        applyScript();
        if (!runningPipelines.containsKey(pipeline.id())
                || pipeline.placement().nodeIds().stream().anyMatch(failed::contains)) {
            return Optional.empty();
        }
        Prediction p = performanceModel.predict(pipeline.placement(), trueRequest(live(), model));
        if (!p.fits()) {
            return Optional.empty();
        }
        PipelineMetrics m = p.metrics();
        return Optional.of(new PipelineMetrics(noisy(m.ttftMillis(), metricsNoise), noisy(m.itlMillis(), metricsNoise),
                noisy(m.tpotMillis(), metricsNoise), noisy(m.outputTokensPerSecond(), metricsNoise),
                PipelineMetrics.Source.MEASURED));
    }

    /**
     * What the performance model predicts for a placement on the true links now, without noise: the ground
     * truth a policy is judged against.
     *
     * @param placement a placement over nodes that are up
     * @param objective the objective (it only affects the request's bookkeeping, not the prediction)
     * @return the prediction
     */
    public synchronized Prediction predictNow(Placement placement, Objective objective) {
        applyScript();
        return performanceModel.predict(placement, trueRequest(live(), model).toBuilder().objective(objective).build());
    }

    /**
     * @return the true links among the nodes that are up, without noise
     */
    public synchronized ConnectivityMap trueConnectivity() {
        applyScript();
        return trueMap(live());
    }

    // ------------------------------------------------------------------------------------------ internals

    private List<NodeSpec> live() {
        return nodes.stream().filter(n -> !failed.contains(n.id())).toList();
    }

    private ConnectivityMap trueMap(List<NodeSpec> alive) {
        ConnectivityMap.Builder map = ConnectivityMap.builder().measuredAt(clock.instant());
        for (NodeSpec a : alive) {
            for (NodeSpec b : alive) {
                if (!a.id().equals(b.id())) {
                    map.rtt(a.id(), b.id(), rttMillis.get(a.id()).get(b.id()));
                }
            }
        }
        return map.build();
    }

    private PlacementRequest trueRequest(List<NodeSpec> alive, ModelSpec m) {
        ClusterSnapshot cluster = new ClusterSnapshot(alive, gpuMemoryUtilization);
        return PlacementRequest.builder(m, cluster, trueMap(alive)).workload(workload)
                .maxModelLen(Math.min(maxModelLen, m.contextLength())).build();
    }

    private double noisy(double value, double relativeSigma) {
        double n = value * (1 + relativeSigma * random.nextGaussian());
        return Math.max(0, n);
    }

    private void setRtt(String a, String b, double rtt) {
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

    private void requireNode(String id) {
        if (nodes.stream().noneMatch(n -> n.id().equals(id))) {
            throw new IllegalArgumentException("unknown node '" + id + "'; simulated nodes: "
                    + nodes.stream().map(NodeSpec::id).toList());
        }
    }

    private void applyScript() {
        Instant now = clock.instant();
        while (!script.isEmpty() && !script.peek().at().isAfter(now)) {
            script.poll().change().accept(this);
        }
    }

    private record ScheduledChange(Instant at, long order, Consumer<SimulatedCluster> change) {
    }

    private record Link(String a, String b, double rttMillis) {
    }

    /** Configures a {@link SimulatedCluster}; not thread-safe. */
    public static final class Builder {
        private final SimulatedClock clock;
        private final ModelSpec model;
        private final List<NodeSpec> nodes;
        private final List<Link> links = new ArrayList<>();
        private PerformanceModel performanceModel = PerformanceModel.defaults();
        private Workload workload = Workload.DEFAULT;
        private Integer maxModelLen;
        private double gpuMemoryUtilization = ClusterSnapshot.DEFAULT_GPU_MEMORY_UTILIZATION;
        private double defaultRttMillis = 0.2;
        private double rttNoise = 0.05;
        private double metricsNoise = 0.03;
        private Duration restartDelay = Duration.ofSeconds(60);
        private long seed = 1;

        private Builder(SimulatedClock clock, ModelSpec model, List<NodeSpec> nodes) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.model = Objects.requireNonNull(model, "model");
            this.nodes = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
            if (this.nodes.isEmpty()) {
                throw new IllegalArgumentException("a simulated cluster needs at least one node");
            }
            new ClusterSnapshot(this.nodes); // validates unique ids
        }

        /** @param v the seed of every random draw; default 1 @return this builder */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v RTT of every link not set with {@link #link}, ms; default 0.2 @return this builder */
        public Builder defaultRttMillis(double v) {
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
        public Builder link(String a, String b, double rttMillis) {
            links.add(new Link(a, b, rttMillis));
            return this;
        }

        /**
         * @param v relative standard deviation of probe noise, 0 to 1; default 0.05
         * @return this builder
         */
        public Builder rttNoise(double v) {
            rttNoise = fraction(v, "rttNoise");
            return this;
        }

        /**
         * @param v relative standard deviation of measured-metrics noise, 0 to 1; default 0.03
         * @return this builder
         */
        public Builder metricsNoise(double v) {
            metricsNoise = fraction(v, "metricsNoise");
            return this;
        }

        /** @param v how long a launch takes (virtual time); default 60 s @return this builder */
        public Builder restartDelay(Duration v) {
            Objects.requireNonNull(v, "restartDelay");
            if (v.isNegative()) {
                throw new IllegalArgumentException("restartDelay must not be negative, was " + v);
            }
            restartDelay = v;
            return this;
        }

        /** @param v the ground-truth model; default {@link PerformanceModel#defaults()} @return this builder */
        public Builder performanceModel(PerformanceModel v) {
            performanceModel = Objects.requireNonNull(v, "performanceModel");
            return this;
        }

        /** @param v the traffic metrics are computed for; default {@link Workload#DEFAULT} @return this builder */
        public Builder workload(Workload v) {
            workload = Objects.requireNonNull(v, "workload");
            return this;
        }

        /** @param v vLLM's max model length; default min(context, 4096) @return this builder */
        public Builder maxModelLen(int v) {
            maxModelLen = v;
            return this;
        }

        /** @param v vLLM's --gpu-memory-utilization, (0, 1]; default 0.9 @return this builder */
        public Builder gpuMemoryUtilization(double v) {
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
    }
}
