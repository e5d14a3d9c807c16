package dev.placement.sim;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Changes to a {@link SimulatedCluster} scripted for a moment of the simulated clock, applied in time order
 * (and in the order scripted when due at the same instant). Not thread-safe; the cluster calls it under its
 * own lock.
 */
final class SimulatedScript {
    private final PriorityQueue<Change> due =
            new PriorityQueue<>(Comparator.comparing(Change::at).thenComparingLong(Change::order));
    private long nextOrder;

    void add(Instant when, Consumer<SimulatedCluster> change) {
        due.add(new Change(Objects.requireNonNull(when, "when"), nextOrder++,
                Objects.requireNonNull(change, "change")));
    }

    /** Applies, in order, every change due at or before {@code now}. */
    void applyDue(Instant now, SimulatedCluster cluster) {
        while (!due.isEmpty() && !due.peek().at().isAfter(now)) {
            due.poll().change().accept(cluster);
        }
    }

    private record Change(Instant at, long order, Consumer<SimulatedCluster> change) {
    }
}
