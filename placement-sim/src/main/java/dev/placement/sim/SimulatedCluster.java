package dev.placement.sim;

import dev.placement.api.ClusterInventory;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.LatencyProbe;
import dev.placement.api.LaunchException;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.MetricsSample;
import dev.placement.api.MetricsSource;
import dev.placement.api.NodeSpec;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * An edge cluster that exists only in memory: inventory, latency probe, pipeline launcher and metrics
 * source at once, with a {@link MetricsPredictor} (usually {@code placement-core}'s performance model)
 * standing in for the GPUs. What the demo runs on, and what research code uses to test placement policies
 * without GPUs.
 *
 * <p>It has true link RTTs that change when told ({@link #setRttMillis}) or on a script ({@link #at}), nodes
 * that fail and recover, launches that take a restart delay (by advancing the {@link SimulatedClock}, so no
 * real time passes) and can be made to fail. The probe reports the true RTTs with seeded multiplicative noise;
 * the metrics source reports the ground truth's prediction on the true links, with seeded noise, as
 * {@link PipelineMetrics.Source#MEASURED}, for the engine settings (max model length, GPU memory fraction)
 * the pipeline was launched with. A launch fails, like vLLM would, if a node it uses is down or the
 * placement does not fit in memory. Everything random comes from one seeded generator: the same seed and the
 * same calls give the same results.
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class SimulatedCluster implements ClusterInventory, LatencyProbe, PipelineLauncher, MetricsSource {
    private final SimulatedClock clock;
    private final List<NodeSpec> nodes;
    private Workload workload;
    private final double gpuMemoryUtilization;
    private final double rttNoise;
    private final double metricsNoise;
    private final Duration restartDelay;
    private final Random random;

    private final SimulatedLinks links;
    private final Set<String> failed = new HashSet<>();
    private final SimulatedPipelines pipelines;
    private final SimulatedScript script = new SimulatedScript();

    SimulatedCluster(SimulatedClusterBuilder b) {
        this.clock = b.clock;
        this.nodes = List.copyOf(b.nodes);
        this.workload = b.workload;
        this.gpuMemoryUtilization = b.gpuMemoryUtilization;
        this.rttNoise = b.rttNoise;
        this.metricsNoise = b.metricsNoise;
        this.restartDelay = b.restartDelay;
        this.random = new Random(b.seed);
        this.links = new SimulatedLinks(nodes, b.defaultRttMillis);
        b.links.forEach(l -> links.set(l.a(), l.b(), l.rttMillis()));
        this.pipelines = new SimulatedPipelines(b.truth, this::trueRequest);
    }

    /**
     * @param clock the simulation's clock, advanced by launches; not null
     * @param nodes the nodes, in order; at least one, ids unique
     * @param truth what the simulated GPUs achieve: the metrics of a placement on the true links, for
     *              example {@code PerformanceModel.defaults()}; not null
     * @return a builder: seed 1, every link 0.2 ms, 5% RTT noise, 3% metrics noise, 60 s restart delay,
     *         {@link Workload#DEFAULT}
     */
    public static SimulatedClusterBuilder builder(SimulatedClock clock, List<NodeSpec> nodes, MetricsPredictor truth) {
        return new SimulatedClusterBuilder(clock, nodes, truth);
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
        links.set(a, b, rttMillis);
    }

    /**
     * @param a one node
     * @param b the other node
     * @return the true RTT from {@code a} to {@code b} in ms, without noise
     */
    public synchronized double rttMillis(String a, String b) {
        applyScript();
        return links.get(a, b);
    }

    /**
     * Takes a node down: it leaves the inventory, is unreachable, and pipelines using it die for good.
     *
     * @param nodeId the node
     */
    public synchronized void failNode(String nodeId) {
        applyScript();
        links.requireNode(nodeId);
        failed.add(nodeId);
        pipelines.nodeFailed(nodeId);
    }

    /**
     * Brings a failed node back.
     *
     * @param nodeId the node
     */
    public synchronized void recoverNode(String nodeId) {
        applyScript();
        links.requireNode(nodeId);
        failed.remove(nodeId);
    }

    /**
     * Changes the traffic the clients send: from now on the metrics are the truth's for this workload, and
     * the samples report it.
     *
     * @param workload the new workload; not null
     */
    public synchronized void setWorkload(Workload workload) {
        applyScript();
        this.workload = Objects.requireNonNull(workload, "workload");
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
        pipelines.failNext(count);
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
        script.add(when, change);
        return this;
    }

    /** @return how many launches were attempted so far */
    public synchronized int launches() {
        applyScript();
        return pipelines.attempts();
    }

    /** @return the ids of nodes that are down now */
    public synchronized Set<String> failedNodes() {
        applyScript();
        return Set.copyOf(new TreeSet<>(failed));
    }

    /** @return the pipelines running now */
    public synchronized List<RunningPipeline> runningPipelines() {
        applyScript();
        return pipelines.running();
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

    /** @return true RTTs with seeded noise among the nodes that are up; nodes that are down are unreachable */
    @Override
    public synchronized ConnectivityMap measure(ClusterSnapshot cluster) {
        applyScript();
        return links.measure(cluster.nodes(), failed, clock.instant(), random, rttNoise);
    }

    /**
     * Starts a simulated pipeline: advances the clock by the restart delay, then fails if a node is down,
     * the placement does not fit under the request's engine settings, or a failure was ordered with
     * {@link #failNextLaunches(int)}.
     */
    @Override
    public synchronized RunningPipeline launch(Placement placement, PlacementRequest request) {
        applyScript();
        pipelines.attempt();
        clock.advance(restartDelay);
        applyScript();
        List<String> down = placement.nodeIds().stream().filter(failed::contains).toList();
        if (!down.isEmpty()) {
            throw new LaunchException("cannot launch " + placement + ": node(s) " + down + " are down");
        }
        NodeSpec first = nodes.stream().filter(n -> n.id().equals(placement.nodeIds().get(0))).findFirst()
                .orElseThrow(() -> new LaunchException("cannot launch " + placement + ": rank 0's node is unknown"));
        return pipelines.start(placement, request, URI.create("http://" + first.address() + ":8000"), clock.instant());
    }

    /** Stops a simulated pipeline at once; stopping one that is gone succeeds. */
    @Override
    public synchronized void stop(RunningPipeline pipeline) {
        applyScript();
        pipelines.stop(pipeline);
    }

    /** @return whether the pipeline runs: launched, not stopped, and none of its nodes failed since */
    @Override
    public synchronized boolean isAlive(RunningPipeline pipeline) {
        applyScript();
        return pipelines.isRunning(pipeline);
    }
    /**
     * @return the ground truth for the pipeline on the true links, with seeded noise, and the workload it
     *         serves; empty if the pipeline is not running, one of its nodes is down, or it no longer fits
     */
    @Override
    public synchronized Optional<MetricsSample> sample(RunningPipeline pipeline) {
        applyScript();
        if (pipeline.placement().nodeIds().stream().anyMatch(failed::contains)) {
            return Optional.empty();
        }
        return pipelines.truth(pipeline).map(m -> new MetricsSample(new PipelineMetrics(noisy(m.ttftMillis()),
                noisy(m.itlMillis()), noisy(m.tpotMillis()), noisy(m.outputTokensPerSecond()),
                PipelineMetrics.Source.MEASURED), workload));
    }

    /** @return the true links among the nodes that are up, without noise */
    public synchronized ConnectivityMap trueConnectivity() {
        applyScript();
        return links.truth(live(), clock.instant());
    }

    // ------------------------------------------------------------------------------------------ internals

    private List<NodeSpec> live() {
        return nodes.stream().filter(n -> !failed.contains(n.id())).toList();
    }

    /** The request the truth is asked: the nodes up, the true links, the real traffic, the launch's engine. */
    private PlacementRequest trueRequest(SimulatedPipelines.Engine engine) {
        List<NodeSpec> alive = live();
        ClusterSnapshot cluster = new ClusterSnapshot(alive, engine.gpuMemoryUtilization());
        return PlacementRequest.builder(engine.model(), cluster, links.truth(alive, clock.instant())).workload(workload)
                .maxModelLen(engine.maxModelLen()).build();
    }

    private double noisy(double value) {
        return SimulatedLinks.noisy(value, metricsNoise, random);
    }

    private void applyScript() {
        script.applyDue(clock.instant(), this);
    }
}
