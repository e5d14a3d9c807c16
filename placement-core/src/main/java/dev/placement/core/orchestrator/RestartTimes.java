package dev.placement.core.orchestrator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * The restart time the orchestrator expects, learnt from its own reconfigurations: the median of the last
 * few measured restarts, or a default before the first. Not thread-safe; used under the tick lock.
 */
final class RestartTimes {
    private static final int KEEP = 5;
    private final Duration fallback;
    private final Deque<Duration> measured = new ArrayDeque<>();

    RestartTimes(Duration fallback) {
        this.fallback = fallback;
    }

    void record(Duration d) {
        measured.addLast(d);
        while (measured.size() > KEEP) {
            measured.removeFirst();
        }
    }

    Duration estimate() {
        if (measured.isEmpty()) {
            return fallback;
        }
        List<Duration> sorted = new ArrayList<>(measured);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    boolean learnt() {
        return !measured.isEmpty();
    }
}
