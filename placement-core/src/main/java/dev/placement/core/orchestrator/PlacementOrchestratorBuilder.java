package dev.placement.core.orchestrator;

import dev.placement.api.ClusterInventory;
import dev.placement.api.LatencyProbe;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.MetricsSource;
import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PlacementAgent;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Configures a {@link PlacementOrchestrator}: the plug-ins, what it serves, and the rules of its loop. The
 * defaults are on each method and are resolved here, once; {@link #build()} validates everything. Not
 * thread-safe; the orchestrator it builds is immutable in its configuration.
 */
public final class PlacementOrchestratorBuilder {
    private ClusterInventory inventory;
    private LatencyProbe probe;
    private PlacementAgent agent;
    private PipelineLauncher launcher;
    private MetricsSource metricsSource;
    private MetricsPredictor predictor = PerformanceModel.defaults();
    private DecisionJournal journal;
    private final List<Consumer<? super OrchestratorEvent>> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private ModelSpec model;
    private Objective objective = Objective.minimizeItl();
    private Workload workload;
    private double workloadChangeThreshold = 0.25;
    private Integer maxModelLen;
    private String firstNodeId;
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

    PlacementOrchestratorBuilder() {
    }

    /**
     * Sets what tells which nodes exist now. Required.
     *
     * @param inventory the inventory; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder inventory(ClusterInventory inventory) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        return this;
    }

    /**
     * Sets what measures the links. Required.
     *
     * @param probe the probe; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder probe(LatencyProbe probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
        return this;
    }

    /**
     * Sets who chooses placements: the solver, a baseline, an LLM, or a guarded LLM. Required.
     *
     * @param agent the agent; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder agent(PlacementAgent agent) {
        this.agent = Objects.requireNonNull(agent, "agent");
        return this;
    }

    /**
     * Sets what starts and stops the pipeline. Required.
     *
     * @param launcher the launcher; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder launcher(PipelineLauncher launcher) {
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        return this;
    }

    /**
     * Sets what measures the running pipeline. Default none.
     *
     * @param metricsSource the source, or null for none
     * @return this builder
     */
    public PlacementOrchestratorBuilder metricsSource(MetricsSource metricsSource) {
        this.metricsSource = metricsSource;
        return this;
    }

    /**
     * Sets what predicts the running placement on the current links (for the gain test, the outcome and
     * the journal) and a proposal whose decision carries no prediction of its own. Give it the model your
     * agent decides with, so that both sides of the gain test come from one model. Default
     * {@link PerformanceModel#defaults()}.
     *
     * @param predictor the predictor; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder predictor(MetricsPredictor predictor) {
        this.predictor = Objects.requireNonNull(predictor, "predictor");
        return this;
    }

    /**
     * Sets where decisions are recorded. Default a new in-memory journal.
     *
     * @param journal the journal, or null for the default
     * @return this builder
     */
    public PlacementOrchestratorBuilder journal(DecisionJournal journal) {
        this.journal = journal;
        return this;
    }

    /**
     * Adds a listener for every event, called on the ticking thread; may be called several times.
     *
     * @param listener the listener; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder listener(Consumer<? super OrchestratorEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Sets the source of time. Default system UTC.
     *
     * @param clock the clock; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Sets what runs the loop after {@link PlacementOrchestrator#start()}. Default a daemon thread owned (and
     * shut down) by the orchestrator; a given scheduler is not shut down by {@code close()}.
     *
     * @param scheduler the scheduler, or null for the default
     * @return this builder
     */
    public PlacementOrchestratorBuilder scheduler(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    /**
     * Sets the model served. Required.
     *
     * @param model the model; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder model(ModelSpec model) {
        this.model = Objects.requireNonNull(model, "model");
        return this;
    }

    /**
     * Sets what to optimise. Default minimise ITL.
     *
     * @param objective the objective; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder objective(Objective objective) {
        this.objective = Objects.requireNonNull(objective, "objective");
        return this;
    }

    /**
     * Pins the traffic placements are judged under. Default: none pinned — the loop plans for the workload
     * the metrics source observes (per field the median of the last {@link #smoothingWindow(int) window}
     * samples; {@link Workload#DEFAULT} until one is observed), and asks the agent again when it shifts (see
     * {@link #workloadChangeThreshold(double)}).
     *
     * @param workload the workload; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder workload(Workload workload) {
        this.workload = Objects.requireNonNull(workload, "workload");
        return this;
    }

    /**
     * Sets when an observed workload counts as changed: a field (prompt tokens, answer tokens, requests in
     * flight) moved by at least this fraction of its value at the last decision. Default 0.25. Ignored when
     * the workload is pinned.
     *
     * @param fraction finite, &gt; 0
     * @return this builder
     */
    public PlacementOrchestratorBuilder workloadChangeThreshold(double fraction) {
        this.workloadChangeThreshold = fraction;
        return this;
    }

    /**
     * Sets vLLM's {@code --max-model-len}: planned with, and launched with. Default
     * {@link ModelSpec#defaultMaxModelLen()}.
     *
     * @param tokens 1 to the model's context length
     * @return this builder
     */
    public PlacementOrchestratorBuilder maxModelLen(int tokens) {
        this.maxModelLen = tokens;
        return this;
    }

    /**
     * Sets the node that must be rank 0 (where clients connect); while it is gone, any node may be. Default
     * any node.
     *
     * @param nodeId the node's id, or null for any
     * @return this builder
     */
    public PlacementOrchestratorBuilder firstNodeId(String nodeId) {
        this.firstNodeId = nodeId;
        return this;
    }

    /**
     * Sets the time between ticks after {@link PlacementOrchestrator#start()}. Default 10 s.
     *
     * @param interval positive
     * @return this builder
     */
    public PlacementOrchestratorBuilder tickInterval(Duration interval) {
        this.tickInterval = interval;
        return this;
    }

    /**
     * Sets how many samples the medians are taken over: per link of the RTT and of the bandwidth, and of the
     * observed workload. Default 5: two spikes in a row change nothing, a lasting change shows after three.
     *
     * @param samples 1 to 100
     * @return this builder
     */
    public PlacementOrchestratorBuilder smoothingWindow(int samples) {
        this.smoothingWindow = samples;
        return this;
    }

    /**
     * Sets when a link counts as changed: its smoothed RTT moved by at least this fraction of its RTT at
     * the last decision AND by at least the absolute threshold. Default 0.25 and 1.0 ms.
     *
     * @param relative       fraction, finite, &ge; 0
     * @param absoluteMillis milliseconds, finite, &ge; 0
     * @return this builder
     */
    public PlacementOrchestratorBuilder rttChangeThreshold(double relative, double absoluteMillis) {
        this.relativeRttThreshold = relative;
        this.absoluteRttThresholdMillis = absoluteMillis;
        return this;
    }

    /**
     * Sets the least time between reconfigurations (losing a node excepted). Default 5 min.
     *
     * @param cooldown &ge; 0
     * @return this builder
     */
    public PlacementOrchestratorBuilder cooldown(Duration cooldown) {
        this.cooldown = cooldown;
        return this;
    }

    /**
     * Sets how far ahead a predicted gain is counted against the restart it costs. Default 15 min.
     *
     * @param horizon positive
     * @return this builder
     */
    public PlacementOrchestratorBuilder horizon(Duration horizon) {
        this.horizon = horizon;
        return this;
    }

    /**
     * Sets how often the agent is asked at least, whatever happens. Default 30 min.
     *
     * @param interval positive
     * @return this builder
     */
    public PlacementOrchestratorBuilder maxInterval(Duration interval) {
        this.maxInterval = interval;
        return this;
    }

    /**
     * Sets the restart time assumed until one is measured. Default 60 s.
     *
     * @param restart &ge; 0
     * @return this builder
     */
    public PlacementOrchestratorBuilder defaultRestartTime(Duration restart) {
        this.defaultRestartTime = restart;
        return this;
    }

    /**
     * Sets the fraction of time the pipeline is busy, which scales the cost of downtime. Default 1 (assume
     * fully loaded: the cautious choice).
     *
     * @param fraction 0 to 1
     * @return this builder
     */
    public PlacementOrchestratorBuilder load(double fraction) {
        this.load = fraction;
        return this;
    }

    /**
     * Sets how long a switchover waits for in-flight requests before stopping the pipeline. Default 30 s.
     *
     * @param timeout &ge; 0
     * @return this builder
     */
    public PlacementOrchestratorBuilder drainTimeout(Duration timeout) {
        this.drainTimeout = timeout;
        return this;
    }

    /**
     * Sets the backoff after a failure (a launch and its rollback, or the agent): the first wait, doubling
     * each time up to the maximum. Default 10 s and 5 min.
     *
     * @param initial positive
     * @param max     at least {@code initial}
     * @return this builder
     */
    public PlacementOrchestratorBuilder retryBackoff(Duration initial, Duration max) {
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return this;
    }

    /**
     * Sets whether {@code close()} stops the running pipeline. Default true.
     *
     * @param stop whether to stop it
     * @return this builder
     */
    public PlacementOrchestratorBuilder stopPipelineOnClose(boolean stop) {
        this.stopOnClose = stop;
        return this;
    }

    /**
     * Builds the orchestrator, not yet started.
     *
     * @return the orchestrator
     * @throws IllegalStateException    naming the missing setting if a required one is missing
     * @throws IllegalArgumentException naming the setting and its value if one is out of range
     * @throws NullPointerException     if a duration is null
     */
    public PlacementOrchestrator build() {
        LoopParts parts = new LoopParts(inventory, probe, agent, launcher, metricsSource, predictor,
                journal != null ? journal : DecisionJournal.inMemory(), listeners, clock);
        LoopParts.require(model, "model");
        LoopSettings settings = new LoopSettings(model, objective, workload != null ? workload : Workload.DEFAULT,
                workload != null, workloadChangeThreshold, maxModelLen != null ? maxModelLen : model.defaultMaxModelLen(), firstNodeId, tickInterval,
                smoothingWindow, relativeRttThreshold, absoluteRttThresholdMillis, cooldown, horizon, maxInterval,
                defaultRestartTime, load, drainTimeout, initialBackoff, maxBackoff, stopOnClose);
        return new PlacementOrchestrator(settings, parts, scheduler);
    }
}
