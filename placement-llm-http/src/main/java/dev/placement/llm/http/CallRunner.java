package dev.placement.llm.http;

import dev.placement.api.LlmResponse;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Makes one call of a transport: attempts through the {@link ResiliencePolicy}, the 2xx body redacted and read,
 * and the call's outcome told to its listeners ({@link ObservedCall}). Thread-safe.
 */
final class CallRunner {
    private final TransportSettings settings;
    private final ProviderFailures failures;
    private final HttpExchange exchange;
    private final ResiliencePolicy resilience;
    private final CallListeners listeners;
    private final AtomicLong calls = new AtomicLong();

    CallRunner(TransportSettings settings, ProviderFailures failures, HttpExchange exchange,
               ResiliencePolicy resilience, CallListeners listeners) {
        this.settings = settings;
        this.failures = failures;
        this.exchange = exchange;
        this.resilience = resilience;
        this.listeners = listeners;
    }

    /**
     * @param reader reads the redacted 2xx body
     * @param usage  the answer's model and token usage for the listeners, or null if the reader gives none
     */
    <T> T run(URI uri, Map<String, String> headers, String jsonBody, Function<String, T> reader,
              Function<T, LlmResponse> usage) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(jsonBody, "jsonBody");
        ObservedCall call = new ObservedCall(listeners, settings.provider(), settings.model(), uri.getHost(),
                calls.incrementAndGet(), settings.maxRetries() + 1);
        try {
            HttpExchange.Answer answer = resilience.call(uri.getHost(), call,
                    () -> exchange.post(uri, headers, jsonBody));
            T value = reader.apply(failures.redact(answer.body()));
            call.succeeded(usage == null ? null : usage.apply(value));
            return value;
        } catch (RuntimeException e) {
            call.failed(e, failures.redact(e.getMessage()));
            throw e;
        }
    }
}
