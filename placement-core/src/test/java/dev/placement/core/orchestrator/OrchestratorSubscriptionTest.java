package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Listeners subscribed after build, and the events that close a decision and a tick. */
class OrchestratorSubscriptionTest {
    private final LoopFixture f = new LoopFixture();

    @Test
    void everyTickEndsWithTickCompletedAndEveryJournaledDecisionIsRecordedOnce() {
        List<OrchestratorEvent> heard = new CopyOnWriteArrayList<>();
        List<TickOutcome> outcomes = new ArrayList<>();
        try (PlacementOrchestrator o = f.orchestrator().cooldown(Duration.ZERO).build()) {
            Subscription s = o.subscribe(heard::add);
            outcomes.add(o.runOnce());
            f.setNode1Node2Rtt(8);
            for (int i = 0; i < 5; i++) {
                outcomes.add(f.tickAfter(o, Duration.ofSeconds(10)));
            }
            s.close();
            s.close(); // harmless
            f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(heard).filteredOn(OrchestratorEvent.TickCompleted.class::isInstance)
                    .extracting(e -> ((OrchestratorEvent.TickCompleted) e).outcome()).isEqualTo(outcomes);
            assertThat(heard).last().isInstanceOf(OrchestratorEvent.TickCompleted.class);
            assertThat(heard).filteredOn(OrchestratorEvent.DecisionRecorded.class::isInstance)
                    .extracting(e -> ((OrchestratorEvent.DecisionRecorded) e).entry().withMeasurement(null))
                    .isEqualTo(o.journal().entries().subList(0, 2).stream().map(e -> e.withMeasurement(null))
                            .toList());
            // The builder's listener heard the same events, and the tick after the unsubscription too.
            assertThat(f.events).startsWith(heard.toArray(new OrchestratorEvent[0]));
            assertThat(f.events).hasSizeGreaterThan(heard.size());
        }
    }

    @Test
    void aSubscriberThatThrowsIsIsolatedAndTheSameListenerMaySubscribeTwice() {
        List<OrchestratorEvent> heard = new CopyOnWriteArrayList<>();
        try (PlacementOrchestrator o = f.orchestrator().build()) {
            o.subscribe(e -> {
                throw new IllegalStateException("listener bug");
            });
            java.util.function.Consumer<OrchestratorEvent> twice = heard::add;
            Subscription first = o.subscribe(twice);
            o.subscribe(twice);

            TickOutcome t = o.runOnce();
            first.close();
            int afterFirstTick = heard.size();
            f.tickAfter(o, Duration.ofSeconds(10));

            assertThat(t.action()).isEqualTo(TickOutcome.Action.RECONFIGURED);
            assertThat(afterFirstTick).isEven().isPositive();
            assertThat(heard.subList(afterFirstTick, heard.size()))
                    .filteredOn(OrchestratorEvent.TickCompleted.class::isInstance).hasSize(1); // heard once
        }
    }
}
