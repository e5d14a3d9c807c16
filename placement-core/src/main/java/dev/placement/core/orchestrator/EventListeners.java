package dev.placement.core.orchestrator;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who hears a {@link PlacementOrchestrator}'s events: the builder's listeners and those subscribed later. Each is
 * called in turn on the thread that emits (the ticking thread, under the tick lock); one that throws is logged at
 * WARN and the others still hear the event. Thread-safe: subscribing and unsubscribing may happen during a tick,
 * which then goes on with the listeners it started with.
 */
final class EventListeners {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    private final List<Consumer<? super OrchestratorEvent>> listeners = new CopyOnWriteArrayList<>();

    EventListeners(List<Consumer<? super OrchestratorEvent>> initial) {
        initial.forEach(l -> listeners.add(Objects.requireNonNull(l, "listener")));
    }

    /** Adds a listener; closing the subscription removes that registration only. */
    Subscription add(Consumer<? super OrchestratorEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        // A wrapper of its own, so that the same listener subscribed twice is removed once per close.
        Consumer<OrchestratorEvent> registration = listener::accept;
        listeners.add(registration);
        return () -> listeners.remove(registration);
    }

    /** Tells every listener; a listener that throws is logged and the others still hear of it. */
    void emit(OrchestratorEvent event) {
        for (Consumer<? super OrchestratorEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (Exception e) {
                LOG.warn("orchestrator listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
