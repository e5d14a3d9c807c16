package dev.placement.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link LoopbackStreamingServer} paces one response stream: its first output chunk
 * {@code timeToFirstToken} after it received the request, then one chunk every {@code interTokenLatency}.
 * Given per request by {@link LoopbackStreamingServer.Builder#timingByArrival(java.util.function.IntFunction)},
 * it lets a test reproduce a spread of per-request timings, for example a burst whose i-th request waits for i
 * prefills.
 *
 * @param timeToFirstToken  from receiving the request to writing the first output chunk; &ge; 0
 * @param interTokenLatency between consecutive output chunks; &ge; 0
 */
public record StreamTiming(Duration timeToFirstToken, Duration interTokenLatency) {

    /**
     * Checks both delays.
     *
     * @param timeToFirstToken  from receiving the request to writing the first output chunk; not null, &ge; 0
     * @param interTokenLatency between consecutive output chunks; not null, &ge; 0
     * @throws NullPointerException     if either is {@code null}
     * @throws IllegalArgumentException if either is negative, naming it and its value
     */
    public StreamTiming {
        nonNegative(timeToFirstToken, "timeToFirstToken");
        nonNegative(interTokenLatency, "interTokenLatency");
    }

    private static void nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name + " must not be null");
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
    }
}
