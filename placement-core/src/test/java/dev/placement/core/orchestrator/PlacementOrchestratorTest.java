package dev.placement.core.orchestrator;

import static dev.placement.core.orchestrator.LoopFixture.THREE;
import static dev.placement.core.orchestrator.LoopFixture.TWO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.Objective;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
import dev.placement.core.orchestrator.TickOutcome.Action;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementOrchestratorTest {
    private final LoopFixture f = new LoopFixture();

    private TickOutcome tickAfter(PlacementOrchestrator o, Duration d) {
        f.clock.advance(d);
        return o.runOnce();
    }

    @Test
    void launchesTheAgentsPlacementOnFirstStartAndOpensTheGate() {
        try (PlacementOrchestrator o = f.orchestrator().build()) {
            assertThat(o.gate().isPaused()).isTrue();

            TickOutcome first = o.runOnce();

            assertThat(first.triggers()).containsExactly(Trigger.FIRST_START);
            assertThat(first.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(first.running()).isEqualTo(THREE);
            assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
            assertThat(o.gate().isPaused()).isFalse();
            assertThat(o.expectedRestartTime()).isEqualTo(Duration.ofSeconds(40));
        }
    }

    @Test
    void doesNotAskTheAgentWhileNothingChangesAndIgnoresASingleSpike() {
        try (PlacementOrchestrator o = f.orchestrator().build()) {
            o.runOnce();
            List<Action> actions = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                if (i == 10) {
                    f.setNode1Node2Rtt(50); // one spike, gone by the next tick
                } else if (i == 11) {
                    f.setNode1Node2Rtt(0.2);
                }
                actions.add(tickAfter(o, Duration.ofSeconds(10)).action());
            }

            assertThat(actions).containsOnly(Action.NOTHING_CHANGED);
            assertThat(f.agent.calls).hasValue(1);
        }
    }

    @Test
    void asksAgainWhenTheMaximumIntervalPasses() {
        try (PlacementOrchestrator o = f.orchestrator().maxInterval(Duration.ofMinutes(10)).build()) {
            o.runOnce();
            TickOutcome later = tickAfter(o, Duration.ofMinutes(11));

            assertThat(later.triggers()).containsExactly(Trigger.MAX_INTERVAL);
            assertThat(later.action()).isEqualTo(Action.KEPT);
        }
    }

    @Test
    void dropsTheSlowNodeOnceTheSmoothedLinkChangeIsWorthARestart() {
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);
            List<TickOutcome> ticks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ticks.add(tickAfter(o, Duration.ofSeconds(10)));
            }

            // Median of 5: the change shows on the third sample.
            assertThat(ticks).extracting(TickOutcome::action).containsExactly(Action.NOTHING_CHANGED,
                    Action.NOTHING_CHANGED, Action.RECONFIGURED, Action.NOTHING_CHANGED);
            assertThat(ticks.get(2).triggers()).containsExactly(Trigger.LINK_CHANGED);
            assertThat(ticks.get(2).running()).isEqualTo(TWO);
            assertThat(ticks.get(2).reason()).contains("predicted ITL 101.4 → 90.4 ms");
        }
    }

    @Test
    void holdsASmallGainBackWhenItDoesNotPayForTheRestart() {
        // 3 stages: 85.4 + 2x; 2 stages: 90.4. At x = 3 the gain is 1 ms of 91.4 (1.1%); over 15 min that is
        // 10 s, less than the 40 s restart measured at first start.
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).smoothingWindow(1).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(3);

            TickOutcome t = tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.SKIPPED);
            assertThat(t.running()).isEqualTo(THREE);
            assertThat(t.reason()).startsWith("gain too small").contains("restart cost of 40 s");
            assertThat(o.journal().entries()).last().satisfies(e -> {
                assertThat(e.result().action()).isEqualTo(Action.SKIPPED);
                assertThat(e.decision().placement()).isEqualTo(TWO);
                assertThat(e.result().applied()).isFalse();
            });
        }
    }

    @Test
    void aFlappingLinkCausesAtMostOneReconfigurationPerCooldown() {
        Duration cooldown = Duration.ofMinutes(5);
        // The cooldown alone, without the flap damping that would hold this link still (FlappingLinkTest).
        try (PlacementOrchestrator o = f.orchestrator().smoothingWindow(1).cooldown(cooldown)
                .horizon(Duration.ofHours(10)).linkFlapDamping(0, Duration.ofHours(1)).build()) {
            o.runOnce();
            List<Instant> reconfigurations = new ArrayList<>();
            List<Action> actions = new ArrayList<>();
            for (int i = 0; i < 240; i++) {
                // A square wave around the 2.5 ms break-even: 1 ms for a minute, 4 ms for a minute.
                f.setNode1Node2Rtt((i / 2) % 2 == 0 ? 1.0 : 4.0);
                TickOutcome t = tickAfter(o, Duration.ofSeconds(30));
                actions.add(t.action());
                if (t.reconfigured()) {
                    reconfigurations.add(t.at());
                }
            }

            assertThat(reconfigurations).hasSizeGreaterThan(5);
            for (int i = 1; i < reconfigurations.size(); i++) {
                assertThat(Duration.between(reconfigurations.get(i - 1), reconfigurations.get(i)))
                        .isGreaterThanOrEqualTo(cooldown);
            }
            assertThat(actions).contains(Action.SKIPPED);
        }
    }

    @Test
    void plansForTheObservedWorkloadAndAsksAgainWhenItShiftsButNotForOneOddInterval() {
        Workload heavy = new Workload(2048, 256, 32);
        try (PlacementOrchestrator o = f.orchestrator().build()) {
            o.runOnce();
            List<TickOutcome> ticks = new ArrayList<>();
            Workload d = Workload.DEFAULT;
            for (Workload w : List.of(d, d, heavy, d, d, d, d, heavy, heavy, heavy)) {
                f.sim.setWorkload(w);
                ticks.add(tickAfter(o, Duration.ofSeconds(10)));
            }

            // Median of 5: the odd interval (third tick) changes nothing; the lasting shift shows on its third sample.
            assertThat(ticks).extracting(t -> t.triggers().contains(Trigger.WORKLOAD_CHANGED))
                    .containsExactly(false, false, false, false, false, false, false, false, false, true);
            assertThat(f.agent.requests).extracting(PlacementRequest::workload)
                    .containsExactly(Workload.DEFAULT, heavy);
            assertThat(o.journal().entries()).last().satisfies(e ->
                    assertThat(e.context().workload()).isEqualTo(heavy));
        }
    }

    @Test
    void aPinnedWorkloadIsNeverReplacedByTheObservedOne() {
        Workload pinned = new Workload(256, 64, 4);
        try (PlacementOrchestrator o = f.orchestrator().workload(pinned).maxInterval(Duration.ofSeconds(30))
                .build()) {
            o.runOnce();
            f.sim.setWorkload(new Workload(2048, 256, 32));
            List<TickOutcome> ticks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ticks.add(tickAfter(o, Duration.ofSeconds(10)));
            }

            assertThat(ticks).noneMatch(t -> t.triggers().contains(Trigger.WORKLOAD_CHANGED));
            assertThat(f.agent.requests).hasSizeGreaterThan(1).extracting(PlacementRequest::workload)
                    .containsOnly(pinned);
        }
    }

    @Test
    void replacesAPlacementWhoseNodeIsGoneAtOnceDespiteTheCooldown() {
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ofHours(1)).build()) {
            o.runOnce();
            f.sim.failNode("node2");

            TickOutcome t = tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.triggers()).contains(Trigger.NODE_LEFT);
            assertThat(t.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(t.running().nodeIds()).doesNotContain("node2");
            assertThat(t.reason()).contains("node2, which is gone");
        }
    }

    @Test
    void usesARecoveredNodeAgainWhenItHelps() {
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).build()) {
            o.runOnce();
            f.sim.failNode("node2");
            tickAfter(o, Duration.ofSeconds(10));
            f.sim.recoverNode("node2");

            TickOutcome t = tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.triggers()).contains(Trigger.NODE_JOINED);
            assertThat(t.running()).isEqualTo(THREE);
        }
    }

    @Test
    void rollsBackToThePreviousPlacementWhenTheLaunchFails() {
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).smoothingWindow(1).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);
            f.sim.failNextLaunches(1);

            TickOutcome t = tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.ROLLED_BACK);
            assertThat(t.running()).isEqualTo(THREE);
            assertThat(t.reason()).contains("simulated launch failure").contains("rolled back to " + THREE);
            assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
            assertThat(o.gate().isPaused()).isFalse();
            assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
                    OrchestratorEvent.RolledBack.class, r -> assertThat(r.failed()).isEqualTo(TWO)));
        }
    }

    @Test
    void launchesWithTheEngineSettingsItPlannedWithAndRollsBackAPipelineThatRunsSomethingElse() {
        List<Integer> launchedWithMaxModelLen = new ArrayList<>();
        Placement wrong = Placement.parse("node0:1,node1:39");
        PipelineLauncher misplacing = new PipelineLauncher() {
            private int launches;

            @Override
            public RunningPipeline launch(Placement placement, PlacementRequest request) {
                launchedWithMaxModelLen.add(request.maxModelLen());
                RunningPipeline started = f.sim.launch(placement, request);
                // The second launch lands another split than asked, as an executor that ignores the order would.
                return launches++ == 1 ? new RunningPipeline(started.id(), wrong, started.endpoint(),
                        started.startedAt()) : started;
            }

            @Override
            public void stop(RunningPipeline pipeline) {
                f.sim.stop(pipeline);
            }
        };
        try (PlacementOrchestrator o = f.orchestrator().launcher(misplacing).maxModelLen(2048)
                .cooldown(Duration.ZERO).smoothingWindow(1).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);

            TickOutcome t = tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.ROLLED_BACK);
            assertThat(t.reason()).contains("the launcher started " + wrong + " instead");
            assertThat(t.running()).isEqualTo(THREE);
            assertThat(f.sim.runningPipelines()).extracting(RunningPipeline::placement).containsExactly(THREE);
            assertThat(launchedWithMaxModelLen).containsExactly(2048, 2048, 2048);
        }
    }

    @Test
    void degradesWhenTheRollbackFailsTooAndRecoversAfterTheBackoff() {
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).smoothingWindow(1)
                .retryBackoff(Duration.ofSeconds(30), Duration.ofMinutes(2)).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);
            f.sim.failNextLaunches(2);

            TickOutcome failed = tickAfter(o, Duration.ofSeconds(10));

            assertThat(failed.action()).isEqualTo(Action.DEGRADED);
            assertThat(failed.running()).isNull();
            assertThat(o.state()).isEqualTo(OrchestratorState.DEGRADED);
            assertThatThrownBy(() -> o.gate().enter(Duration.ZERO)).isInstanceOf(RequestRejectedException.class)
                    .hasMessageContaining("no pipeline is running");
            assertThat(tickAfter(o, Duration.ofSeconds(10)).action()).isEqualTo(Action.NOTHING_CHANGED);

            TickOutcome retry = tickAfter(o, Duration.ofSeconds(30));

            assertThat(retry.triggers()).containsExactly(Trigger.RETRY);
            assertThat(retry.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(retry.running()).isEqualTo(TWO);
            assertThat(o.gate().isPaused()).isFalse();
        }
    }

    @Test
    void reconsidersWhenMeasuredMetricsBreakTheObjectivesBound() {
        // Measured ITL comes from the simulator's real performance model, far above a 1 ms bound.
        try (PlacementOrchestrator o = f.orchestrator().objective(Objective.minimizeItl().withMaxItlMillis(1))
                .cooldown(Duration.ofMinutes(5)).build()) {
            o.runOnce();
            TickOutcome t = tickAfter(o, Duration.ofMinutes(6));

            assertThat(t.measured()).isNotNull();
            assertThat(t.triggers()).contains(Trigger.BOUND_BREACHED);
            assertThat(tickAfter(o, Duration.ofSeconds(10)).triggers()).isEmpty();
        }
    }

    @Test
    void journalsDecisionsWithTheMetricsMeasuredAfterwardsAndReadsThemBack(@TempDir Path dir) {
        Path file = dir.resolve("journal.jsonl");
        try (DecisionJournal journal = DecisionJournal.openFile(file);
                PlacementOrchestrator o = f.orchestrator().journal(journal).cooldown(Duration.ZERO)
                        .smoothingWindow(1).build()) {
            o.runOnce();
            tickAfter(o, Duration.ofSeconds(10));
            f.setNode1Node2Rtt(8);
            tickAfter(o, Duration.ofSeconds(10));
            tickAfter(o, Duration.ofSeconds(10));
        }

        List<DecisionJournal.Entry> entries = DecisionJournal.read(file);
        assertThat(entries).extracting(e -> e.result().action())
                .containsExactly(Action.RECONFIGURED, Action.RECONFIGURED);
        assertThat(entries.get(1).triggers()).containsExactly(Trigger.LINK_CHANGED);
        assertThat(entries.get(1).context().connectivity().requireRttMillis("node1", "node2")).isEqualTo(8.0);
        assertThat(entries.get(1).context().running()).isEqualTo(THREE);
        assertThat(entries.get(1).measurement().placement()).isEqualTo(TWO);
        assertThat(entries.get(1).measurement().metrics().itlMillis()).isPositive();

        try (DecisionJournal reopened = DecisionJournal.openFile(file)) {
            assertThat(reopened.outcomes()).extracting(x -> x.placement()).containsExactly(THREE, TWO);
        }
    }

    @Test
    void reportsAFailingAgentWithoutTouchingTheRunningPipeline() {
        try (PlacementOrchestrator o = f.orchestrator().smoothingWindow(1).agent(new dev.placement.api.PlacementAgent() {
            int calls;

            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public dev.placement.api.PlacementDecision decide(dev.placement.api.PlacementRequest r) {
                if (calls++ > 0) {
                    throw new dev.placement.api.PlacementException("LLM timed out");
                }
                return new dev.placement.api.PlacementDecision(THREE, "flaky", "first", null, null);
            }
        }).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);

            TickOutcome t = tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.FAILED);
            assertThat(t.reason()).contains("agent 'flaky' failed: LLM timed out");
            assertThat(t.running()).isEqualTo(THREE);
            assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOf(OrchestratorEvent.TickFailed.class));
            assertThat(o.journal().entries()).last().satisfies(e -> {
                assertThat(e.result().action()).isEqualTo(Action.FAILED);
                assertThat(e.decision()).isNull();
                assertThat(e.result().reason()).contains("LLM timed out");
            });
        }
    }

    @Test
    void backsOffAfterTheAgentFailsInsteadOfAskingItEveryTick() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (PlacementOrchestrator o = f.orchestrator().smoothingWindow(1)
                .retryBackoff(Duration.ofSeconds(30), Duration.ofMinutes(2))
                .agent(new dev.placement.api.PlacementAgent() {
                    @Override
                    public String name() {
                        return "down";
                    }

                    @Override
                    public dev.placement.api.PlacementDecision decide(dev.placement.api.PlacementRequest r) {
                        if (calls.incrementAndGet() > 1) {
                            throw new dev.placement.api.PlacementException("503 from the LLM");
                        }
                        return new dev.placement.api.PlacementDecision(THREE, "down", "first", null, null);
                    }
                }).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);
            List<Action> actions = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                actions.add(tickAfter(o, Duration.ofSeconds(10)).action());
            }

            // Asked at +10 s, then after 30 s (+40 s), then after 60 s (+100 s).
            assertThat(actions).containsExactly(Action.FAILED, Action.NOTHING_CHANGED, Action.NOTHING_CHANGED,
                    Action.FAILED, Action.NOTHING_CHANGED, Action.NOTHING_CHANGED, Action.NOTHING_CHANGED,
                    Action.NOTHING_CHANGED, Action.NOTHING_CHANGED, Action.FAILED);
            assertThat(calls).hasValue(4);
        }
    }

    @Test
    void holdsRequestsWithTheReasonWhenNoPlacementFitsAndStartsOnceANodeJoins() {
        f.sim.failNode("node1");
        f.sim.failNode("node2");
        try (PlacementOrchestrator o = f.orchestrator().retryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(5))
                .build()) {
            TickOutcome none = o.runOnce();

            assertThat(none.action()).isEqualTo(Action.NO_FEASIBLE_PLACEMENT);
            assertThatThrownBy(() -> o.gate().enter(Duration.ZERO)).hasMessageContaining("no feasible placement");
            assertThat(tickAfter(o, Duration.ofSeconds(10)).reason()).contains("asking the agent again at");
            f.sim.recoverNode("node1");

            TickOutcome started = tickAfter(o, Duration.ofSeconds(10));

            assertThat(started.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(started.running()).isEqualTo(TWO);
            assertThat(f.agent.calls).hasValue(2);
        }
    }

    @Test
    void refusesToTickAfterCloseAndStopsThePipeline() {
        PlacementOrchestrator o = f.orchestrator().build();
        o.runOnce();
        o.close();

        assertThat(f.sim.runningPipelines()).isEmpty();
        assertThat(o.state()).isEqualTo(OrchestratorState.CLOSED);
        assertThatThrownBy(o::runOnce).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> o.gate().enter(Duration.ofSeconds(1))).hasMessageContaining("closed");
    }

    @Test
    void startRunsTheLoopOnTheSchedulerUntilClosed() throws Exception {
        java.util.concurrent.CountDownLatch launched = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ScheduledExecutorService scheduler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            PlacementOrchestrator o = f.orchestrator().scheduler(scheduler).tickInterval(Duration.ofMillis(5))
                    .listener(e -> {
                        if (e instanceof OrchestratorEvent.Reconfigured) {
                            launched.countDown();
                        }
                    }).build();
            o.start();

            assertThat(launched.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(o::start).hasMessageContaining("already started");
            o.close();
            assertThat(o.state()).isEqualTo(OrchestratorState.CLOSED);
            assertThat(scheduler.isShutdown()).as("a scheduler given by the caller stays the caller's").isFalse();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void namesTheMissingRequiredSetting() {
        assertThatThrownBy(() -> PlacementOrchestrator.builder().build())
                .hasMessageContaining("PlacementOrchestrator.builder().inventory(...) is required");
    }
}
