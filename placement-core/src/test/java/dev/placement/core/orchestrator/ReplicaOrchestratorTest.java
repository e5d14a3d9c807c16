package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.placement.api.Objective;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.orchestrator.TickOutcome.Action;
import dev.placement.sim.EdgeSite;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator in replica mode on the simulated 12-T4 edge site: several replicas planned and launched, requests
 * split by capacity, a change rolled out one replica at a time with the others serving, a dead replica taken out.
 */
class ReplicaOrchestratorTest {
    private static final Workload WORKLOAD = new Workload(512, 128, 64);

    private final SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimulatedCluster sim = EdgeSite.build(SimulatedCluster.builder(clock, EdgeSite.NODES,
            PerformanceModel.defaults()).seed(3).noise(0, 0).restartDelay(Duration.ofSeconds(60)).workload(WORKLOAD));
    private final AtomicReference<PlacementOrchestrator> self = new AtomicReference<>();
    /** At each launch: whether the gate was paused, and how many replicas served. */
    private final List<String> atLaunch = new CopyOnWriteArrayList<>();

    /** The simulated site, recording at each launch what the gate did meanwhile. */
    private final PipelineLauncher launcher = new PipelineLauncher() {
        @Override
        public RunningPipeline launch(Placement placement, PlacementRequest request) {
            PlacementOrchestrator o = self.get();
            if (o != null) {
                long serving = o.health().gate().replicas().stream().filter(OrchestratorHealth.Replica::serving)
                        .count();
                atLaunch.add((o.gate().isPaused() ? "paused" : "open") + ", " + serving + " serving");
            }
            return sim.launch(placement, request);
        }

        @Override
        public void stop(RunningPipeline pipeline) {
            sim.stop(pipeline);
        }

        @Override
        public boolean isAlive(RunningPipeline pipeline) {
            return sim.isAlive(pipeline);
        }
    };

    private PlacementOrchestrator orchestrator() {
        PlacementOrchestrator o = PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(launcher)
                .replicas(0).model(ResearchTestbed.FALCON3_10B).objective(Objective.of(Objective.Goal.THROUGHPUT))
                .workload(WORKLOAD).maxModelLen(4096).clock(clock).cooldown(Duration.ofMinutes(1))
                .horizon(Duration.ofHours(1)).drainTimeout(Duration.ofSeconds(30)).smoothingWindow(1).build();
        self.set(o);
        return o;
    }

    private static Set<Placement> placements(List<RunningPipeline> replicas) {
        Set<Placement> out = new HashSet<>();
        replicas.forEach(r -> out.add(r.placement()));
        return out;
    }

    @Test
    void theSiteRunsSeveralShortReplicasAndRequestsSplitByTheirCapacity() {
        try (PlacementOrchestrator o = orchestrator()) {
            TickOutcome first = o.runOnce();

            assertThat(first.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
            assertThat(o.replicas()).hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(r -> assertThat(r.placement().stages()).hasSizeBetween(2, 3));
            assertThat(sim.runningPipelines()).containsExactlyInAnyOrderElementsOf(o.replicas());
            assertThat(o.journal().entries()).last().satisfies(e -> {
                assertThat(e.agent()).isEqualTo("replica-planner");
                assertThat(e.decision().rationale()).startsWith(o.replicas().size() + " replica(s): ");
            });
            assertThat(atLaunch.get(0)).isEqualTo("paused, 0 serving"); // nothing served before the first
            assertThat(atLaunch.subList(1, atLaunch.size())).allMatch(s -> s.startsWith("open"));

            List<RequestGate.Permit> permits = new ArrayList<>();
            for (int i = 0; i < WORKLOAD.concurrency(); i++) {
                permits.add(o.gate().enter(Duration.ZERO));
            }
            Map<String, Integer> routed = new HashMap<>();
            permits.forEach(p -> routed.merge(p.pipeline().orElseThrow().id(), 1, Integer::sum));
            double total = o.health().gate().replicas().stream().mapToDouble(OrchestratorHealth.Replica::capacity)
                    .sum();
            for (OrchestratorHealth.Replica r : o.health().gate().replicas()) {
                assertThat((double) routed.get(r.id())).isCloseTo(WORKLOAD.concurrency() * r.capacity() / total,
                        org.assertj.core.data.Offset.offset(1.0));
            }
            permits.forEach(RequestGate.Permit::close);
        }
    }

    @Test
    void aSlowSwitchIsRolledOutOneReplicaAtATimeWhileTheOthersServe() {
        try (PlacementOrchestrator o = orchestrator()) {
            o.runOnce();
            List<RunningPipeline> before = o.replicas();
            atLaunch.clear();
            EdgeSite.setWithinSwitch(sim, 0, 40.0); // switch 0 congested: a pair within it is now poor

            TickOutcome t = tickAfter(o, Duration.ofMinutes(5));

            assertThat(t.triggers()).contains(Trigger.LINK_CHANGED);
            assertThat(t.action()).as(t.reason()).isEqualTo(Action.RECONFIGURED);
            assertThat(atLaunch).isNotEmpty().allMatch(s -> s.startsWith("open") && !s.startsWith("open, 0"));
            // A replica the new plan keeps is the same pipeline, not restarted; some are kept, some changed.
            List<RunningPipeline> kept = o.replicas().stream().filter(r -> placements(before).contains(r.placement()))
                    .toList();
            assertThat(before).containsAll(kept);
            assertThat(kept).isNotEmpty().hasSizeLessThan(o.replicas().size());
            assertThat(sim.runningPipelines()).containsExactlyInAnyOrderElementsOf(o.replicas());
            assertThat(o.health().gate().replicas()).extracting(OrchestratorHealth.Replica::id)
                    .containsExactlyInAnyOrderElementsOf(o.replicas().stream().map(RunningPipeline::id).toList());
            assertThat(o.gate().rejected()).isZero();
        }
    }

    @Test
    void aReplicaBeingReplacedDrainsItsRequestsWhileNewOnesGoToTheOthers() throws Exception {
        try (PlacementOrchestrator o = orchestrator()) {
            o.runOnce();
            RunningPipeline onSwitch0 = o.replicas().stream().filter(r -> EdgeSite.nodesOn(0)
                    .contains(r.placement().nodeIds().get(0))).findFirst().orElseThrow();
            List<RequestGate.Permit> inFlight = new ArrayList<>();
            while (inFlight.stream().noneMatch(p -> p.pipeline().orElseThrow().equals(onSwitch0))) {
                inFlight.add(o.gate().enter(Duration.ZERO));
            }
            EdgeSite.setWithinSwitch(sim, 0, 40.0);
            clock.advance(Duration.ofMinutes(5));

            CompletableFuture<TickOutcome> rollout = CompletableFuture.supplyAsync(o::runOnce);
            await().atMost(Duration.ofSeconds(20)).until(() -> o.health().gate().replicas().stream()
                    .anyMatch(r -> r.id().equals(onSwitch0.id()) && !r.serving()));

            assertThat(rollout).isNotDone(); // it waits for the request onSwitch0 holds
            RequestGate.Permit meanwhile = o.gate().enter(Duration.ZERO);
            assertThat(meanwhile.pipeline()).isPresent().get().isNotEqualTo(onSwitch0);
            meanwhile.close();
            inFlight.forEach(RequestGate.Permit::close);
            assertThat(rollout.get().action()).isEqualTo(Action.RECONFIGURED);
            assertThat(o.replicas()).doesNotContain(onSwitch0);
        }
    }

    @Test
    void aDeadReplicaIsTakenOutAtOnceAndTheOthersServeOn() {
        try (PlacementOrchestrator o = orchestrator()) {
            o.runOnce();
            RunningPipeline victim = o.replicas().get(0);
            String node = victim.placement().nodeIds().get(0);
            sim.failNode(node);

            TickOutcome t = tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.triggers()).contains(Trigger.REPLICA_DIED);
            assertThat(o.replicas()).doesNotContain(victim).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.placement().uses(node)).isFalse());
            assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
            assertThat(o.health().gate().replicas()).extracting(OrchestratorHealth.Replica::id)
                    .doesNotContain(victim.id());
            try (RequestGate.Permit p = o.gate().enter(Duration.ZERO)) {
                assertThat(p.pipeline()).isPresent().get().isNotEqualTo(victim);
            }
        }
    }

    @Test
    void replicasNeedNoAgentButRefuseAMetricsSource() {
        assertThatThrownBy(() -> PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(sim)
                .metricsSource(sim).replicas(0).model(ResearchTestbed.FALCON3_10B).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("metricsSource");
        assertThatThrownBy(() -> PlacementOrchestrator.builder().replicas(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was -1");
    }

    private TickOutcome tickAfter(PlacementOrchestrator o, Duration d) {
        clock.advance(d);
        return o.runOnce();
    }
}
