package dev.placement.core.orchestrator;

import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.Workload;
import java.time.Duration;

/**
 * The rules of a {@link PlacementOrchestrator}'s loop — when it ticks, what counts as a change, when a switch
 * pays, how it recovers and learns — with their defaults, resolved here once. {@link PlacementOrchestratorBuilder}
 * inherits these settings; {@link LoopSettings} validates them.
 *
 * @param <B> the builder type the setters return
 */
abstract class LoopRulesBuilder<B extends LoopRulesBuilder<B>> {
    private double workloadChangeThreshold = 0.25;
    private Duration tickInterval = Duration.ofSeconds(10);
    private int smoothingWindow = 5;
    private double relativeRttThreshold = 0.25;
    private double absoluteRttThresholdMillis = 1.0;
    private Duration cooldown = Duration.ofMinutes(5);
    private Duration horizon = Duration.ofMinutes(15);
    private Duration maxInterval = Duration.ofMinutes(30);
    private Duration defaultRestartTime = Duration.ofSeconds(60);
    private double load = 1.0;
    private Duration drainTimeout = Duration.ofSeconds(30);
    private Duration initialBackoff = Duration.ofSeconds(10);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private boolean stopOnClose = true;
    private Duration observeTimeout = Duration.ofSeconds(30);
    private Duration agentTimeout = Duration.ofMinutes(2);
    private Duration launchTimeout = Duration.ofMinutes(15);
    private Duration stopTimeout = Duration.ofMinutes(2);
    private int flapFlips = 4;
    private Duration flapHold = Duration.ofHours(1);
    private int calibrationWarmupSamples = 1;
    private int calibrationSamples = 3;

    abstract B self();

    /**
     * Sets the time between ticks after {@link PlacementOrchestrator#start()}. Default 10 s.
     *
     * @param interval positive
     * @return this builder
     */
    public B tickInterval(Duration interval) {
        this.tickInterval = interval;
        return self();
    }

    /**
     * Sets how many samples the medians are taken over: per link of the RTT and of the bandwidth, and of the
     * observed workload. Default 5: two spikes in a row change nothing, a lasting change shows after three.
     *
     * @param samples 1 to 100
     * @return this builder
     */
    public B smoothingWindow(int samples) {
        this.smoothingWindow = samples;
        return self();
    }

    /**
     * Sets when a link counts as changed: its smoothed RTT moved by at least this fraction of its RTT at
     * the last decision AND by at least the absolute threshold. Default 0.25 and 1.0 ms.
     *
     * @param relative       fraction, finite, &ge; 0
     * @param absoluteMillis milliseconds, finite, &ge; 0
     * @return this builder
     */
    public B rttChangeThreshold(double relative, double absoluteMillis) {
        this.relativeRttThreshold = relative;
        this.absoluteRttThresholdMillis = absoluteMillis;
        return self();
    }

    /**
     * Sets when an observed workload counts as changed: a field (prompt tokens, answer tokens, requests in
     * flight) moved by at least this fraction of its value at the last decision. Default 0.25. Ignored when
     * the workload is pinned.
     *
     * @param fraction finite, &gt; 0
     * @return this builder
     */
    public B workloadChangeThreshold(double fraction) {
        this.workloadChangeThreshold = fraction;
        return self();
    }

    /**
     * Sets the least time between reconfigurations (losing a node excepted). Default 5 min.
     *
     * @param cooldown &ge; 0
     * @return this builder
     */
    public B cooldown(Duration cooldown) {
        this.cooldown = cooldown;
        return self();
    }

    /**
     * Sets how far ahead a predicted gain is counted against the restart it costs. Default 15 min.
     *
     * @param horizon positive
     * @return this builder
     */
    public B horizon(Duration horizon) {
        this.horizon = horizon;
        return self();
    }

    /**
     * Sets how often the agent is asked at least, whatever happens. Default 30 min.
     *
     * @param interval positive
     * @return this builder
     */
    public B maxInterval(Duration interval) {
        this.maxInterval = interval;
        return self();
    }

    /**
     * Sets the restart time assumed until one is measured. Default 60 s.
     *
     * @param restart &ge; 0
     * @return this builder
     */
    public B defaultRestartTime(Duration restart) {
        this.defaultRestartTime = restart;
        return self();
    }

    /**
     * Sets the fraction of time the pipeline is busy, which scales the cost of downtime. Default 1 (assume
     * fully loaded: the cautious choice).
     *
     * @param fraction 0 to 1
     * @return this builder
     */
    public B load(double fraction) {
        this.load = fraction;
        return self();
    }

    /**
     * Sets how long a switchover, and {@code close()}, wait for in-flight requests before stopping the pipeline.
     * Default 30 s.
     *
     * @param timeout &ge; 0
     * @return this builder
     */
    public B drainTimeout(Duration timeout) {
        this.drainTimeout = timeout;
        return self();
    }

    /**
     * Sets the backoff after a failure (a launch and its rollback, or the agent): the first wait, doubling
     * each time up to the maximum. Default 10 s and 5 min.
     *
     * @param initial positive
     * @param max     at least {@code initial}
     * @return this builder
     */
    public B retryBackoff(Duration initial, Duration max) {
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return self();
    }

    /**
     * Sets whether {@code close()} stops the running pipeline. Default true.
     *
     * @param stop whether to stop it
     * @return this builder
     */
    public B stopPipelineOnClose(boolean stop) {
        this.stopOnClose = stop;
        return self();
    }

    /**
     * Sets when a link counts as flapping: {@code flips} raw RTT changes (each beyond both change thresholds)
     * within {@code hold}. A flapping link is judged by the worst RTT it flipped to until it has gone
     * {@code hold} without that many flips, so it asks the agent (and restarts the pipeline) once, not on every
     * flip; the hold is journaled with the decision it causes. One spike is two flips and passes to the median
     * as before. Default 4 flips and 1 h; 0 flips turns damping off.
     *
     * @param flips 0, or at least 2
     * @param hold  positive
     * @return this builder
     */
    public B linkFlapDamping(int flips, Duration hold) {
        this.flapFlips = flips;
        this.flapHold = hold;
        return self();
    }

    /**
     * Sets how long one call to the inventory, the probe, the metrics source or the launcher's health check may
     * take. A call that overruns is abandoned (its thread interrupted) and fails the tick like an exception.
     * Deadlines are in real time. Default 30 s.
     *
     * @param timeout positive
     * @return this builder
     */
    public B observeTimeout(Duration timeout) {
        this.observeTimeout = timeout;
        return self();
    }

    /**
     * Sets how long the agent (perhaps an LLM) may take to decide; one that overruns is abandoned and counts as
     * a failed decision, backed off like any other. Default 2 min.
     *
     * @param timeout positive
     * @return this builder
     */
    public B agentTimeout(Duration timeout) {
        this.agentTimeout = timeout;
        return self();
    }

    /**
     * Sets how long a launch may take to become healthy before it is abandoned as a failed launch (rolled
     * back). Default 15 min, for a large model loading over a slow disk.
     *
     * @param timeout positive
     * @return this builder
     */
    public B launchTimeout(Duration timeout) {
        this.launchTimeout = timeout;
        return self();
    }

    /**
     * Sets how long stopping a pipeline may take, in a switchover and in {@code close()}. Default 2 min.
     * {@code close()} returns within this plus twice the drain timeout and a few seconds, whatever the
     * plug-ins do.
     *
     * @param timeout positive
     * @return this builder
     */
    public B stopTimeout(Duration timeout) {
        this.stopTimeout = timeout;
        return self();
    }

    /**
     * Sets the steady window the loop learns from when it has a calibrated model: after each decision that
     * leaves a pipeline running, the first {@code warmupSamples} metrics samples are skipped (a fresh engine,
     * caches filling) and the next {@code samples} are averaged into one observation. Default 1 and 3.
     *
     * @param warmupSamples samples skipped, &ge; 0
     * @param samples       samples averaged, &ge; 1
     * @return this builder
     */
    public B calibrationWindow(int warmupSamples, int samples) {
        this.calibrationWarmupSamples = warmupSamples;
        this.calibrationSamples = samples;
        return self();
    }

    /** The settings: what the loop serves, and these rules. */
    LoopSettings settings(ModelSpec model, Objective objective, Workload workload, boolean workloadPinned,
            int maxModelLen, String firstNodeId) {
        return new LoopSettings(model, objective, workload, workloadPinned, workloadChangeThreshold, maxModelLen,
                firstNodeId, tickInterval, smoothingWindow, relativeRttThreshold, absoluteRttThresholdMillis, cooldown,
                horizon, maxInterval, defaultRestartTime, load, drainTimeout, initialBackoff, maxBackoff, stopOnClose,
                calibrationWarmupSamples, calibrationSamples,
                new PluginCalls.Deadlines(observeTimeout, agentTimeout, launchTimeout, stopTimeout), flapFlips,
                flapHold);
    }
}
