package dev.placement.core.orchestrator;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.Observation;

/**
 * The measured run the loop learns from after a decision: once the pipeline has served a steady window — the
 * first samples after the decision skipped as warm-up (a fresh engine, caches filling), the next few averaged
 * — one {@link Observation} of the placement, the request it ran under and what it achieved. The window is
 * opened by each decision that leaves a pipeline running and closes with its observation, or when another
 * pipeline runs. Not thread-safe; used under the tick lock.
 */
final class SteadyWindow {
    private final int warmupSamples;
    private final int samples;

    private String pipelineId;
    private int skipped;
    private int taken;
    private double ttft;
    private double itl;
    private double tpot;
    private double throughput;

    SteadyWindow(int warmupSamples, int samples) {
        this.warmupSamples = warmupSamples;
        this.samples = samples;
    }

    /** Starts a window for what runs now, replacing any window still open. */
    void open(RunningPipeline running) {
        pipelineId = running == null ? null : running.id();
        skipped = 0;
        taken = 0;
        ttft = itl = tpot = throughput = 0;
    }

    /**
     * Adds a sample of what runs.
     *
     * @param running  the pipeline the sample is of
     * @param request  the request it ran under this tick
     * @param measured what was measured
     * @return the observation when this sample completes the window, else null
     */
    Observation add(RunningPipeline running, PlacementRequest request, PipelineMetrics measured) {
        if (pipelineId == null || !pipelineId.equals(running.id())) {
            return null;
        }
        if (skipped < warmupSamples) {
            skipped++;
            return null;
        }
        taken++;
        ttft += measured.ttftMillis();
        itl += measured.itlMillis();
        tpot += measured.tpotMillis();
        throughput += measured.outputTokensPerSecond();
        if (taken < samples) {
            return null;
        }
        pipelineId = null;
        return new Observation(running.placement(), request, new PipelineMetrics(ttft / taken, itl / taken,
                tpot / taken, throughput / taken, PipelineMetrics.Source.MEASURED));
    }
}
