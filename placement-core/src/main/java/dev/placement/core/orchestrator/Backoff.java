package dev.placement.core.orchestrator;

import java.time.Duration;

/**
 * An exponential backoff: each {@link #next()} returns the wait and doubles the one after, up to a maximum;
 * {@link #reset()} starts over. Not thread-safe; used under the tick lock.
 */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    Duration next() {
        Duration wait = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return wait;
    }

    void reset() {
        next = initial;
    }
}
