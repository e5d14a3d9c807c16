package dev.placement.core.orchestrator;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Who hears how long each request waited at a {@link RequestGate}; a listener that throws is logged. Thread-safe. */
final class GateListeners {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGate.class);

    private final List<RequestGate.WaitListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param listener the listener; not null
     * @return its subscription: close it to stop hearing (the same listener added twice is heard twice)
     */
    Subscription add(RequestGate.WaitListener listener) {
        Objects.requireNonNull(listener, "listener");
        RequestGate.WaitListener registration = listener::waited;
        listeners.add(registration);
        return () -> listeners.remove(registration);
    }

    /** @return whether nobody listens, so that a request need not be timed */
    boolean isEmpty() {
        return listeners.isEmpty();
    }

    /**
     * @param startNanos a {@link System#nanoTime()} reading
     * @return the time since it
     */
    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * Tells every listener, on the caller's thread.
     *
     * @param waited   how long the request waited
     * @param admitted whether it got a permit
     */
    void tell(Duration waited, boolean admitted) {
        for (RequestGate.WaitListener l : listeners) {
            try {
                l.waited(waited, admitted);
            } catch (Exception e) {
                LOG.warn("request gate listener failed: {}", e.toString());
            }
        }
    }
}
