package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code close()} drains the requests in flight like a reconfiguration does, for a bounded time. */
class CloseDrainTest {
    private final LoopFixture f = new LoopFixture();

    @Test
    void closeWaitsForTheRequestsInFlightBeforeStoppingThePipeline() throws Exception {
        PlacementOrchestrator o = f.orchestrator().drainTimeout(Duration.ofMinutes(1)).build();
        o.runOnce();
        RequestGate.Permit permit = o.gate().enter(Duration.ZERO);
        Thread closer = new Thread(o::close, "closer");
        closer.start();
        // Waits (without sleeping) until close() is blocked waiting for the drain, or has returned.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            while (closer.getState() != Thread.State.TIMED_WAITING && closer.isAlive()) {
                Thread.onSpinWait();
            }
        });

        assertThat(f.sim.runningPipelines()).as("stopped while a request was in flight").hasSize(1);
        permit.close();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(f.sim.runningPipelines()).isEmpty();
        assertThat(o.state()).isEqualTo(OrchestratorState.CLOSED);
    }

    @Test
    void closeStopsThePipelineAfterTheDrainTimeoutWhenARequestNeverFinishes() {
        PlacementOrchestrator o = f.orchestrator().drainTimeout(Duration.ofMillis(50)).build();
        o.runOnce();
        o.gate().enter(Duration.ZERO);

        assertTimeoutPreemptively(Duration.ofSeconds(10), o::close);
        assertThat(f.sim.runningPipelines()).isEmpty();
    }
}
