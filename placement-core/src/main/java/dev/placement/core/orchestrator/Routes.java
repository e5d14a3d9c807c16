package dev.placement.core.orchestrator;

import dev.placement.api.RunningPipeline;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicas a {@link RequestGate} routes to, each with its predicted capacity and the requests it holds now.
 * A request goes to the serving replica with the least outstanding work weighted by its capacity: the lowest
 * {@code (outstanding + 1) / capacity}, the first registered on a tie. With C requests in flight a replica then
 * holds about {@code C · capacity / Σ capacity}, the split the replica planner predicts. A retired replica (being
 * drained or taken out) gets no new request, but its outstanding ones are still counted until they end. Not
 * thread-safe: the gate calls it under its lock.
 */
final class Routes {
    private final Map<String, Route> byId = new LinkedHashMap<>();

    /** One replica: the pipeline, its capacity (output tokens/s, or any positive weight), and its load now. */
    static final class Route {
        private final RunningPipeline pipeline;
        private double capacity;
        private boolean serving = true;
        private int outstanding;

        private Route(RunningPipeline pipeline, double capacity) {
            this.pipeline = pipeline;
            this.capacity = capacity;
        }

        RunningPipeline pipeline() {
            return pipeline;
        }

        /** @return what one more request would make its load: outstanding requests per unit of capacity */
        double loadWithOneMore() {
            return (outstanding + 1) / capacity;
        }

        OrchestratorHealth.Replica view() {
            return new OrchestratorHealth.Replica(pipeline.id(), pipeline.placement().toSpec(), capacity, serving,
                    outstanding);
        }
    }

    /**
     * Adds a replica that serves from now on, or updates the capacity of one already known (serving again).
     *
     * @throws IllegalArgumentException if the capacity is not positive and finite
     */
    void serve(RunningPipeline pipeline, double capacity) {
        if (!(capacity > 0) || Double.isInfinite(capacity)) {
            throw new IllegalArgumentException("replica capacity must be positive, was " + capacity);
        }
        Route known = byId.get(pipeline.id());
        if (known == null) {
            byId.put(pipeline.id(), new Route(pipeline, capacity));
        } else { // the same object: permits open on it still count down the right replica
            known.capacity = capacity;
            known.serving = true;
        }
    }

    /** Sends no new request to a replica; its outstanding requests go on. @return whether it was known */
    boolean retire(String id) {
        Route r = byId.get(id);
        if (r != null) {
            r.serving = false;
        }
        return r != null;
    }

    /** Forgets a replica (a permit still open on it ends without effect on any other). */
    void remove(String id) {
        byId.remove(id);
    }

    /** Forgets every replica but these. */
    void keepOnly(Collection<String> ids) {
        byId.keySet().retainAll(ids);
    }

    /** @return whether some registered replica takes new requests */
    boolean anyServing() {
        return byId.values().stream().anyMatch(r -> r.serving);
    }

    /** @return how many requests the replica holds now (0 if unknown) */
    int outstanding(String id) {
        Route r = byId.get(id);
        return r == null ? 0 : r.outstanding;
    }

    /**
     * Chooses a replica for one more request and counts it there.
     *
     * @param avoid a replica to pass over if another serves (the one a retried request failed on), or null
     * @return the route, or null if no replica serves
     */
    Route take(String avoid) {
        Route best = null;
        for (boolean avoiding : new boolean[] {true, false}) {
            for (Route r : byId.values()) {
                if (r.serving && !(avoiding && r.pipeline.id().equals(avoid))
                        && (best == null || r.loadWithOneMore() < best.loadWithOneMore())) {
                    best = r;
                }
            }
            if (best != null || avoid == null) {
                break;
            }
        }
        if (best != null) {
            best.outstanding++;
        }
        return best;
    }

    /** A request routed to {@code r} ended. */
    void release(Route r) {
        if (r != null && r.outstanding > 0) {
            r.outstanding--;
        }
    }

    /** @return every replica now, in registration order */
    List<OrchestratorHealth.Replica> view() {
        List<OrchestratorHealth.Replica> out = new ArrayList<>();
        byId.values().forEach(r -> out.add(r.view()));
        return out;
    }
}
