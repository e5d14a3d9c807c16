package dev.placement.core.orchestrator;

import static dev.placement.core.orchestrator.LoopFixture.THREE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.placement.api.LatencyProbe;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.orchestrator.TickOutcome.Action;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every plug-in call has a deadline, and {@code close()} returns whatever the plug-ins do. */
class PluginDeadlinesTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(100);

    private final LoopFixture f = new LoopFixture();
    /** Never counted down while a test runs: the hung plug-ins wait on it, ignoring interrupts. */
    private final CountDownLatch never = new CountDownLatch(1);
    private final CountDownLatch entered = new CountDownLatch(1);

    @AfterEach
    void releaseHungThreads() {
        never.countDown();
    }

    private void hang() {
        entered.countDown();
        while (never.getCount() > 0) {
            try {
                never.await();
            } catch (InterruptedException e) {
                // a hostile plug-in: ignores the interrupt and keeps hanging
            }
        }
    }

    private final LatencyProbe hungProbe = cluster -> {
        hang();
        return f.sim.measure(cluster);
    };

    private final PlacementAgent hungAgent = new PlacementAgent() {
        @Override
        public String name() {
            return "hung";
        }

        @Override
        public PlacementDecision decide(PlacementRequest request) {
            hang();
            return null;
        }
    };

    private DeadPipelineTest.FaultyLauncher launcher(boolean hangLaunch, boolean hangStop) {
        return new DeadPipelineTest.FaultyLauncher(f.sim) {
            @Override
            public RunningPipeline launch(Placement placement, PlacementRequest request) {
                if (hangLaunch) {
                    hang();
                }
                return super.launch(placement, request);
            }

            @Override
            public void stop(RunningPipeline pipeline) {
                if (hangStop) {
                    hang();
                }
                super.stop(pipeline);
            }
        };
    }

    @Test
    void aProbeThatOverrunsItsDeadlineFailsTheTick() {
        try (PlacementOrchestrator o = f.orchestrator().probe(hungProbe).observeTimeout(SHORT).build()) {
            TickOutcome t = assertTimeoutPreemptively(BOUND, o::runOnce);

            assertThat(t.action()).isEqualTo(Action.FAILED);
            assertThat(t.reason()).contains("the probe did not answer within 0.1 s");
        }
    }

    @Test
    void anAgentThatOverrunsItsDeadlineIsAFailedDecision() {
        try (PlacementOrchestrator o = f.orchestrator().agent(hungAgent).agentTimeout(SHORT).build()) {
            TickOutcome t = assertTimeoutPreemptively(BOUND, o::runOnce);

            assertThat(t.action()).isEqualTo(Action.FAILED);
            assertThat(t.reason()).contains("agent 'hung' failed: the agent did not answer within 0.1 s");
        }
    }

    @Test
    void aLaunchThatOverrunsItsDeadlineIsAFailedLaunch() {
        try (PlacementOrchestrator o = f.orchestrator().launcher(launcher(true, false)).launchTimeout(SHORT)
                .build()) {
            TickOutcome t = assertTimeoutPreemptively(BOUND, o::runOnce);

            assertThat(t.action()).isEqualTo(Action.DEGRADED);
            assertThat(t.reason()).contains("launching " + THREE + " did not answer within 0.1 s");
            assertThat(o.state()).isEqualTo(OrchestratorState.DEGRADED);
        }
    }

    @Test
    void closeReturnsWhileATickHangsInTheProbeWithTheDefaultDeadlines() throws Exception {
        PlacementOrchestrator o = f.orchestrator().probe(hungProbe).build();
        closeWhileATickHangs(o);
    }

    @Test
    void closeReturnsWhileATickHangsInTheAgent() throws Exception {
        closeWhileATickHangs(f.orchestrator().agent(hungAgent).build());
    }

    @Test
    void closeReturnsWhileATickHangsInALaunch() throws Exception {
        closeWhileATickHangs(f.orchestrator().launcher(launcher(true, false)).build());
    }

    @Test
    void closeReturnsWhenStoppingThePipelineHangs() {
        PlacementOrchestrator o = f.orchestrator().launcher(launcher(false, true)).stopTimeout(SHORT).build();
        o.runOnce();

        assertTimeoutPreemptively(BOUND, o::close);
        assertThat(o.state()).isEqualTo(OrchestratorState.CLOSED);
    }

    private void closeWhileATickHangs(PlacementOrchestrator o) throws Exception {
        AtomicReference<Object> tickEnded = new AtomicReference<>();
        Thread ticking = new Thread(() -> {
            try {
                tickEnded.set(o.runOnce());
            } catch (RuntimeException e) {
                tickEnded.set(e);
            }
        }, "ticking");
        ticking.start();
        entered.await();

        assertTimeoutPreemptively(BOUND, o::close);
        ticking.join(BOUND.toMillis());

        assertThat(ticking.isAlive()).as("the tick still hangs").isFalse();
        assertThat(tickEnded.get()).isNotNull();
        assertThat(o.state()).isEqualTo(OrchestratorState.CLOSED);
        assertThat(o.running()).isEmpty();
    }
}
