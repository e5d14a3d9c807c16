package dev.placement.core.orchestrator;

import static dev.placement.core.orchestrator.LoopFixture.THREE;
import static dev.placement.core.orchestrator.LoopFixture.TWO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.RunningPipeline;
import dev.placement.core.orchestrator.OrchestratorHealth.Status;
import dev.placement.core.orchestrator.TickOutcome.Action;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link PlacementOrchestrator#health()}: the status each state maps to, what it shows, and reading it anywhere. */
class OrchestratorHealthTest {
    private final LoopFixture f = new LoopFixture();

    @Test
    void everyStateMapsToTheDocumentedStatus() {
        Map<OrchestratorState, Status> expected = Map.of(OrchestratorState.RUNNING, Status.UP,
                OrchestratorState.RECONFIGURING, Status.DEGRADED, OrchestratorState.NOT_STARTED, Status.DOWN,
                OrchestratorState.DEGRADED, Status.DOWN, OrchestratorState.CLOSED, Status.DOWN);

        assertThat(expected).hasSize(OrchestratorState.values().length);
        expected.forEach((state, status) -> assertThat(Status.of(state)).as(state.name()).isEqualTo(status));
        OrchestratorHealth.Gate open = new OrchestratorHealth.Gate(false, null, 0, 0, 0, 0);
        assertThatThrownBy(() -> new OrchestratorHealth(Status.UP, OrchestratorState.DEGRADED, null, null, "x", open))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DEGRADED");
    }

    @Test
    void showsNothingRunningBeforeTheFirstTickThenThePipelineAndTheDecisionThatLaunchedIt() {
        try (PlacementOrchestrator o = f.orchestrator().build()) {
            OrchestratorHealth before = o.health();

            assertThat(before.status()).isEqualTo(Status.DOWN);
            assertThat(before.state()).isEqualTo(OrchestratorState.NOT_STARTED);
            assertThat(before.running()).isNull();
            assertThat(before.lastDecision()).isNull();
            assertThat(before.gate().paused()).isTrue();
            assertThat(before.gate().pauseReason()).isEqualTo("no pipeline has been started yet");

            TickOutcome first = o.runOnce();
            OrchestratorHealth up = o.health();

            assertThat(up.status()).isEqualTo(Status.UP);
            assertThat(up.state()).isEqualTo(OrchestratorState.RUNNING);
            RunningPipeline running = o.running().orElseThrow();
            assertThat(up.running()).isEqualTo(new OrchestratorHealth.Pipeline(running.id(), THREE.toSpec(),
                    running.endpoint(), running.startedAt()));
            DecisionJournal.Entry entry = o.journal().entries().get(0);
            assertThat(up.lastDecision()).isEqualTo(new OrchestratorHealth.LastDecision(first.at(),
                    java.util.Set.of(Trigger.FIRST_START), entry.agent(), THREE.toSpec(), Action.RECONFIGURED, true,
                    entry.result().reason()));
            assertThat(up.degradedReason()).isNull();
            assertThat(up.gate()).isEqualTo(new OrchestratorHealth.Gate(false, null, 0, 0, 0, 0, List.of(
                    new OrchestratorHealth.Replica(running.id(), THREE.toSpec(), 1.0, true, 0))));
            assertThat(up.details()).containsEntry("state", "RUNNING").containsEntry("placement", THREE.toSpec())
                    .containsEntry("endpoint", running.endpoint().toString())
                    .containsEntry("lastDecisionAction", "RECONFIGURED").containsEntry("gatePaused", false)
                    .doesNotContainKey("degradedReason");
        }
    }

    @Test
    void isDegradedWhileReconfiguringDownWithTheReasonWhileNothingRunsAndDownWhenClosed() {
        List<OrchestratorHealth> duringSwitch = new CopyOnWriteArrayList<>();
        PlacementOrchestrator[] self = new PlacementOrchestrator[1];
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).smoothingWindow(1)
                .listener(e -> {
                    if (e instanceof OrchestratorEvent.ReconfigurationStarted && self[0] != null) {
                        duringSwitch.add(self[0].health());
                    }
                }).build()) {
            self[0] = o;
            o.runOnce();
            f.setNode1Node2Rtt(8);
            assertThat(f.tickAfter(o, Duration.ofSeconds(10)).running()).isEqualTo(TWO);

            assertThat(duringSwitch).hasSize(2).allSatisfy(h -> {
                assertThat(h.status()).isEqualTo(Status.DEGRADED);
                assertThat(h.state()).isEqualTo(OrchestratorState.RECONFIGURING);
            });
            assertThat(duringSwitch.get(1).running().placement()).isEqualTo(THREE.toSpec());

            f.sim.failNode("node1");
            f.sim.recoverNode("node1");
            f.sim.failNextLaunches(2);
            f.tickAfter(o, Duration.ofSeconds(10));
            OrchestratorHealth down = o.health();

            assertThat(down.status()).isEqualTo(Status.DOWN);
            assertThat(down.state()).isEqualTo(OrchestratorState.DEGRADED);
            assertThat(down.running()).isNull();
            assertThat(down.degradedReason()).isNotBlank();
            assertThat(down.gate().paused()).isTrue();
            assertThat(down.details()).containsEntry("degradedReason", down.degradedReason());
            assertThat(down.lastDecision().applied()).isFalse();

            o.close();
            OrchestratorHealth closed = o.health();

            assertThat(closed.status()).isEqualTo(Status.DOWN);
            assertThat(closed.state()).isEqualTo(OrchestratorState.CLOSED);
            assertThat(closed.gate().pauseReason()).isEqualTo("the orchestrator is closed");
        }
    }

    @Test
    void readersOnOtherThreadsAlwaysSeeAConsistentViewWhileTheLoopRuns() throws Exception {
        int readers = 3;
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(readers);
        AtomicInteger reads = new AtomicInteger();
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).smoothingWindow(1).build()) {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int r = 0; r < readers; r++) {
                futures.add(pool.submit(() -> {
                    started.countDown();
                    while (!done.get() || reads.get() < 3 * readers) {
                        OrchestratorHealth h = o.health();
                        assertThat(h.status()).isEqualTo(Status.of(h.state()));
                        if (h.state() == OrchestratorState.RUNNING) {
                            assertThat(h.running()).isNotNull();
                        }
                        if (h.state() == OrchestratorState.DEGRADED) {
                            assertThat(h.running()).isNull();
                            assertThat(h.degradedReason()).isNotNull();
                        } else {
                            assertThat(h.degradedReason()).isNull();
                        }
                        assertThat(h.gate().inFlight()).isNotNegative();
                        h.details();
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 60; i++) {
                f.setNode1Node2Rtt(i % 6 < 3 ? 0.2 : 8);
                if (i % 10 == 5) {
                    f.sim.failNode("node2");
                } else if (i % 10 == 7) {
                    f.sim.recoverNode("node2");
                }
                f.tickAfter(o, Duration.ofMinutes(1));
            }
            done.set(true);
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS); // rethrows a reader's failed assertion
            }
            assertThat(o.health().state()).isEqualTo(o.state());
        } finally {
            pool.shutdownNow();
        }
        assertThat(reads.get()).isGreaterThanOrEqualTo(3 * readers);
    }
}
