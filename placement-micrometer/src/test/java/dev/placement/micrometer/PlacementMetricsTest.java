package dev.placement.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.AgentProposal;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.OrchestratorState;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.PlacementOrchestratorBuilder;
import dev.placement.core.orchestrator.RequestGate;
import dev.placement.core.orchestrator.RequestRejectedException;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.core.orchestrator.Trigger;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Binds an orchestrator on the simulated research testbed to a {@link SimpleMeterRegistry}, runs it through a
 * first start and a link slowing down until the solver drops node2, and reads the meters back: every expected
 * value is derived from the run's events and journal, not from a previous run.
 */
class PlacementMetricsTest {
    private final SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final PerformanceModel performance = PerformanceModel.defaults();
    private final SimulatedCluster sim = SimulatedCluster.builder(clock, ResearchTestbed.NODES, performance)
            .defaultRttMillis(0.2).seed(7).noise(0, 0).restartDelay(Duration.ofSeconds(40)).build();
    private final List<OrchestratorEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private PlacementOrchestratorBuilder orchestrator(PlacementAgent agent) {
        return PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(sim).metricsSource(sim)
                .agent(agent).predictor(performance).model(ResearchTestbed.FALCON3_10B).clock(clock)
                .cooldown(Duration.ZERO).listener(events::add);
    }

    private void slowNode2Links() {
        // The research's [2,10] step: 2 ms added on node0-node1, 10 ms on node1-node2, node2 behind both.
        sim.setRttMillis("node0", "node1", 2.2);
        sim.setRttMillis("node1", "node2", 10.2);
        sim.setRttMillis("node0", "node2", 12.2);
    }

    @Test
    void theMetersOfASimulatedRunWithAReconfigurationAreWhatItsEventsAndJournalSay() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (PlacementOrchestrator o = orchestrator(new SolverAgent(performance)).build();
                PlacementMetrics metrics = PlacementMetrics.bind(o, registry)) {
            // Before the first pipeline: one request rejected at once, one waiting until it is healthy.
            assertThatThrownBy(() -> o.gate().enter(Duration.ZERO)).isInstanceOf(RequestRejectedException.class);
            Future<?> waiter = pool.submit(() -> {
                o.gate().enter(Duration.ofMinutes(5)).close();
                return null;
            });
            awaitWaiting(o.gate(), 1);
            o.runOnce();
            waiter.get(30, TimeUnit.SECONDS);

            for (int i = 0; i < 3; i++) {
                tickWithARequest(o);
            }
            slowNode2Links();
            int reconfiguredBefore = count(OrchestratorEvent.Reconfigured.class);
            for (int i = 0; i < 12 && count(OrchestratorEvent.Reconfigured.class) == reconfiguredBefore; i++) {
                tickWithARequest(o);
            }
            for (int i = 0; i < 3; i++) {
                tickWithARequest(o);
            }

            // The run did what the test is about: a first start, then a switch to another placement.
            List<OrchestratorEvent.Reconfigured> switches = of(OrchestratorEvent.Reconfigured.class);
            assertThat(switches).hasSizeGreaterThanOrEqualTo(2);
            assertThat(switches.get(switches.size() - 1).placement()).isNotEqualTo(switches.get(0).placement());

            assertTicks();
            assertDecisions(o.journal());
            assertReconfigurations(switches);
            assertGate(o.gate());
            assertGauges(o);

            metrics.close();
            assertThat(registry.getMeters()).isEmpty();
            tickWithARequest(o);
            assertThat(registry.getMeters()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertTicks() {
        Map<String, Long> byAction = of(OrchestratorEvent.TickCompleted.class).stream().collect(Collectors.groupingBy(
                t -> t.outcome().action().name().toLowerCase(), Collectors.counting()));
        assertThat(byAction).containsKeys("reconfigured", "nothing_changed");
        byAction.forEach((action, n) -> assertThat(counter(PlacementMeters.TICKS, "action", action))
                .as(action).isEqualTo(n.doubleValue()));
        assertThat(sum(PlacementMeters.TICKS)).isEqualTo(count(OrchestratorEvent.TickCompleted.class));
    }

    private void assertDecisions(DecisionJournal journal) {
        List<DecisionJournal.Entry> recorded = of(OrchestratorEvent.DecisionRecorded.class).stream()
                .map(OrchestratorEvent.DecisionRecorded::entry).toList();
        assertThat(recorded).extracting(DecisionJournal.Entry::id)
                .isEqualTo(journal.entries().stream().map(DecisionJournal.Entry::id).toList());
        Map<List<String>, Long> byTags = recorded.stream().collect(Collectors.groupingBy(e -> List.of(e.agent(),
                e.triggers().stream().min(Enum::compareTo).map(Trigger::name).orElseThrow().toLowerCase(),
                e.result().action().name().toLowerCase()), Collectors.counting()));
        assertThat(byTags).containsKey(List.of("solver", "first_start", "reconfigured"));
        assertThat(byTags).containsKey(List.of("solver", "link_changed", "reconfigured"));
        byTags.forEach((t, n) -> assertThat(counter(PlacementMeters.DECISIONS, "agent", t.get(0), "trigger",
                t.get(1), "outcome", t.get(2))).as(t.toString()).isEqualTo(n.doubleValue()));
        assertThat(sum(PlacementMeters.DECISIONS)).isEqualTo(journal.entries().size());
        assertThat(registry.find(PlacementMeters.LLM_FALLBACKS).meters()).isEmpty();
    }

    private void assertReconfigurations(List<OrchestratorEvent.Reconfigured> switches) {
        assertThat(counter(PlacementMeters.RECONFIGURATIONS, "outcome", "success")).isEqualTo(switches.size());
        assertThat(sum(PlacementMeters.RECONFIGURATIONS))
                .isEqualTo(count(OrchestratorEvent.ReconfigurationStarted.class));
        // Each switch from its start to its end, by the simulated clock.
        List<Instant> starts = of(OrchestratorEvent.ReconfigurationStarted.class).stream()
                .map(OrchestratorEvent.ReconfigurationStarted::at).toList();
        Duration total = Duration.ZERO;
        for (int i = 0; i < switches.size(); i++) {
            total = total.plus(Duration.between(starts.get(i), switches.get(i).at()));
        }
        Timer duration = registry.get(PlacementMeters.RECONFIGURATION_DURATION).tag("outcome", "success").timer();
        assertThat(duration.count()).isEqualTo(switches.size());
        assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(total.toMillis());
        assertThat(total).isPositive();
        Timer restart = registry.get(PlacementMeters.RESTART).timer();
        assertThat(restart.count()).isEqualTo(switches.size());
        assertThat(restart.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(switches.stream()
                .mapToLong(r -> r.restartTime().toMillis()).sum());
    }

    private void assertGate(RequestGate gate) {
        assertThat(gate.rejected()).isEqualTo(1);
        assertThat(registry.get(PlacementMeters.GATE_REQUESTS).tag("outcome", "rejected").functionCounter().count())
                .isEqualTo(gate.rejected());
        assertThat(registry.get(PlacementMeters.GATE_REQUESTS).tag("outcome", "admitted").functionCounter().count())
                .isEqualTo(gate.admitted());
        Timer admitted = registry.get(PlacementMeters.GATE_WAIT).tag("outcome", "admitted").timer();
        Timer rejected = registry.get(PlacementMeters.GATE_WAIT).tag("outcome", "rejected").timer();
        assertThat(admitted.count()).isEqualTo(gate.admitted());
        assertThat(rejected.count()).isEqualTo(gate.rejected());
        assertThat(admitted.max(TimeUnit.NANOSECONDS)).as("the request that waited for the first start").isPositive();
        assertThat(gauge(PlacementMeters.GATE_IN_FLIGHT)).isEqualTo(gate.inFlight());
        assertThat(gauge(PlacementMeters.GATE_WAITING)).isEqualTo(gate.waiting());
        assertThat(gauge(PlacementMeters.GATE_PAUSED)).isEqualTo(gate.isPaused() ? 1 : 0);
    }

    private void assertGauges(PlacementOrchestrator o) {
        for (OrchestratorState s : OrchestratorState.values()) {
            assertThat(gauge(PlacementMeters.STATE, "state", s.name().toLowerCase())).as(s.name())
                    .isEqualTo(o.state() == s ? 1 : 0);
        }
        assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
        TickOutcome last = of(OrchestratorEvent.TickCompleted.class).get(count(OrchestratorEvent.TickCompleted.class)
                - 1).outcome();
        assertThat(gauge(PlacementMeters.PIPELINE_ITL, "source", "predicted"))
                .isEqualTo(last.runningPredicted().itlMillis());
        assertThat(gauge(PlacementMeters.PIPELINE_TTFT, "source", "predicted"))
                .isEqualTo(last.runningPredicted().ttftMillis());
        // What was last measured of the pipeline that runs now, i.e. after the last switch.
        int lastSwitch = events.lastIndexOf(of(OrchestratorEvent.Reconfigured.class).get(
                count(OrchestratorEvent.Reconfigured.class) - 1));
        List<OrchestratorEvent.MetricsMeasured> since = events.subList(lastSwitch, events.size()).stream()
                .filter(OrchestratorEvent.MetricsMeasured.class::isInstance)
                .map(OrchestratorEvent.MetricsMeasured.class::cast).toList();
        assertThat(since).isNotEmpty();
        OrchestratorEvent.MetricsMeasured measured = since.get(since.size() - 1);
        assertThat(measured.placement()).isEqualTo(o.running().orElseThrow().placement());
        assertThat(gauge(PlacementMeters.PIPELINE_ITL, "source", "measured")).isEqualTo(measured.metrics().itlMillis());
        assertThat(gauge(PlacementMeters.PIPELINE_TTFT, "source", "measured"))
                .isEqualTo(measured.metrics().ttftMillis());
    }

    @Test
    void llmProposalsTheGuardDidNotApplyAreCountedAsFallbacksByCause() {
        SolverAgent solver = new SolverAgent(performance);
        AtomicInteger calls = new AtomicInteger();
        // Stands in for a guarded LLM agent: the solver's placement, with an LLM proposal rejected or failed.
        PlacementAgent guarded = new PlacementAgent() {
            @Override
            public String name() {
                return "openai+solver";
            }

            @Override
            public PlacementDecision decide(PlacementRequest request) {
                PlacementDecision best = solver.decide(request);
                boolean failed = calls.incrementAndGet() % 2 == 1;
                AgentProposal proposal = new AgentProposal("openai", "gpt-5-mini",
                        failed ? null : best.placement(), false, failed ? "the LLM failed" : "verify: rejected");
                return new PlacementDecision(best.placement(), "solver", best.rationale(), best.predicted(),
                        proposal);
            }
        };
        try (PlacementOrchestrator o = orchestrator(guarded).maxInterval(Duration.ofMinutes(1)).build();
                PlacementMetrics metrics = PlacementMetrics.bind(o, registry)) {
            o.runOnce();
            for (int i = 0; i < 4; i++) {
                clock.advance(Duration.ofMinutes(2));
                o.runOnce();
            }

            Map<String, Long> byCause = o.journal().entries().stream().map(e -> e.decision().proposal())
                    .filter(p -> !p.accepted()).collect(Collectors.groupingBy(
                            p -> p.placement() == null ? "failed" : "rejected", Collectors.counting()));
            assertThat(byCause).containsKeys("failed", "rejected");
            byCause.forEach((cause, n) -> assertThat(counter(PlacementMeters.LLM_FALLBACKS, "agent", "openai",
                    "cause", cause)).as(cause).isEqualTo(n.doubleValue()));
        }
    }

    @Test
    void aBinderBindsToEachRegistryItIsGivenWithItsTagsAndRefusesOnceClosed() {
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        try (PlacementOrchestrator o = orchestrator(new SolverAgent(performance)).build()) {
            PlacementMetrics metrics = PlacementMetrics.of(o, io.micrometer.core.instrument.Tags.of("orchestrator",
                    "edge-a"));
            assertThat(registry.getMeters()).isEmpty();
            metrics.bindTo(registry);
            metrics.bindTo(other);
            o.runOnce();

            for (SimpleMeterRegistry r : List.of(registry, other)) {
                assertThat(r.get(PlacementMeters.TICKS).tag("orchestrator", "edge-a").counter().count()).isEqualTo(1);
                assertThat(r.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("orchestrator"))
                        .isEqualTo("edge-a"));
            }
            metrics.close();
            metrics.close();
            assertThat(other.getMeters()).isEmpty();
            assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class);
        }
    }

    private void tickWithARequest(PlacementOrchestrator o) {
        clock.advance(Duration.ofSeconds(30));
        o.runOnce();
        try (RequestGate.Permit permit = o.gate().enter(Duration.ZERO)) {
            assertThat(o.gate().inFlight()).isEqualTo(1);
        }
    }

    /** Spins (no sleep) until {@code n} requests wait at the gate; fails after a generous bound. */
    private static void awaitWaiting(RequestGate gate, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (gate.waiting() != n) {
            assertThat(System.nanoTime()).as("a request waiting at the gate").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private <T extends OrchestratorEvent> List<T> of(Class<T> type) {
        List<T> out = new ArrayList<>();
        events.stream().filter(type::isInstance).map(type::cast).forEach(out::add);
        return out;
    }

    private int count(Class<? extends OrchestratorEvent> type) {
        return (int) events.stream().filter(type::isInstance).count();
    }

    private double counter(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private double sum(String name) {
        double total = 0;
        for (Meter m : registry.find(name).meters()) {
            total += m instanceof Counter c ? c.count() : m instanceof FunctionCounter f ? f.count() : 0;
        }
        return total;
    }

    private double gauge(String name, String... tags) {
        Gauge g = registry.get(name).tags(tags).gauge();
        return g.value();
    }
}
