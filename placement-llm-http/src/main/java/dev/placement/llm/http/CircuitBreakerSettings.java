package dev.placement.llm.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How the transport's circuit breaker judges a failing server: over the last {@code windowCalls} calls, once at
 * least {@code minimumCalls} were made, it opens when the share of retryable failures (rate limits, 5xx, 408, 409,
 * timeouts, I/O; never a bad request or a refusal) reaches {@code failureRateThreshold} percent; while open it
 * refuses calls without sending them ({@link LlmFailure#CIRCUIT_OPEN}) for {@code openDuration}, then lets one
 * trial call through, which closes it again on success. Validated on construction; holds no secret.
 *
 * @param windowCalls          how many of the latest calls are judged; 1 or more
 * @param minimumCalls         how many calls the window must hold before it may open; 1 to {@code windowCalls}
 * @param failureRateThreshold the share of failures, in percent, that opens it; more than 0, at most 100
 * @param openDuration         how long it stays open before a trial call; at least 1 ms
 */
public record CircuitBreakerSettings(int windowCalls, int minimumCalls, double failureRateThreshold,
                                     Duration openDuration) {

    /**
     * Validates every field.
     *
     * @param windowCalls          calls judged; 1 or more
     * @param minimumCalls         calls needed in the window before it may open; 1 to {@code windowCalls}
     * @param failureRateThreshold failure share that opens it, in percent; more than 0, at most 100
     * @param openDuration         time open before a trial call; not null, at least 1 ms
     * @throws IllegalArgumentException naming the field and its value if one is out of range
     * @throws NullPointerException     if the open duration is null
     */
    public CircuitBreakerSettings {
        if (windowCalls < 1) {
            throw new IllegalArgumentException("circuitBreaker.windowCalls must be 1 or more, got " + windowCalls);
        }
        if (minimumCalls < 1 || minimumCalls > windowCalls) {
            throw new IllegalArgumentException("circuitBreaker.minimumCalls must be 1 to windowCalls ("
                    + windowCalls + "), got " + minimumCalls);
        }
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("circuitBreaker.failureRateThreshold must be more than 0 and at "
                    + "most 100 (percent), got " + failureRateThreshold);
        }
        Objects.requireNonNull(openDuration, "circuitBreaker.openDuration");
        if (openDuration.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("circuitBreaker.openDuration must be at least 1 ms, got "
                    + openDuration);
        }
    }

    /**
     * The default: a window of 10 calls, judged from 5, opening at 50% failures, open for 30 s.
     *
     * @return the default settings
     */
    public static CircuitBreakerSettings defaults() {
        return new CircuitBreakerSettings(10, 5, 50, Duration.ofSeconds(30));
    }
}
