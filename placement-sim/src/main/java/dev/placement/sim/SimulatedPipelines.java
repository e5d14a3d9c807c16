package dev.placement.sim;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.LaunchException;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.ModelSpec;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The pipelines of a {@link SimulatedCluster}: each with the engine settings it was launched with, launches
 * that can be ordered to fail, and the ground truth's metrics for each on the cluster as it is now. Not
 * thread-safe; the cluster calls it under its own lock.
 */
final class SimulatedPipelines {

    /** The engine settings a pipeline was launched with. */
    record Engine(ModelSpec model, int maxModelLen, double gpuMemoryUtilization) {
    }

    private record Launched(RunningPipeline pipeline, Engine engine) {
    }

    private final MetricsPredictor truth;
    /** The request the truth is asked for an engine: the nodes up, the true links, the real traffic. */
    private final Function<Engine, PlacementRequest> world;
    private final Map<String, Launched> running = new LinkedHashMap<>();
    private int failuresOrdered;
    private int attempts;

    SimulatedPipelines(MetricsPredictor truth, Function<Engine, PlacementRequest> world) {
        this.truth = truth;
        this.world = world;
    }

    /** Counts a launch attempt (before its restart delay). */
    void attempt() {
        attempts++;
    }

    int attempts() {
        return attempts;
    }

    void failNext(int count) {
        failuresOrdered = count;
    }

    /**
     * Starts a pipeline once its restart delay has passed: fails if a failure was ordered or the placement
     * does not fit under the request's engine settings.
     */
    RunningPipeline start(Placement placement, PlacementRequest request, URI endpoint, Instant now) {
        if (failuresOrdered > 0) {
            failuresOrdered--;
            throw new LaunchException("simulated launch failure of " + placement
                    + " (engine exited during start-up)");
        }
        Engine engine = new Engine(request.model(), request.maxModelLen(), request.cluster().gpuMemoryUtilization());
        try {
            truth.predictMetrics(placement, world.apply(engine));
        } catch (InfeasiblePlacementException | IllegalArgumentException e) {
            throw new LaunchException("cannot launch " + placement + ": " + e.getMessage());
        }
        RunningPipeline pipeline = new RunningPipeline("sim-" + attempts, placement, endpoint, now);
        running.put(pipeline.id(), new Launched(pipeline, engine));
        return pipeline;
    }

    void stop(RunningPipeline pipeline) {
        running.remove(pipeline.id());
    }

    /** A node went down: the pipelines that use it die with it. */
    void nodeFailed(String nodeId) {
        running.values().removeIf(l -> l.pipeline().placement().nodeIds().contains(nodeId));
    }

    boolean isRunning(RunningPipeline pipeline) {
        return running.containsKey(pipeline.id());
    }

    List<RunningPipeline> running() {
        return running.values().stream().map(Launched::pipeline).toList();
    }

    /** The truth's metrics for a running pipeline, without noise; empty if it is not running or cannot run. */
    Optional<PipelineMetrics> truth(RunningPipeline pipeline) {
        Launched launched = running.get(pipeline.id());
        if (launched == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(truth.predictMetrics(pipeline.placement(), world.apply(launched.engine())));
        } catch (InfeasiblePlacementException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
