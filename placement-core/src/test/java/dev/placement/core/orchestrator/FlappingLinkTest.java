package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/** A link that keeps changing restarts the pipeline at most once an hour and asks the agent once per change. */
class FlappingLinkTest {
    private static final Duration TICK = Duration.ofSeconds(10);
    private static final int SIX_HOURS = (int) (Duration.ofHours(6).toSeconds() / TICK.toSeconds());

    private final LoopFixture f = new LoopFixture();

    /** What six virtual hours of ticks did. */
    private record Run(List<Instant> reconfigurations, int linkChangedDecisions) {
    }

    private Run sixHours(PlacementOrchestratorBuilder builder, IntConsumer flap) {
        try (PlacementOrchestrator o = builder.build()) {
            o.runOnce();
            List<Instant> reconfigurations = new ArrayList<>();
            int linkChanged = 0;
            for (int i = 0; i < SIX_HOURS; i++) {
                flap.accept(i);
                TickOutcome t = f.tickAfter(o, TICK);
                if (t.reconfigured()) {
                    reconfigurations.add(t.at());
                }
                if (t.triggers().contains(Trigger.LINK_CHANGED)) {
                    linkChanged++;
                }
            }
            assertThat(o.journal().entries()).anySatisfy(e -> assertThat(e.result().reason())
                    .contains("is flapping").contains("judged by its worst RTT"));
            return new Run(reconfigurations, linkChanged);
        }
    }

    private static void assertAtMostOneReconfigurationPerHour(List<Instant> reconfigurations) {
        assertThat(reconfigurations).hasSizeLessThanOrEqualTo(6);
        for (int i = 1; i < reconfigurations.size(); i++) {
            assertThat(Duration.between(reconfigurations.get(i - 1), reconfigurations.get(i)))
                    .isGreaterThanOrEqualTo(Duration.ofHours(1));
        }
    }

    @Test
    void aLinkWhoseRttAlternatesEveryTickRestartsThePipelineAtMostOnceAnHour() {
        // 0.2 ms makes three stages worth a restart, 8 ms makes two: without damping, a restart every cooldown.
        Run run = sixHours(f.orchestrator(), i -> f.setNode1Node2Rtt(i % 2 == 0 ? 8 : 0.2));

        assertAtMostOneReconfigurationPerHour(run.reconfigurations());
        assertThat(run.linkChangedDecisions()).isLessThanOrEqualTo(1);
    }

    @Test
    void aSlowLinkThatAlternatesBetweenTwoPairsRestartsThePipelineAtMostOnceAnHour() {
        Run run = sixHours(f.orchestrator(), i -> {
            boolean even = i % 2 == 0;
            f.sim.setRttMillis("node1", "node2", even ? 8 : 0.2);
            f.sim.setRttMillis("node0", "node2", even ? 0.4 : 8.2);
        });

        assertAtMostOneReconfigurationPerHour(run.reconfigurations());
        assertThat(run.linkChangedDecisions()).isLessThanOrEqualTo(2);
    }

    @Test
    void withoutDampingTheSameFlapRestartsThePipelineEveryCooldown() {
        try (PlacementOrchestrator o = f.orchestrator().linkFlapDamping(0, Duration.ofHours(1)).build()) {
            o.runOnce();
            int reconfigurations = 0;
            for (int i = 0; i < SIX_HOURS; i++) {
                f.setNode1Node2Rtt(i % 2 == 0 ? 8 : 0.2);
                reconfigurations += f.tickAfter(o, TICK).reconfigured() ? 1 : 0;
            }

            // What the damping prevents: the setting above is the loop as it was.
            assertThat(reconfigurations).isGreaterThan(20);
        }
    }
}
