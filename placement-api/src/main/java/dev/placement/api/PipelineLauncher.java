package dev.placement.api;

/**
 * Starts and stops the inference runtime with a given placement: vLLM over Ray Jobs, over SSH, as a local
 * process, or a simulation. There is no way to change a running pipeline's split: a new placement is a stop
 * and a launch. Implementations document their thread-safety.
 */
public interface PipelineLauncher {

    /**
     * Starts a pipeline and returns once it serves (healthy) or fails. The engine runs with the settings the
     * placement was chosen under, taken from the request: the model, the max model length
     * ({@code --max-model-len}) and the cluster's GPU memory fraction ({@code --gpu-memory-utilization}), so
     * that what runs is what was planned; the cluster also gives the nodes' addresses.
     *
     * @param placement the placement to run; covers the model's layers, uses only the request's nodes
     * @param request   the request the placement was chosen for
     * @return the running pipeline
     * @throws LaunchException if it did not become healthy in time; the message carries the reason and log
     *                         excerpts, and whatever was started has been stopped
     */
    RunningPipeline launch(Placement placement, PlacementRequest request);

    /**
     * Stops a pipeline: drains in-flight requests (bounded), stops, and kills after a grace period.
     * Stopping a pipeline that is already gone succeeds.
     *
     * @param pipeline the pipeline to stop
     * @throws LaunchException if it could not be stopped
     */
    void stop(RunningPipeline pipeline);

    /**
     * Whether a pipeline this launcher started still serves: its process or job is alive and its health
     * endpoint answers. The orchestrator asks every tick; a pipeline reported dead is no longer admitted
     * requests and a placement is launched again. Keep it quick (a cached status or one short health request).
     *
     * <p>The default returns {@code true}: a launcher that cannot tell is trusted until its nodes disappear.
     * An exception is logged and read as "cannot tell", not as dead.
     *
     * @param pipeline a pipeline this launcher started
     * @return {@code false} only if the pipeline is known to be gone
     */
    default boolean isAlive(RunningPipeline pipeline) {
        return true;
    }
}
