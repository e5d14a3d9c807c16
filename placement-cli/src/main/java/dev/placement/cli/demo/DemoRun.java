package dev.placement.cli.demo;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementException;
import dev.placement.api.PlacementRequest;
import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import dev.placement.core.SolverAgent;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.PlacementOrchestratorBuilder;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Plays a {@link DemoScenario} on a {@link SimulatedCluster} with a real {@link PlacementOrchestrator}: at each
 * step it changes the links and nodes, lets the orchestrator tick through the step's virtual time, and
 * records what runs and what it really achieves there (the scenario's truth on the true links), what the
 * simulated cluster measured for it (the mean of the step's samples), what the planner predicts for it (the
 * planner learns the truth from what it measures), how long the pipeline was down, and what the fixed
 * placements ({@link FixedSeries}) would achieve on the same nodes and links.
 *
 * <p>Not thread-safe; one run at a time.
 */
public final class DemoRun {
    /** The vLLM default baseline's series name: the even split over every node up. */
    public static final String VLLM_DEFAULT = FixedSeries.ALL_NODES;
    /** The memory-proportional baseline's series name. */
    public static final String PROPORTIONAL = FixedSeries.PROPORTIONAL;
    /** The fixed 2-node baseline's series name (see {@link FixedSeries#twoNodes}). */
    public static final String FIXED_TWO_NODES = FixedSeries.TWO_NODES;
    /** The series of the planner's prediction of what the orchestrator runs. */
    public static final String PREDICTED = "orchestrator, as the planner predicts it";

    private final DemoScenario scenario;
    private final PlacementAgent agent;
    private final CalibratedModel planner;
    private final PerformanceModel truth;
    private final SimulatedClock clock;
    private final long seed;
    private final DecisionJournal journal;
    private final FixedSeries fixed;

    /**
     * @param scenario the timeline
     * @param agent    the orchestrator's agent, deciding with {@code planner}
     * @param planner  the planner's model, which the orchestrator keeps calibrating; its prior is also the
     *                 simulation's truth when the scenario gives none
     * @param clock    the simulation's clock
     * @param seed     the simulation's seed
     * @param journal  where the orchestrator records its decisions
     */
    public DemoRun(DemoScenario scenario, PlacementAgent agent, CalibratedModel planner, SimulatedClock clock,
            long seed, DecisionJournal journal) {
        this.scenario = Objects.requireNonNull(scenario, "scenario");
        this.agent = Objects.requireNonNull(agent, "agent");
        this.planner = Objects.requireNonNull(planner, "planner");
        this.truth = scenario.truth() != null ? new PerformanceModel(scenario.truth()) : planner.prior();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.seed = seed;
        this.journal = Objects.requireNonNull(journal, "journal");
        this.fixed = new FixedSeries(scenario, truth);
    }

    /**
     * What one series (the orchestrator or a baseline) ran at a step.
     *
     * @param name      the series name
     * @param placement the placement, or {@code null} if none (nothing runs, or the baseline does not fit)
     * @param metrics   its metrics on the true links (the truth's, or for the planner's series what the
     *                  planner predicts), or {@code null} with the placement
     */
    public record Series(String name, Placement placement, PipelineMetrics metrics) {
    }

    /**
     * One row of the demo's table.
     *
     * <p>Downtime is the virtual time within the step during which no pipeline served: every launch (a
     * restart: the simulated cluster advances its clock by the scenario's restart time per launch), and any
     * time nothing ran after a tick (degraded, or nothing fits). A launch is counted in the step whose tick
     * began it.
     *
     * @param index           1-based step number
     * @param label           the step's label
     * @param at              the virtual time at the end of the step
     * @param rttMillis       true RTT per link among the nodes up, as {@code "node0-node1" -> ms}
     * @param nodesUp         the nodes up
     * @param action          reconfigured (with "x2" and so on when it happened more than once), held, kept,
     *                        rolled back, degraded, infeasible, failed, or no change
     * @param reason          why, with the triggers that made the orchestrator ask its agent
     * @param agentCalls      how many times the agent was asked during the step
     * @param reconfigurations how many times the pipeline was restarted during the step
     * @param orchestrator    what the orchestrator ran at the end of the step, and what it achieved
     * @param predicted       the same placement as the planner predicts it at the end of the step
     * @param measured        the same placement as the simulated cluster measured it: the mean of the step's
     *                        samples of it (metrics {@code null} if none was taken)
     * @param measuredSamples how many samples {@code measured} averages, &ge; 0
     * @param downtimeSeconds seconds of the step during which no pipeline served, &ge; 0
     * @param truthsChoice    what the solver would choose if it knew the truth, or {@code null} if nothing fits
     * @param baselines       the fixed series: vLLM's default (all nodes) first, then the memory-proportional
     *                        split, then the fixed 2-node placement
     */
    public record StepRow(int index, String label, Instant at, Map<String, Double> rttMillis, List<String> nodesUp,
            String action, String reason, int agentCalls, int reconfigurations, Series orchestrator,
            Series predicted, Series measured, int measuredSamples, double downtimeSeconds, Placement truthsChoice,
            List<Series> baselines) {
        /**
         * Validates and copies.
         *
         * @param index            1-based step number; not checked
         * @param label            the step's label; not checked
         * @param at               the virtual time at the end of the step; not checked
         * @param rttMillis        true RTT per link in ms, by {@code "a-b"}; not null; copied, order kept
         * @param nodesUp          the nodes up; not null, no null element; copied
         * @param action           what the orchestrator did, in words; not checked
         * @param reason           why, with the triggers; not checked
         * @param agentCalls       how many times the agent was asked; not checked
         * @param reconfigurations how many times the pipeline was restarted; not checked
         * @param orchestrator     what the orchestrator ran and achieved; not null
         * @param predicted        the same placement as the planner predicts it; not null
         * @param measured         the same placement as measured; not null
         * @param measuredSamples  how many samples {@code measured} averages; &ge; 0
         * @param downtimeSeconds  seconds of the step during which no pipeline served; finite, &ge; 0
         * @param truthsChoice     what the solver would choose knowing the truth, or {@code null} if nothing fits
         * @param baselines        the fixed series, in order; not null, no null element; copied
         */
        public StepRow {
            rttMillis = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rttMillis));
            nodesUp = List.copyOf(nodesUp);
            Objects.requireNonNull(orchestrator, "orchestrator");
            Objects.requireNonNull(predicted, "predicted");
            Objects.requireNonNull(measured, "measured");
            if (measuredSamples < 0) {
                throw new IllegalArgumentException("measuredSamples must be >= 0, was " + measuredSamples);
            }
            if (!(downtimeSeconds >= 0) || Double.isInfinite(downtimeSeconds)) {
                throw new IllegalArgumentException("downtimeSeconds must be finite and >= 0, was " + downtimeSeconds);
            }
            baselines = List.copyOf(baselines);
        }

        /** @return the orchestrator first, then as measured, as the planner predicts it, then the baselines */
        public List<Series> allSeries() {
            List<Series> all = new ArrayList<>();
            all.add(orchestrator);
            all.add(measured);
            all.add(predicted);
            all.addAll(baselines);
            return all;
        }

        /**
         * @param name a baseline's name, such as {@link #VLLM_DEFAULT}
         * @return that baseline
         * @throws IllegalArgumentException if the row has none of that name
         */
        public Series baseline(String name) {
            return baselines.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no baseline named " + name));
        }

        /**
         * @return how far the planner's prediction of what runs is from what it achieves: the mean of
         *         |predicted / true − 1| over TTFT, ITL and TPOT, or null when nothing runs
         */
        public Double predictionError() {
            PipelineMetrics t = orchestrator.metrics();
            PipelineMetrics p = predicted.metrics();
            if (t == null || p == null) {
                return null;
            }
            return (Math.abs(p.ttftMillis() / t.ttftMillis() - 1) + Math.abs(p.itlMillis() / t.itlMillis() - 1)
                    + Math.abs(p.tpotMillis() / t.tpotMillis() - 1)) / 3;
        }
    }

    /**
     * Runs the whole timeline.
     *
     * @param progress receives each row as soon as its step is done
     * @return the rows, one per step
     */
    public List<StepRow> run(Consumer<StepRow> progress) {
        ClusterSnapshot cluster = scenario.cluster();
        SimulatedCluster sim = SimulatedCluster.builder(clock, cluster.nodes(), truth).seed(seed)
                .defaultRttMillis(scenario.baseRttMillis()).restartDelay(scenario.restart())
                .workload(scenario.workload()).gpuMemoryUtilization(cluster.gpuMemoryUtilization()).build();
        PlacementOrchestratorBuilder ob = PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(sim)
                .metricsSource(sim).agent(agent).model(scenario.model()).maxModelLen(scenario.maxModelLen())
                .objective(scenario.objective()).workload(scenario.workload()).firstNodeId(scenario.firstNodeId())
                .clock(clock).calibration(planner).journal(journal).tickInterval(scenario.tick())
                .cooldown(scenario.cooldown()).horizon(scenario.horizon())
                // The agent may be an LLM: ask it when something changes, not on a timer within the demo.
                .maxInterval(scenario.step().multipliedBy(scenario.steps().size() + 1))
                .retryBackoff(scenario.tick(), scenario.step());
        Map<String, Map<String, Double>> added = new LinkedHashMap<>();
        List<StepRow> rows = new ArrayList<>();
        Instant start = clock.instant();
        long ticksPerStep = Math.max(1, scenario.step().toMillis() / scenario.tick().toMillis());
        Placement ranBefore = null;
        try (PlacementOrchestrator orchestrator = ob.build()) {
            for (int i = 0; i < scenario.steps().size(); i++) {
                DemoScenario.Step step = scenario.steps().get(i);
                Instant stepStart = start.plus(scenario.step().multipliedBy(i));
                clock.advanceTo(stepStart);
                step.recover().forEach(sim::recoverNode);
                step.addedRttMillis().forEach((a, row) -> row.forEach((b, ms) -> {
                    added.computeIfAbsent(a, k -> new LinkedHashMap<>()).put(b, ms);
                    sim.setRttMillis(a, b, scenario.baseRttMillis() + ms);
                }));
                step.fail().forEach(sim::failNode);
                List<TickOutcome> notable = new ArrayList<>();
                List<Sample> samples = new ArrayList<>();
                Duration down = Duration.ZERO;
                Instant stepEnd = stepStart.plus(scenario.step());
                for (long k = 0; k < ticksPerStep; k++) {
                    clock.advanceTo(stepStart.plus(scenario.tick().multipliedBy(k)));
                    Instant t0 = clock.instant();
                    TickOutcome t = orchestrator.runOnce();
                    Instant t1 = clock.instant();
                    if (t.action() != TickOutcome.Action.NOTHING_CHANGED) {
                        notable.add(t);
                    }
                    if (t.measured() != null && ranBefore != null) {
                        samples.add(new Sample(ranBefore, t.measured())); // sampled before the tick decided
                    }
                    if (launched(t.action())) {
                        down = down.plus(Duration.between(t0, t1)); // the clock ran only while launching
                    }
                    Instant next = k + 1 < ticksPerStep ? stepStart.plus(scenario.tick().multipliedBy(k + 1)) : stepEnd;
                    if (orchestrator.running().isEmpty() && next.isAfter(t1)) {
                        down = down.plus(Duration.between(t1, next));
                    }
                    ranBefore = t.running();
                }
                clock.advanceTo(stepEnd.minusMillis(1));
                StepRow row = row(i + 1, step.label(), sim, orchestrator, notable, samples, down);
                rows.add(row);
                progress.accept(row);
            }
        }
        return rows;
    }

    /** A metrics sample the orchestrator took, and the placement it was taken on. */
    private record Sample(Placement placement, PipelineMetrics metrics) {
    }

    /** @return whether a tick with this outcome launched a pipeline (or tried to) */
    private static boolean launched(TickOutcome.Action a) {
        return a == TickOutcome.Action.RECONFIGURED || a == TickOutcome.Action.ROLLED_BACK
                || a == TickOutcome.Action.DEGRADED;
    }

    private StepRow row(int index, String label, SimulatedCluster sim, PlacementOrchestrator orchestrator,
            List<TickOutcome> notable, List<Sample> samples, Duration down) {
        ClusterSnapshot up = sim.snapshot();
        Map<String, Double> rtts = new LinkedHashMap<>();
        List<String> ids = up.nodeIds();
        for (int a = 0; a < ids.size(); a++) {
            for (int b = a + 1; b < ids.size(); b++) {
                rtts.put(ids.get(a) + "-" + ids.get(b), sim.rttMillis(ids.get(a), ids.get(b)));
            }
        }
        // What runs really achieves: the truth on the true links, for the engine settings of the scenario.
        PlacementRequest truthRequest = PlacementRequest.builder(scenario.model(), up, sim.trueConnectivity())
                .objective(scenario.objective()).workload(scenario.workload()).maxModelLen(scenario.maxModelLen())
                .firstNodeId(scenario.firstNodeId() != null && up.find(scenario.firstNodeId()).isPresent()
                        ? scenario.firstNodeId() : null)
                .build();
        Placement running = orchestrator.running().map(r -> r.placement()).orElse(null);
        Series orch = series("orchestrator (" + agent.name() + ")", running, truthRequest, truth);
        Series predicted = series(PREDICTED, running, truthRequest, planner.current());
        List<PipelineMetrics> ofRunning = samples.stream().filter(x -> x.placement().equals(running))
                .map(Sample::metrics).toList();
        Series measured = new Series("orchestrator (" + agent.name() + "), as measured", running,
                running == null ? null : mean(ofRunning));
        List<Series> baselines = fixed.at(truthRequest);
        String action = "no change";
        String reason = "nothing changed that matters; the agent was not asked";
        int reconfigurations = 0;
        int calls = 0;
        TickOutcome shown = null;
        for (TickOutcome t : notable) {
            if (t.decision() != null || t.action() == TickOutcome.Action.NO_FEASIBLE_PLACEMENT) {
                calls++;
            }
            if (t.reconfigured()) {
                reconfigurations++;
            }
            if (shown == null || rank(t.action()) >= rank(shown.action())) {
                shown = t;
            }
        }
        if (shown != null) {
            action = switch (shown.action()) {
                case RECONFIGURED -> "reconfigured";
                case SKIPPED -> "held";
                case KEPT -> "kept";
                case ROLLED_BACK -> "rolled back";
                case DEGRADED -> "degraded";
                case NO_FEASIBLE_PLACEMENT -> "infeasible";
                case FAILED -> "failed";
                case NOTHING_CHANGED -> "no change";
            };
            reason = triggers(shown) + ": " + shown.reason();
            if (reconfigurations > 1) {
                action = "reconfigured x" + reconfigurations;
                reason = notable.stream().filter(TickOutcome::reconfigured).map(t -> triggers(t) + ": " + t.reason())
                        .collect(Collectors.joining(" | then "));
            }
        }
        Placement truthsChoice;
        try {
            truthsChoice = new SolverAgent(truth).decide(truthRequest).placement();
        } catch (InfeasiblePlacementException e) {
            truthsChoice = null;
        }
        return new StepRow(index, label, clock.instant(), rtts, ids, action, reason, calls, reconfigurations, orch,
                predicted, measured, running == null ? 0 : ofRunning.size(), down.toMillis() / 1000.0, truthsChoice,
                baselines);
    }

    /** @return the mean of each metric, as measured, or null if there are none */
    private static PipelineMetrics mean(List<PipelineMetrics> all) {
        if (all.isEmpty()) {
            return null;
        }
        double[] sum = new double[4];
        for (PipelineMetrics m : all) {
            sum[0] += m.ttftMillis();
            sum[1] += m.itlMillis();
            sum[2] += m.tpotMillis();
            sum[3] += m.outputTokensPerSecond();
        }
        int n = all.size();
        return new PipelineMetrics(sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n, PipelineMetrics.Source.MEASURED);
    }

    private static int rank(TickOutcome.Action a) {
        return switch (a) {
            case NOTHING_CHANGED -> 0;
            case KEPT -> 1;
            case SKIPPED -> 2;
            case FAILED, NO_FEASIBLE_PLACEMENT -> 3;
            case ROLLED_BACK, DEGRADED -> 4;
            case RECONFIGURED -> 5;
        };
    }

    private static String triggers(TickOutcome t) {
        return t.triggers().stream().sorted().map(x -> x.name().toLowerCase(Locale.ROOT).replace('_', ' '))
                .collect(Collectors.joining(", "));
    }

    /**
     * @return the series of {@code placement} with {@code model}'s metrics for {@code request}; no metrics if
     *         the placement is null, cannot be predicted or does not fit
     */
    static Series series(String name, Placement placement, PlacementRequest request,
            PerformanceModel model) {
        if (placement == null) {
            return new Series(name, null, null);
        }
        try {
            Prediction p = model.predict(placement, request);
            return new Series(name, placement, p.fits() ? p.metrics() : null);
        } catch (IllegalArgumentException | PlacementException e) {
            return new Series(name, placement, null);
        }
    }
}
