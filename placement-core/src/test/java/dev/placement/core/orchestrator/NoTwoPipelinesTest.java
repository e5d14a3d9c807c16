package dev.placement.core.orchestrator;

import static dev.placement.core.orchestrator.LoopFixture.THREE;
import static dev.placement.core.orchestrator.LoopFixture.TWO;
import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.LaunchException;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.orchestrator.TickOutcome.Action;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator never leaves two pipelines of its own running: when a stop fails on a pipeline that may still
 * run, nothing new is launched until it is stopped; it is stopped again at later ticks and on close. The
 * simulated cluster's own list of running pipelines is the truth checked after every tick.
 */
class NoTwoPipelinesTest {
    private final LoopFixture f = new LoopFixture();

    /** The simulated cluster as launcher, whose stops fail while {@link #failingStops} is above 0. */
    private final class StubbornStops implements PipelineLauncher {
        final AtomicInteger failingStops = new AtomicInteger();
        final List<String> stopped = new CopyOnWriteArrayList<>();
        /** What isAlive answers after a failed stop: null for the simulation's truth, or a fixed answer. */
        volatile Boolean alive;

        @Override
        public RunningPipeline launch(Placement placement, PlacementRequest request) {
            return f.sim.launch(placement, request);
        }

        @Override
        public void stop(RunningPipeline pipeline) {
            if (failingStops.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new LaunchException("Ray refused to stop job " + pipeline.id() + ": HTTP 500");
            }
            f.sim.stop(pipeline);
            stopped.add(pipeline.id());
        }

        @Override
        public boolean isAlive(RunningPipeline pipeline) {
            Boolean answer = alive;
            return answer != null ? answer : f.sim.isAlive(pipeline);
        }
    }

    private final StubbornStops launcher = new StubbornStops();

    private PlacementOrchestrator orchestrator() {
        return f.orchestrator().launcher(launcher).cooldown(Duration.ZERO).smoothingWindow(1)
                .retryBackoff(Duration.ofSeconds(10), Duration.ofMinutes(1)).build();
    }

    @Test
    void aSwitchWhoseOldPipelineDoesNotStopIsAbandonedAndTheOldOneGoesOn() {
        try (PlacementOrchestrator o = orchestrator()) {
            o.runOnce();
            RunningPipeline first = o.running().orElseThrow();
            launcher.failingStops.set(1);
            f.setNode1Node2Rtt(8);
            int launches = f.sim.launches();

            TickOutcome t = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.FAILED);
            assertThat(t.reason()).contains("stopping " + first.id() + " failed (Ray refused to stop job")
                    .contains("the launcher reports it still running")
                    .contains("so " + TWO + " was not launched (two pipelines never run at once); " + THREE
                            + " goes on");
            assertThat(f.sim.launches()).isEqualTo(launches);
            assertThat(f.sim.runningPipelines()).containsExactly(first);
            assertThat(o.running()).contains(first);
            assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
            assertThat(o.gate().isPaused()).isFalse();
            assertThat(o.journal().entries()).last().satisfies(e -> assertThat(e.result().reason())
                    .contains("was not launched (two pipelines never run at once)"));

            // Once the stop works, the switch is made; one pipeline throughout.
            TickOutcome later = f.tickAfter(o, Duration.ofMinutes(2));
            assertThat(later.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(f.sim.runningPipelines()).singleElement().satisfies(p -> assertThat(p.placement())
                    .isEqualTo(TWO));
        }
    }

    @Test
    void aFailedStopOfAPipelineTheLauncherReportsGoneDoesNotHoldTheSwitch() {
        try (PlacementOrchestrator o = orchestrator()) {
            o.runOnce();
            RunningPipeline first = o.running().orElseThrow();
            launcher.failingStops.set(1);
            launcher.alive = false;
            f.sim.stop(first); // it ended by itself; Ray then answers the stop with an error
            f.setNode1Node2Rtt(8);

            TickOutcome t = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(f.sim.runningPipelines()).singleElement().satisfies(p -> assertThat(p.placement())
                    .isEqualTo(TWO));
        }
    }

    @Test
    void aDeadPipelineThatMayStillRunHoldsEveryLaunchUntilItIsStoppedAndIsRetriedWithBackoff() {
        try (PlacementOrchestrator o = orchestrator()) {
            o.runOnce();
            RunningPipeline first = o.running().orElseThrow();
            // node2 is unreachable: the pipeline cannot serve, but its job is not known gone and will not stop.
            f.sim.failNode("node2");
            launcher.failingStops.set(2);
            launcher.alive = true;

            TickOutcome died = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(died.action()).isEqualTo(Action.DEGRADED);
            assertThat(died.reason()).contains("not launching " + TWO + ": pipeline " + first.id())
                    .contains("it may still run, and nothing is launched until it is stopped");
            assertThat(f.sim.launches()).isEqualTo(1);
            assertThat(o.gate().isPaused()).isTrue();

            // The second stop (after the 10 s backoff) fails too; the third works and the launch goes ahead.
            f.tickAfter(o, Duration.ofSeconds(10));
            assertThat(f.sim.launches()).isEqualTo(1);
            assertThat(launcher.failingStops).hasValue(0);
            TickOutcome relaunched = f.tickAfter(o, Duration.ofSeconds(30));
            assertThat(relaunched.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(relaunched.running()).isEqualTo(TWO);
            assertThat(f.sim.runningPipelines()).singleElement().satisfies(p -> assertThat(p.placement())
                    .isEqualTo(TWO));
        }
    }

    @Test
    void closeStopsAPipelineLeftRunningOnceMore() {
        PlacementOrchestrator o = orchestrator();
        o.runOnce();
        RunningPipeline first = o.running().orElseThrow();
        f.sim.failNode("node2");
        launcher.failingStops.set(1);
        launcher.alive = true;
        assertThat(f.tickAfter(o, Duration.ofSeconds(10)).action()).isEqualTo(Action.DEGRADED);
        assertThat(launcher.stopped).isEmpty();

        o.close();

        assertThat(launcher.stopped).containsExactly(first.id());
    }
}
