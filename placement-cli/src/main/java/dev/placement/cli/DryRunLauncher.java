package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.vllm.VllmLaunchPlan;
import dev.placement.vllm.VllmOptions;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code placement run --dry-run}'s launcher: it plans each launch as the real one would (so a placement vLLM
 * could not be given fails here too) and contacts nothing. What it "runs" is what the loop compares the next
 * decisions with, so a dry run shows the decisions a real run would make, restarts included.
 */
final class DryRunLauncher implements PipelineLauncher {
    private final VllmOptions options;
    private final Clock clock;
    private final AtomicInteger launches = new AtomicInteger();

    /**
     * @param options the vLLM options a real launch would use
     * @param clock   stamps each pretended start
     */
    DryRunLauncher(VllmOptions options, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public RunningPipeline launch(Placement placement, PlacementRequest request) {
        VllmLaunchPlan plan;
        try {
            plan = VllmLaunchPlan.create(placement, request, options);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--cluster", null, e.getMessage());
        }
        return new RunningPipeline("dry-run-" + launches.incrementAndGet(), placement, plan.endpoint(),
                clock.instant(), List.of());
    }

    @Override
    public void stop(RunningPipeline pipeline) {
        // Nothing runs.
    }
}
