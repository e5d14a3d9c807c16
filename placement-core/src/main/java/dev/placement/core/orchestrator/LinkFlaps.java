package dev.placement.core.orchestrator;

import dev.placement.api.ConnectivityMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Damps links that keep changing. A flip is a raw RTT sample that differs from the link's previous one by
 * more than both change thresholds. A link with {@code flips} flips within {@code hold} is flapping: until it
 * has gone {@code hold} without enough flips, it is judged by the worst RTT it flipped to, so the
 * smoothed map stays still and the agent is asked once, not on every flip. One spike is two flips, so a
 * threshold of four lets single spikes through to the median. Not thread-safe; called under the tick lock.
 */
final class LinkFlaps {
    private record Flip(Instant at, double rttMillis) {
    }

    private final int flips;
    private final Duration hold;
    private final double relative;
    private final double absoluteMillis;
    private final Map<String, Double> last = new HashMap<>();
    private final Map<String, Deque<Flip>> history = new HashMap<>();
    private Set<String> held = Set.of();

    /** @param flips flips within {@code hold} that make a link flapping; 0 turns damping off */
    LinkFlaps(int flips, Duration hold, double relative, double absoluteMillis) {
        if (flips < 0 || flips == 1) {
            throw new IllegalArgumentException("linkFlapDamping flips must be 0 (off) or at least 2, was " + flips);
        }
        if (hold.isNegative() || (flips > 0 && hold.isZero())) {
            throw new IllegalArgumentException("linkFlapDamping hold must be positive, was " + hold);
        }
        this.flips = flips;
        this.hold = hold;
        this.relative = relative;
        this.absoluteMillis = absoluteMillis;
    }

    /**
     * Records the raw RTTs and returns the smoothed map with each flapping link's RTT replaced by its worst.
     *
     * @param newlyHeld receives a description of each link that started to be held on this call
     */
    ConnectivityMap apply(ConnectivityMap raw, ConnectivityMap smoothed, Set<String> nodes, Instant now,
            List<String> newlyHeld) {
        if (flips == 0) {
            return smoothed;
        }
        Instant since = now.minus(hold);
        raw.rttMillis().forEach((from, row) -> row.forEach((to, rtt) -> {
            if (nodes.contains(from) && nodes.contains(to)) {
                record(from + "\u2192" + to, rtt, now);
            }
        }));
        history.keySet().removeIf(k -> !nodes.containsAll(List.of(k.split("\u2192"))));
        last.keySet().retainAll(history.keySet());
        history.values().forEach(q -> q.removeIf(f -> f.at().isBefore(since)));
        Set<String> heldNow = new HashSet<>();
        ConnectivityMap.Builder out = smoothed.toBuilder();
        history.forEach((key, q) -> {
            if (q.size() >= flips) {
                String[] ends = key.split("\u2192");
                double worst = Math.max(q.stream().mapToDouble(Flip::rttMillis).max().orElse(0), last.get(key));
                out.rtt(ends[0], ends[1], worst);
                heldNow.add(key);
                if (!held.contains(key)) {
                    newlyHeld.add(String.format(Locale.ROOT, "link %s is flapping (%d changes within %s): judged"
                            + " by its worst RTT, %.2f ms, until it is steady for %s", key, q.size(),
                            Durations.describe(hold), worst, Durations.describe(hold)));
                }
            }
        });
        held = heldNow;
        return heldNow.isEmpty() ? smoothed : out.build();
    }

    private void record(String key, double rtt, Instant now) {
        Double before = last.put(key, rtt);
        Deque<Flip> q = history.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (before != null) {
            double delta = Math.abs(rtt - before);
            if (delta >= absoluteMillis && delta >= relative * Math.max(before, 1e-9)) {
                q.addLast(new Flip(now, Math.max(rtt, before)));
            }
        }
        while (q.size() > flips) {
            q.removeFirst();
        }
    }
}
