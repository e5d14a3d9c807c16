package dev.placement.cli.demo;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementException;
import dev.placement.api.PlacementRequest;
import dev.placement.core.CalibratedModel;
import dev.placement.core.EvenSplitAgent;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import dev.placement.core.ProportionalAgent;
import dev.placement.core.SolverAgent;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.PlacementOrchestratorBuilder;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
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
 * planner predicts for it (the planner learns the truth from what it measures), and what vLLM's default split
 * (and a memory-proportional split) would achieve on the same nodes and links.
 *
 * <p>Not thread-safe; one run at a time.
 */
public final class DemoRun {
    /** The vLLM default baseline's series name. */
    public static final String VLLM_DEFAULT = "vLLM default (even split, all nodes)";
    /** The memory-proportional baseline's series name. */
    public static final String PROPORTIONAL = "memory-proportional (exo, llama.cpp)";
    /** The series of the planner's prediction of what the orchestrator runs. */
    public static final String PREDICTED = "orchestrator, as the planner predicts it";

    private final DemoScenario scenario;
    private final PlacementAgent agent;
    private final CalibratedModel planner;
    private final PerformanceModel truth;
    private final SimulatedClock clock;
    private final long seed;
    private final DecisionJournal journal;

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
     * @param truthsChoice    what the solver would choose if it knew the truth, or {@code null} if nothing fits
     * @param baselines       the baselines, vLLM's default first
     */
    public record StepRow(int index, String label, Instant at, Map<String, Double> rttMillis, List<String> nodesUp,
            String action, String reason, int agentCalls, int reconfigurations, Series orchestrator,
            Series predicted, Placement truthsChoice, List<Series> baselines) {
        /** Copies. */
        public StepRow {
            rttMillis = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rttMillis));
            nodesUp = List.copyOf(nodesUp);
            baselines = List.copyOf(baselines);
        }

        /** @return the orchestrator first, then the planner's prediction of it, then the baselines */
        public List<Series> allSeries() {
            List<Series> all = new ArrayList<>();
            all.add(orchestrator);
            all.add(predicted);
            all.addAll(baselines);
            return all;
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
                for (long k = 0; k < ticksPerStep; k++) {
                    clock.advanceTo(stepStart.plus(scenario.tick().multipliedBy(k)));
                    TickOutcome t = orchestrator.runOnce();
                    if (t.action() != TickOutcome.Action.NOTHING_CHANGED) {
                        notable.add(t);
                    }
                }
                clock.advanceTo(stepStart.plus(scenario.step()).minusMillis(1));
                StepRow row = row(i + 1, step.label(), sim, orchestrator, notable);
                rows.add(row);
                progress.accept(row);
            }
        }
        return rows;
    }

    private StepRow row(int index, String label, SimulatedCluster sim, PlacementOrchestrator orchestrator,
            List<TickOutcome> notable) {
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
        List<Series> baselines = List.of(
                baseline(VLLM_DEFAULT, new EvenSplitAgent(truth), truthRequest),
                baseline(PROPORTIONAL, new ProportionalAgent(truth), truthRequest));
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
                predicted, truthsChoice, baselines);
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

    private Series baseline(String name, PlacementAgent baseline, PlacementRequest truthRequest) {
        try {
            return series(name, baseline.decide(truthRequest).placement(), truthRequest, truth);
        } catch (InfeasiblePlacementException e) {
            return new Series(name, null, null);
        }
    }

    private static Series series(String name, Placement placement, PlacementRequest request,
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
