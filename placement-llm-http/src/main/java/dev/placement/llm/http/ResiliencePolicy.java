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
 * counts only retryable failures and, once open, refuses attempts without sending them. The breaker is configured
 * from the provider-neutral {@link CircuitBreakerSettings}, and its states are told as {@link CircuitState}s, so no
 * Resilience4j type leaves this class. Each attempt, retry and state change is told to the call's listeners.
 * Thread-safe; the circuit breaker's state is shared by every call of one transport.
 */
final class ResiliencePolicy {
    // Logged under the transport's name, the one users set log levels for.
    private static final Logger LOG = LoggerFactory.getLogger(LlmHttpTransport.class);

    private final TransportSettings settings;
    private final ProviderFailures failures;
    private final Retry retry;
    private final CircuitBreaker circuitBreaker;

    ResiliencePolicy(TransportSettings settings, ProviderFailures failures, CallListeners listeners) {
        this.settings = settings;
        this.failures = failures;
        this.retry = Retry.of(settings.provider(), RetryConfig.custom()
                .maxAttempts(settings.maxRetries() + 1)
                .retryOnException(ResiliencePolicy::isRetryable)
                // The wait is made before the failure is rethrown (see call), where the call it belongs to is known.
                .intervalBiFunction((attempt, outcome) -> 0L)
                .build());
        CircuitBreakerSettings cb = settings.circuitBreaker();
        this.circuitBreaker = CircuitBreaker.of(settings.provider(), CircuitBreakerConfig.custom()
                .slidingWindowSize(cb.windowCalls())
                .minimumNumberOfCalls(cb.minimumCalls())
                .failureRateThreshold((float) cb.failureRateThreshold())
                .waitDurationInOpenState(cb.openDuration())
                .permittedNumberOfCallsInHalfOpenState(1)
                // Only failures that say something about the server's health count: a bad request or a
                // refusal must not stop calls that would succeed.
                .recordException(ResiliencePolicy::isRetryable)
                .clock(settings.clock())
                .build());
        if (!listeners.isEmpty()) {
            circuitBreaker.getEventPublisher().onStateTransition(e -> listeners.circuit(new CircuitTransition(
                    settings.provider(), settings.model(), state(e.getStateTransition().getFromState()),
                    state(e.getStateTransition().getToState()), settings.clock().instant())));
        }
    }

    /** The one retry predicate, also what the circuit breaker counts: failures asking again may cure. */
    static boolean isRetryable(Throwable e) {
        return e instanceof LlmException llm && llm.retryable();
    }

    /**
     * Runs attempts until one succeeds, one fails for good, or the retries run out.
     *
     * @param host    the server's host, for the message when the circuit breaker refuses
     * @param call    the call the attempts belong to, told of each
     * @param attempt one attempt; throws {@link LlmCallException} on failure
     * @return the first successful attempt's answer
     * @throws LlmCallException the last failure, or {@link LlmFailure#CIRCUIT_OPEN} when the breaker refuses
     */
    HttpExchange.Answer call(String host, ObservedCall call, Supplier<HttpExchange.Answer> attempt) {
        Supplier<HttpExchange.Answer> guarded = CircuitBreaker.decorateSupplier(circuitBreaker, () -> {
            call.attemptStarting();
            try {
                HttpExchange.Answer answer = attempt.get();
                call.attemptEnded(answer.status());
                return answer;
            } catch (RuntimeException e) {
                call.attemptEnded(e instanceof LlmException l ? l.httpStatus() : 0);
                throw e;
            }
        });
        Supplier<HttpExchange.Answer> admitted = () -> {
            try {
                return guarded.get();
            } catch (CallNotPermittedException e) {
                call.refused();
                throw failures.of(LlmFailure.CIRCUIT_OPEN, "too many recent failures; not calling " + host
                        + " for now", null);
            } catch (RuntimeException e) {
                // Resilience4j retries exactly these: a retryable failure with attempts left.
                if (isRetryable(e) && call.attempts() < settings.maxRetries() + 1) {
                    waitBeforeRetry(call, e);
                }
                throw e;
            }
        };
        return Retry.decorateSupplier(retry, admitted).get();
    }

    CircuitState state() {
        return state(circuitBreaker.getState());
    }

    /** The breaker's state in the transport's words; the states this transport never sets map to what they do. */
    private static CircuitState state(CircuitBreaker.State s) {
        return switch (s) {
            case OPEN, FORCED_OPEN -> CircuitState.OPEN;
            case HALF_OPEN -> CircuitState.HALF_OPEN;
            default -> CircuitState.CLOSED;
        };
    }

    private void waitBeforeRetry(ObservedCall call, Throwable failure) {
        int attempt = call.attempts();
        Duration hint = failure instanceof LlmException llm ? llm.retryAfter().orElse(null) : null;
        Duration wait = RetryDelays.delay(hint, attempt, settings.initialRetryDelay(), settings.maxRetryDelay(),
                ThreadLocalRandom.current().nextDouble());
        LOG.warn("{}: attempt {} of {} failed ({}); retrying in {} ms", settings.provider(), attempt,
                settings.maxRetries() + 1, failures.redact(failure.getMessage()), wait.toMillis());
        call.retrying(failure, wait);
        // Resilience4j 2.x sleeps through one process-wide static function; waiting here through the injected
        // sleeper keeps waits per client and lets tests record them instead of sleeping. Resilience4j then
        // waits zero.
        try {
            settings.sleeper().sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.of(LlmFailure.INTERRUPTED, "interrupted while waiting to retry", e);
        }
    }
}
