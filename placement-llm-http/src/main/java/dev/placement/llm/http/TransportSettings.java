package dev.placement.llm.http;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The settings of one {@link LlmHttpTransport}, validated once, so the exchange and the resilience policy read
 * one immutable value instead of each checking its own copies. The defaults that need other settings (an HTTP
 * client with the connect timeout, the circuit breaker's window) are resolved here; the plain defaults are on
 * {@link LlmHttpTransport.Builder}. Holds no secret, so its generated {@code toString()} is safe.
 *
 * @param provider             the provider's short name for messages and logs; not blank
 * @param model                the model asked, for listeners' events; {@code "unknown"} if {@code null} or blank
 * @param httpClient           the client to send with; a new one with the connect timeout if {@code null}
 * @param connectTimeout       how long to wait for a connection; positive
 * @param requestTimeout       how long one attempt may take; positive
 * @param maxRetries           retries after the first attempt; 0 or more
 * @param initialRetryDelay    the first backoff without a server hint; not negative
 * @param maxRetryDelay        the longest wait before a retry, hints included; not negative
 * @param circuitBreaker       the circuit breaker's window, threshold and open duration; the default if
 *                             {@code null}
 * @param errorReader          reads the provider's error bodies; not null
 * @param clock                for HTTP-date retry hints and the circuit breaker; not null
 * @param sleeper              waits between retries; not null
 * @param listeners            hear every call; copied
 */
record TransportSettings(String provider, String model, HttpClient httpClient, Duration connectTimeout,
                         Duration requestTimeout, int maxRetries, Duration initialRetryDelay, Duration maxRetryDelay,
                         CircuitBreakerSettings circuitBreaker, ErrorBodyReader errorReader, Clock clock,
                         Sleeper sleeper, List<LlmCallListener> listeners) {

    TransportSettings {
        requireText(provider, "provider");
        positive(requestTimeout, "requestTimeout");
        positive(connectTimeout, "connectTimeout");
        notNegative(initialRetryDelay, "initialRetryDelay");
        notNegative(maxRetryDelay, "maxRetryDelay");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, got " + maxRetries);
        }
        Objects.requireNonNull(errorReader, "errorReader");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        listeners = List.copyOf(listeners);
        model = model == null || model.isBlank() ? "unknown" : model.strip();
        // Built only once everything is valid, so a rejected builder leaves no client behind.
        if (httpClient == null) {
            httpClient = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        }
        if (circuitBreaker == null) {
            circuitBreaker = CircuitBreakerSettings.defaults();
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    private static void notNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
