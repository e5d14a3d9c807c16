package dev.placement.core.orchestrator;

/**
 * A listener's registration, returned by {@link PlacementOrchestrator#subscribe} and {@link RequestGate#subscribe}:
 * close it to stop hearing. Closing is idempotent, thread-safe and throws nothing; a listener being called while
 * its subscription closes may still hear that one event.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Removes the listener; later calls do nothing. */
    @Override
    void close();
}
