package dev.placement.llm.http;

import dev.placement.api.LlmException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * How the transport rides out a failing server: Resilience4j retries retryable failures, waiting the server's
 * hint or a backoff ({@link RetryDelays}) through the injected {@link Sleeper}, around a circuit breaker that
 * counts only retryable failures and, once open, refuses attempts without sending them. Thread-safe; the
 * circuit breaker's state is shared by every call of one transport.
 */
final class ResiliencePolicy {
    // Logged under the transport's name, the one users set log levels for.
    private static final Logger LOG = LoggerFactory.getLogger(LlmHttpTransport.class);

    private final TransportSettings settings;
    private final ProviderFailures failures;
    private final Retry retry;
    private final CircuitBreaker circuitBreaker;

    ResiliencePolicy(TransportSettings settings, ProviderFailures failures) {
        this.settings = settings;
        this.failures = failures;
        this.retry = Retry.of(settings.provider(), RetryConfig.<String>custom()
                .maxAttempts(settings.maxRetries() + 1)
                .retryOnException(ResiliencePolicy::isRetryable)
                .intervalBiFunction((attempt, outcome) -> waitBeforeRetry(attempt,
                        outcome.isLeft() ? outcome.getLeft() : null))
                .build());
        this.circuitBreaker = CircuitBreaker.of(settings.provider(),
                CircuitBreakerConfig.from(settings.circuitBreakerConfig())
                        // Only failures that say something about the server's health count: a bad request or a
                        // refusal must not stop calls that would succeed.
                        .recordException(ResiliencePolicy::isRetryable)
                        .clock(settings.clock())
                        .build());
    }

    /** The one retry predicate, also what the circuit breaker counts: failures asking again may cure. */
    static boolean isRetryable(Throwable e) {
        return e instanceof LlmException llm && llm.retryable();
    }

    /**
     * Runs attempts until one succeeds, one fails for good, or the retries run out.
     *
     * @param host    the server's host, for the message when the circuit breaker refuses
     * @param attempt one attempt; throws {@link LlmCallException} on failure
     * @return the first successful attempt's result
     * @throws LlmCallException the last failure, or {@link LlmFailure#CIRCUIT_OPEN} when the breaker refuses
     */
    String call(String host, Supplier<String> attempt) {
        Supplier<String> guarded = CircuitBreaker.decorateSupplier(circuitBreaker, attempt);
        Supplier<String> admitted = () -> {
            try {
                return guarded.get();
            } catch (CallNotPermittedException e) {
                throw failures.of(LlmFailure.CIRCUIT_OPEN, "too many recent failures; not calling " + host
                        + " for now", null);
            }
        };
        return Retry.decorateSupplier(retry, admitted).get();
    }

    CircuitBreaker.State state() {
        return circuitBreaker.getState();
    }

    private Long waitBeforeRetry(int attempt, Throwable failure) {
        Duration hint = failure instanceof LlmException llm ? llm.retryAfter().orElse(null) : null;
        Duration wait = RetryDelays.delay(hint, attempt, settings.initialRetryDelay(), settings.maxRetryDelay(),
                ThreadLocalRandom.current().nextDouble());
        LOG.warn("{}: attempt {} of {} failed ({}); retrying in {} ms", settings.provider(), attempt,
                settings.maxRetries() + 1, failure == null ? "no exception" : failures.redact(failure.getMessage()),
                wait.toMillis());
        // Resilience4j 2.x sleeps through one process-wide static function; waiting here through the injected
        // sleeper keeps waits per client and lets tests record them instead of sleeping. Resilience4j then
        // waits zero.
        try {
            settings.sleeper().sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.of(LlmFailure.INTERRUPTED, "interrupted while waiting to retry", e);
        }
        return 0L;
    }
}
