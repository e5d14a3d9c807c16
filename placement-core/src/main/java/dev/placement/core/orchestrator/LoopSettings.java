package dev.placement.core.orchestrator;

import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.Workload;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link PlacementOrchestrator} serves and the rules of its loop: one immutable value, validated here
 * (the builder only collects), with every default already resolved. The defaults are documented on
 * {@link PlacementOrchestrator.Builder}.
 *
 * @param model                      the model served
 * @param objective                  what to optimise
 * @param workload                   the traffic placements are judged under: pinned, or the start until the
 *                                   metrics source has observed one
 * @param workloadPinned             whether {@code workload} is pinned (else the observed workload is used)
 * @param workloadChangeThreshold    an observed workload changed when a field moved by this fraction; &gt; 0
 * @param maxModelLen                vLLM's {@code --max-model-len}, 1 to the model's context length
 * @param firstNodeId                the node that must be rank 0 while it is present, or {@code null}
 * @param tickInterval               time between ticks after {@code start()}; positive
 * @param smoothingWindow            samples (per link of RTT and bandwidth, and of the workload) whose median
 *                                   is used, 1 to 100
 * @param relativeRttThreshold       a link changed when its RTT moved by this fraction, &ge; 0 ...
 * @param absoluteRttThresholdMillis ... and by at least this many ms, &ge; 0
 * @param cooldown                   least time between reconfigurations (node loss excepted); &ge; 0
 * @param horizon                    how far ahead a predicted gain is counted; positive
 * @param maxInterval                the agent is asked at least this often; positive
 * @param defaultRestartTime         restart time assumed until one is measured; &ge; 0
 * @param load                       the fraction of time the pipeline is busy, 0 to 1
 * @param drainTimeout               how long to wait for in-flight requests before stopping; &ge; 0
 * @param initialBackoff             wait before the first retry after a failure; positive
 * @param maxBackoff                 the most the wait grows to; &ge; {@code initialBackoff}
 * @param stopPipelineOnClose        whether {@code close()} stops the running pipeline
 * @param calibrationWarmupSamples   metrics samples skipped after a decision before learning, &ge; 0
 * @param calibrationSamples         metrics samples averaged into one observation, &ge; 1
 * @param deadlines                  how long each kind of plug-in call may take before it is abandoned
 * @param flapFlips                  RTT flips within {@code flapHold} that make a link flapping; 0 for off
 * @param flapHold                   how long a flapping link is judged by its worst RTT after it flips
 */
record LoopSettings(
        ModelSpec model,
        Objective objective,
        Workload workload,
        boolean workloadPinned,
        double workloadChangeThreshold,
        int maxModelLen,
        String firstNodeId,
        Duration tickInterval,
        int smoothingWindow,
        double relativeRttThreshold,
        double absoluteRttThresholdMillis,
        Duration cooldown,
        Duration horizon,
        Duration maxInterval,
        Duration defaultRestartTime,
        double load,
        Duration drainTimeout,
        Duration initialBackoff,
        Duration maxBackoff,
        boolean stopPipelineOnClose,
        int calibrationWarmupSamples,
        int calibrationSamples,
        PluginCalls.Deadlines deadlines,
        int flapFlips,
        Duration flapHold) {

    LoopSettings {
        Objects.requireNonNull(deadlines, "deadlines");
        Objects.requireNonNull(flapHold, "flapHold");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(workload, "workload");
        if (!(workloadChangeThreshold > 0) || Double.isInfinite(workloadChangeThreshold)) {
            throw new IllegalArgumentException("workloadChangeThreshold must be a finite fraction > 0, was "
                    + workloadChangeThreshold);
        }
        if (maxModelLen < 1 || maxModelLen > model.contextLength()) {
            throw new IllegalArgumentException("maxModelLen must be 1 to the model's context length "
                    + model.contextLength() + ", was " + maxModelLen);
        }
        positive(tickInterval, "tickInterval");
        if (smoothingWindow < 1 || smoothingWindow > 100) {
            throw new IllegalArgumentException("smoothingWindow must be 1 to 100, was " + smoothingWindow);
        }
        if (!(relativeRttThreshold >= 0) || !(absoluteRttThresholdMillis >= 0)
                || Double.isInfinite(relativeRttThreshold) || Double.isInfinite(absoluteRttThresholdMillis)) {
            throw new IllegalArgumentException("RTT change thresholds must be finite and >= 0, were "
                    + relativeRttThreshold + " and " + absoluteRttThresholdMillis + " ms");
        }
        nonNegative(cooldown, "cooldown");
        positive(horizon, "horizon");
        positive(maxInterval, "maxInterval");
        nonNegative(defaultRestartTime, "defaultRestartTime");
        if (!(load >= 0 && load <= 1)) {
            throw new IllegalArgumentException("load must be 0 to 1, was " + load);
        }
        nonNegative(drainTimeout, "drainTimeout");
        positive(initialBackoff, "retryBackoff initial");
        positive(maxBackoff, "retryBackoff max");
        if (calibrationWarmupSamples < 0 || calibrationSamples < 1) {
            throw new IllegalArgumentException("calibrationWindow must skip >= 0 samples and average >= 1, was "
                    + calibrationWarmupSamples + " and " + calibrationSamples);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("retryBackoff max " + maxBackoff + " is less than initial "
                    + initialBackoff);
        }
    }

    private static void positive(Duration v, String name) {
        Objects.requireNonNull(v, name);
        if (v.isNegative() || v.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }

    private static void nonNegative(Duration v, String name) {
        Objects.requireNonNull(v, name);
        if (v.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + v);
        }
    }
}
