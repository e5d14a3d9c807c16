package dev.placement.core.orchestrator;

import static dev.placement.core.orchestrator.LoopFixture.THREE;
import static dev.placement.core.orchestrator.LoopFixture.TWO;
import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.orchestrator.TickOutcome.Action;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Whatever a plug-in throws or returns, the loop's state, gate and journal end consistent. */
class LoopFaultsTest {
    private final LoopFixture f = new LoopFixture();

    @SuppressWarnings("unchecked")
    static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    static Stream<Throwable> throwables() {
        return Stream.of(new Error("launcher bug"), new IOException("socket closed"));
    }

    @ParameterizedTest
    @MethodSource("throwables")
    void rollsBackAndJournalsWhenTheLauncherThrowsAnErrorOrACheckedException(Throwable thrown) {
        DeadPipelineTest.FaultyLauncher launcher = new DeadPipelineTest.FaultyLauncher(f.sim);
        try (PlacementOrchestrator o = f.orchestrator().launcher(launcher).cooldown(Duration.ZERO).smoothingWindow(1)
                .build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);
            launcher.nextLaunchThrows = thrown;

            TickOutcome t = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(Action.ROLLED_BACK);
            assertThat(t.reason()).contains("launching " + TWO + " failed: " + thrown.getMessage());
            assertThat(o.state()).isEqualTo(OrchestratorState.RUNNING);
            assertThat(o.running()).map(r -> r.placement()).hasValue(THREE);
            assertThat(o.gate().isPaused()).isFalse();
            assertThat(f.sim.runningPipelines()).hasSize(1);
            assertThat(o.journal().entries()).last().satisfies(e -> assertThat(e.result().action())
                    .isEqualTo(Action.ROLLED_BACK));
        }
    }

    @Test
    void aFirstLaunchThatThrowsAnErrorDegradesInsteadOfLeavingTheLoopReconfiguring() {
        DeadPipelineTest.FaultyLauncher launcher = new DeadPipelineTest.FaultyLauncher(f.sim);
        launcher.nextLaunchThrows = new OutOfMemoryError("simulated");
        try (PlacementOrchestrator o = f.orchestrator().launcher(launcher).build()) {
            TickOutcome t = o.runOnce();

            assertThat(t.action()).isEqualTo(Action.DEGRADED);
            assertThat(o.state()).isEqualTo(OrchestratorState.DEGRADED);
            assertThat(o.journal().entries()).hasSize(1);
        }
    }

    @Test
    void anAgentThatReturnsNullFailsTheTickWithAClearReason() {
        try (PlacementOrchestrator o = f.orchestrator().agent(agent("nothing", r -> null)).build()) {
            TickOutcome t = o.runOnce();

            assertThat(t.action()).isEqualTo(Action.FAILED);
            assertThat(t.reason()).contains("agent 'nothing' returned no decision");
            assertThat(o.journal().entries()).last().satisfies(e -> assertThat(e.result().action())
                    .isEqualTo(Action.FAILED));
        }
    }

    @Test
    void anAgentThatThrowsAnErrorIsBackedOffLikeAnyFailure() {
        AtomicInteger calls = new AtomicInteger();
        try (PlacementOrchestrator o = f.orchestrator().smoothingWindow(1)
                .retryBackoff(Duration.ofSeconds(30), Duration.ofMinutes(2)).agent(agent("broken", r -> {
                    if (calls.incrementAndGet() > 1) {
                        throw new StackOverflowError("agent bug");
                    }
                    return new PlacementDecision(THREE, "broken", "first", null, null);
                })).build()) {
            o.runOnce();
            f.setNode1Node2Rtt(8);

            TickOutcome failed = f.tickAfter(o, Duration.ofSeconds(10));
            TickOutcome next = f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(failed.action()).isEqualTo(Action.FAILED);
            assertThat(failed.reason()).contains("agent 'broken' failed: agent bug");
            assertThat(failed.running()).isEqualTo(THREE);
            assertThat(next.action()).isEqualTo(Action.NOTHING_CHANGED);
            assertThat(next.reason()).contains("asking the agent again at");
            assertThat(calls).hasValue(2);
        }
    }

    private static PlacementAgent agent(String name, Function<PlacementRequest, PlacementDecision> decide) {
        return new PlacementAgent() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public PlacementDecision decide(PlacementRequest request) {
                return decide.apply(request);
            }
        };
    }
}
