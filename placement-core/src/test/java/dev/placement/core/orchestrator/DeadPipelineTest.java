package dev.placement.core.orchestrator;

import static dev.placement.core.orchestrator.LoopFixture.THREE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.orchestrator.TickOutcome.Action;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A pipeline that can no longer serve is never reported running with the gate open, and is launched again. */
class DeadPipelineTest {
    private final LoopFixture f = new LoopFixture();

    @Test
    void stopsAdmittingWhenTheNodesOfThePipelineAreGoneAndRelaunchesTheSamePlacementWhenTheyReturn() {
        try (PlacementOrchestrator o = f.orchestrator().build()) {
            assertThat(o.runOnce().running()).isEqualTo(THREE);
            f.sim.failNode("node1");
            f.sim.failNode("node2");

            TickOutcome lost = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(lost.action()).isEqualTo(Action.NO_FEASIBLE_PLACEMENT);
            assertThat(lost.state()).isEqualTo(OrchestratorState.DEGRADED);
            assertThat(lost.running()).isNull();
            assertThat(o.state()).isNotEqualTo(OrchestratorState.RUNNING);
            assertThat(o.running()).isEmpty();
            assertThatThrownBy(() -> o.gate().enter(Duration.ZERO)).isInstanceOf(RequestRejectedException.class)
                    .hasMessageContaining("no feasible placement");
            assertThat(o.journal().entries()).last().satisfies(e -> assertThat(e.result().reason())
                    .contains("no feasible placement"));
            f.sim.recoverNode("node1");
            f.sim.recoverNode("node2");

            TickOutcome back = f.tickAfter(o, Duration.ofSeconds(10));

            // The agent proposes the placement that died: it is launched, not kept.
            assertThat(back.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(back.running()).isEqualTo(THREE);
            assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
            assertThat(o.running()).map(RunningPipeline::id).hasValueSatisfying(id -> assertThat(
                    f.sim.runningPipelines()).extracting(RunningPipeline::id).containsExactly(id));
            assertThat(o.gate().isPaused()).isFalse();
        }
    }

    @Test
    void relaunchesAPipelineWhoseNodeFailedAndReturnedBetweenTwoTicks() {
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ofHours(1)).build()) {
            o.runOnce();
            f.sim.failNode("node2");
            f.sim.recoverNode("node2");
            int launches = f.sim.launches();

            TickOutcome t = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(t.reason()).contains("died").contains("no longer running");
            assertThat(t.running()).isEqualTo(THREE);
            assertThat(f.sim.launches()).isEqualTo(launches + 1);
            assertThat(f.sim.runningPipelines()).hasSize(1);
            assertThat(o.gate().isPaused()).isFalse();
        }
    }

    @Test
    void holdsRequestsWithTheReasonWhileADeadPipelineCannotBeRelaunched() {
        try (PlacementOrchestrator o = f.orchestrator().build()) {
            o.runOnce();
            f.sim.failNode("node2");
            f.sim.recoverNode("node2");
            f.sim.failNextLaunches(2);

            TickOutcome t = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.DEGRADED);
            assertThat(o.running()).isEmpty();
            assertThatThrownBy(() -> o.gate().enter(Duration.ZERO)).hasMessageContaining("no pipeline is running");
        }
    }

    @Test
    void trustsAPipelineWhoseHealthCheckThrowsAndReplacesOneTheLauncherReportsDead() {
        AtomicBoolean dead = new AtomicBoolean();
        AtomicBoolean checkThrows = new AtomicBoolean();
        FaultyLauncher launcher = new FaultyLauncher(f.sim) {
            @Override
            public boolean isAlive(RunningPipeline pipeline) {
                if (checkThrows.get()) {
                    throw new IllegalStateException("health endpoint timed out");
                }
                return !dead.getAndSet(false) && super.isAlive(pipeline);
            }
        };
        try (PlacementOrchestrator o = f.orchestrator().launcher(launcher).build()) {
            o.runOnce();
            checkThrows.set(true);
            assertThat(f.tickAfter(o, Duration.ofSeconds(10)).action()).isEqualTo(Action.NOTHING_CHANGED);
            checkThrows.set(false);
            dead.set(true);

            TickOutcome t = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.RECONFIGURED);
            assertThat(t.running()).isEqualTo(THREE);
            assertThat(f.sim.runningPipelines()).hasSize(1);
        }
    }

    /** Launches on the simulated cluster, except when told to throw. */
    static class FaultyLauncher implements dev.placement.api.PipelineLauncher {
        final dev.placement.api.PipelineLauncher delegate;
        volatile Throwable nextLaunchThrows;

        FaultyLauncher(dev.placement.api.PipelineLauncher delegate) {
            this.delegate = delegate;
        }

        @Override
        public RunningPipeline launch(Placement placement, PlacementRequest request) {
            Throwable t = nextLaunchThrows;
            if (t != null) {
                nextLaunchThrows = null;
                throw LoopFaultsTest.<RuntimeException>sneaky(t);
            }
            return delegate.launch(placement, request);
        }

        @Override
        public void stop(RunningPipeline pipeline) {
            delegate.stop(pipeline);
        }

        @Override
        public boolean isAlive(RunningPipeline pipeline) {
            return delegate.isAlive(pipeline);
        }
    }
}
