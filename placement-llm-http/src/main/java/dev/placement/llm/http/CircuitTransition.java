package dev.placement.llm.http;

import java.time.Instant;
import java.util.Objects;

/**
 * A transport's circuit breaker changed state: told to {@link LlmCallListener#onCircuitStateChange}, on the thread
 * of the call whose outcome (or whose arrival after the open duration) changed it.
 *
 * @param provider the provider's short name; not blank
 * @param model    the model of the client whose breaker it is; not blank
 * @param from     the state before; not null
 * @param to       the state now; not null
 * @param at       when, by the transport's clock
 */
public record CircuitTransition(String provider, String model, CircuitState from, CircuitState to, Instant at) {

    /**
     * Validates every field.
     *
     * @param provider the provider's short name; not blank
     * @param model    the model of the client whose breaker it is; not blank
     * @param from     the state before; not null
     * @param to       the state now; not null
     * @param at       when, by the transport's clock; not null
     */
    public CircuitTransition {
        if (provider == null || provider.isBlank() || model == null || model.isBlank()) {
            throw new IllegalArgumentException("a circuit transition needs a provider and a model");
        }
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
    }
}
