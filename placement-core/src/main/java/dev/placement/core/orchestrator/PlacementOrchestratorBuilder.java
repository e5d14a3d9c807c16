package dev.placement.core.orchestrator;

import dev.placement.api.ClusterInventory;
import dev.placement.api.LatencyProbe;
import dev.placement.api.MetricsPredictor;
import dev.placement.api.MetricsSource;
import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.Slo;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.PlacementAgent;
import dev.placement.api.Precision;
import dev.placement.api.Workload;
import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.ReplicaPlanner;
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
public final class PlacementOrchestratorBuilder extends LoopRulesBuilder<PlacementOrchestratorBuilder> {
    private ClusterInventory inventory;
    private LatencyProbe probe;
    private PlacementAgent agent;
    /** -1: one pipeline, chosen by the agent; 0: as many replicas as serve best; else that many. */
    private int replicaCount = -1;
    private PipelineLauncher launcher;
    private MetricsSource metricsSource;
    private MetricsPredictor predictor;
    private CalibratedModel calibration;
    private DecisionJournal journal;
    private final List<Consumer<? super OrchestratorEvent>> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private ModelSpec model;
    private Precision precision = Precision.AUTO;
    private Objective objective = Objective.minimizeItl();
    private Workload workload;
    private Integer maxModelLen;
    private String firstNodeId;

    PlacementOrchestratorBuilder() {
    }

    @Override
    PlacementOrchestratorBuilder self() {
        return this;
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
     * Sets who chooses placements: the solver, a baseline, an LLM, or a guarded LLM. Required, unless
     * {@link #replicas(int) replicas} are planned instead.
     *
     * @param agent the agent; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder agent(PlacementAgent agent) {
        this.agent = Objects.requireNonNull(agent, "agent");
        return this;
    }

    /**
     * Runs several pipelines (replicas) of the model at once, each on its own group of nodes, instead of one: the
     * {@link ReplicaPlanner} decides the groups and each one's placement (the agent is not asked, and need not be
     * set), the {@link RequestGate} routes each request to the replica with the least outstanding work weighted by
     * its predicted capacity, a replica found dead is taken out while the others serve (and the loop plans again),
     * and a new plan is rolled out one replica at a time: a replica is drained (it gets no new request), stopped and
     * started again while the others serve, so with two or more replicas no request is held. The placement
     * {@linkplain #predictor(MetricsPredictor) predictor} plans when it is a {@link PerformanceModel}, else the
     * default model. Not yet with a {@linkplain #metricsSource metrics source} or a
     * {@linkplain #calibration calibration} (the loop measures and learns from one pipeline only).
     *
     * @param count how many replicas, 1 to the workload's concurrency; 0 lets the planner choose as many as serve
     *              the objective best
     * @return this builder
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public PlacementOrchestratorBuilder replicas(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("replicas must be 0 (as many as serve best) or more, was " + count);
        }
        this.replicaCount = count;
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
     * Makes the loop learn the cluster: after each decision that leaves a pipeline running, once it has served
     * a steady window (see {@link #calibrationWindow(int, int)}), the metrics source's measurements become one
     * {@link dev.placement.core.Observation} the model recalibrates on; each calibration is journaled, and one
     * that changes the model asks the agent again ({@link Trigger#MODEL_CALIBRATED}). The loop predicts with
     * this model unless a {@link #predictor(MetricsPredictor) predictor} is set; give the same model to the
     * agent ({@code new SolverAgent(model)}) so that its decisions use what was learnt. Default none: the
     * model does not learn. Needs a metrics source.
     *
     * @param model the model to keep calibrating, or null for none
     * @return this builder
     */
    public PlacementOrchestratorBuilder calibration(CalibratedModel model) {
        this.calibration = model;
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
     * Adds a listener for every event; may be called several times, and
     * {@link PlacementOrchestrator#subscribe(Consumer)} adds more once built. Each is called in turn on the ticking
     * thread while it holds the tick lock (not the gate's): keep it quick, and do not call
     * {@link PlacementOrchestrator#runOnce()} or {@code close()} from it. One that throws is logged at WARN and the
     * others still hear the event.
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
     * Sets the types vLLM serves the model in ({@code --dtype}, {@code --kv-cache-dtype}); default {@code auto}
     * for both, which serves a float32 checkpoint in 16 bits. Every placement is planned for the model as served
     * with them ({@link Precision#apply}); give the launcher the same (for vLLM, {@code VllmOptions.builder()
     * .dtype(...).kvCacheDtype(...)}), so that the pipeline runs in the memory it was planned in.
     *
     * @param precision the types; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder precision(Precision precision) {
        this.precision = Objects.requireNonNull(precision, "precision");
        return this;
    }

    /**
     * Sets what to optimise. Default minimise ITL. Whatever the goal, the loop plans placements that run as many
     * of the workload's requests at once as any placement can, and replaces a running placement that runs fewer.
     *
     * @param objective the objective; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder objective(Objective objective) {
        this.objective = Objects.requireNonNull(objective, "objective");
        return this;
    }

    /**
     * Sets the per-request SLOs of the objective set so far (the default's if none): the bounds goodput counts
     * requests against. To maximise goodput, set {@code .objective(Objective.maximizeGoodput(slo))}; a later
     * {@link #objective} replaces these SLOs with its own.
     *
     * @param slo the SLOs; not null
     * @return this builder
     */
    public PlacementOrchestratorBuilder slo(Slo slo) {
        this.objective = this.objective.withSlo(Objects.requireNonNull(slo, "slo"));
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
     * Builds the orchestrator, not yet started.
     *
     * @return the orchestrator
     * @throws IllegalStateException    naming the missing setting if a required one is missing
     * @throws IllegalArgumentException naming the setting and its value if one is out of range
     * @throws NullPointerException     if a duration is null
     */
    public PlacementOrchestrator build() {
        MetricsPredictor predicting = predictor != null ? predictor
                : calibration != null ? calibration : PerformanceModel.defaults();
        LoopParts.Replicas planning = null;
        if (replicaCount >= 0) {
            if (metricsSource != null || calibration != null) {
                throw new IllegalStateException("PlacementOrchestrator.builder(): metricsSource(...) and "
                        + "calibration(...) do not work with replicas(...) yet: the loop measures and learns from one "
                        + "pipeline only");
            }
            PerformanceModel model = predicting instanceof PerformanceModel m ? m : PerformanceModel.defaults();
            planning = new LoopParts.Replicas(new ReplicaPlanner(model), model, replicaCount);
        }
        LoopParts parts = new LoopParts(inventory, probe, agent, launcher, metricsSource, predicting, calibration,
                journal != null ? journal : DecisionJournal.inMemory(), new EventListeners(listeners), clock,
                planning);
        LoopParts.require(model, "model");
        ModelSpec served = precision.apply(model);
        LoopSettings settings = settings(served, objective, workload != null ? workload : Workload.DEFAULT,
                workload != null, maxModelLen != null ? maxModelLen : served.defaultMaxModelLen(), firstNodeId);
        return new PlacementOrchestrator(settings, parts, scheduler);
    }
}
