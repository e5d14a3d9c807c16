package dev.placement.cli.demo;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacedReplicas;
import dev.placement.core.ReplicaPlan;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.sim.EdgeSite;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code edge-site} demo: an edge site of twelve T4s on three switches ({@link EdgeSite}) serving
 * Falcon3-10B-Base as several replicas, planned by the replica planner and rolled over one at a time by the
 * orchestrator while a switch congests, an uplink degrades, a switch fails and all recovers. The simulated site
 * stands in for the cluster (inventory, probe and launcher, in virtual time); the performance model is its truth.
 * Each step reports the replicas that run at its end, what the loop did, the cluster's predicted goodput and
 * throughput on the true links, and whether any request was held (a launch while no replica served).
 */
public final class EdgeSiteDemo {
    /** The demo's name, as {@code --scenario} takes it. */
    public static final String NAME = "edge-site";
    /** The offered load: 64 requests in flight, 512-token prompts, 128-token answers. */
    public static final Workload WORKLOAD = new Workload(512, 128, 64);
    /** The default objective: goodput under a 2 s TTFT and 120 ms ITL. */
    public static final Objective OBJECTIVE = Objective.maximizeGoodput(Slo.parse("ttft=2000,itl=120"));
    private static final int MAX_MODEL_LEN = 4096;
    private static final Duration STEP = Duration.ofMinutes(10);
    private static final Duration TICK = Duration.ofMinutes(1);
    private static final Duration RESTART = Duration.ofSeconds(90);

    /** One step of the timeline: what changes on the site at its start. */
    private record Change(String what, Consumer<SimulatedCluster> apply) {
    }

    /**
     * One step as it ended.
     *
     * @param step      1-based
     * @param minute    minutes since the start when the step began
     * @param change    what changed at its start
     * @param actions   what the loop did during the step, in order, without repeats (e.g. {@code reconfigured})
     * @param replicas  the placements that run at its end, in the site's order of their first node
     * @param unused    ids of the up nodes no replica uses
     * @param predicted the cluster's predicted totals for what runs, on the true links; null if nothing runs
     * @param heldSeconds virtual seconds during which no replica served while a replica launched
     */
    public record StepRow(int step, long minute, String change, List<String> actions, List<Placement> replicas,
            List<String> unused, ReplicaPlan.Totals predicted, long heldSeconds) {
        /**
         * Copies.
         *
         * @param step        1-based
         * @param minute      minutes since the start when the step began
         * @param change      what changed at its start
         * @param actions     what the loop did during the step
         * @param replicas    the placements that run at its end
         * @param unused      ids of the up nodes no replica uses
         * @param predicted   the cluster's predicted totals, or null
         * @param heldSeconds virtual seconds during which requests were held
         */
        public StepRow {
            actions = List.copyOf(actions);
            replicas = List.copyOf(replicas);
            unused = List.copyOf(unused);
        }
    }

    private static List<Change> timeline() {
        return List.of(
                new Change("start: 0.3 ms in a switch, 6 ms between", s -> { }),
                new Change("switch 0 congests: 40 ms within it", s -> EdgeSite.setWithinSwitch(s, 0, 40)),
                new Change("uplink 0-1 degrades to 30 ms", s -> EdgeSite.setBetweenSwitches(s, 0, 1, 30)),
                new Change("switch 2 fails (t4-8 to t4-11 down)", s -> EdgeSite.nodesOn(2).forEach(s::failNode)),
                new Change("switch 2 is back", s -> EdgeSite.nodesOn(2).forEach(s::recoverNode)),
                new Change("switch 0 and uplink 0-1 recover", s -> {
                    EdgeSite.setWithinSwitch(s, 0, EdgeSite.WITHIN_SWITCH_RTT_MILLIS);
                    EdgeSite.setBetweenSwitches(s, 0, 1, EdgeSite.BETWEEN_SWITCHES_RTT_MILLIS);
                }));
    }

    private final Objective objective;
    private final DecisionJournal journal;

    /**
     * @param objective the cluster objective the replicas are planned for
     * @param journal   where every decision goes
     */
    public EdgeSiteDemo(Objective objective, DecisionJournal journal) {
        this.objective = objective;
        this.journal = journal;
    }

    /**
     * Runs the timeline.
     *
     * @param start when the virtual clock starts
     * @param each  hears each step as it ends
     * @return every step
     */
    public List<StepRow> run(Instant start, Consumer<StepRow> each) {
        SimulatedClock clock = SimulatedClock.at(start);
        PerformanceModel truth = PerformanceModel.defaults();
        SimulatedCluster site = EdgeSite.build(SimulatedCluster.builder(clock, EdgeSite.NODES, truth).noise(0, 0)
                .restartDelay(RESTART).workload(WORKLOAD));
        HeldLaunches launcher = new HeldLaunches(site);
        List<StepRow> rows = new ArrayList<>();
        try (PlacementOrchestrator o = PlacementOrchestrator.builder().inventory(site).probe(site).launcher(launcher)
                .replicas(0).model(ResearchTestbed.FALCON3_10B).objective(objective).workload(WORKLOAD)
                .maxModelLen(MAX_MODEL_LEN).clock(clock).journal(journal).cooldown(Duration.ofMinutes(2))
                .horizon(Duration.ofHours(1)).defaultRestartTime(RESTART).build()) {
            launcher.orchestrator = o;
            List<Change> changes = timeline();
            for (int i = 0; i < changes.size(); i++) {
                Instant stepStart = clock.instant();
                changes.get(i).apply().accept(site);
                Set<String> actions = new LinkedHashSet<>();
                long heldBefore = launcher.heldSeconds;
                while (Duration.between(stepStart, clock.instant()).compareTo(STEP) < 0) {
                    TickOutcome t = o.runOnce();
                    if (t.action() != TickOutcome.Action.NOTHING_CHANGED) {
                        actions.add(t.action().name().toLowerCase(Locale.ROOT).replace('_', ' '));
                    }
                    clock.advance(TICK);
                }
                StepRow row = row(i + 1, Duration.between(start, stepStart).toMinutes(), changes.get(i).what(),
                        List.copyOf(actions), o.replicas(), site, truth, launcher.heldSeconds - heldBefore);
                rows.add(row);
                each.accept(row);
            }
        }
        return rows;
    }

    private StepRow row(int step, long minute, String change, List<String> actions, List<RunningPipeline> running,
            SimulatedCluster site, PerformanceModel truth, long held) {
        List<String> order = EdgeSite.NODES.stream().map(NodeSpec::id).toList();
        List<Placement> placements = running.stream().map(RunningPipeline::placement)
                .sorted(Comparator.comparingInt(p -> order.indexOf(p.nodeIds().get(0)))).toList();
        ClusterSnapshot up = site.snapshot();
        List<String> unused = up.nodeIds().stream().filter(n -> placements.stream().noneMatch(p -> p.uses(n)))
                .toList();
        ReplicaPlan.Totals predicted = null;
        if (!placements.isEmpty()) {
            PlacementRequest now = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, up, site.trueConnectivity())
                    .objective(objective).workload(WORKLOAD).maxModelLen(MAX_MODEL_LEN).build();
            try {
                predicted = PlacedReplicas.predict(truth, now, placements).totals();
            } catch (InfeasiblePlacementException e) {
                predicted = null; // a replica no longer fits: shown as unknown
            }
        }
        return new StepRow(step, minute, change, actions, placements, unused, predicted, held);
    }

    /** The site's launcher, counting the virtual time of launches made while no replica served. */
    private static final class HeldLaunches implements PipelineLauncher {
        private final SimulatedCluster site;
        PlacementOrchestrator orchestrator;
        long heldSeconds;

        HeldLaunches(SimulatedCluster site) {
            this.site = site;
        }

        @Override
        public RunningPipeline launch(Placement placement, PlacementRequest request) {
            boolean held = orchestrator != null && orchestrator.gate().isPaused();
            Instant t0 = site.clock().instant();
            try {
                return site.launch(placement, request);
            } finally {
                if (held) {
                    heldSeconds += Duration.between(t0, site.clock().instant()).toSeconds();
                }
            }
        }

        @Override
        public void stop(RunningPipeline pipeline) {
            site.stop(pipeline);
        }

        @Override
        public boolean isAlive(RunningPipeline pipeline) {
            return site.isAlive(pipeline);
        }
    }
}
