package dev.placement.micrometer;

import dev.placement.llm.http.CircuitState;
import dev.placement.llm.http.CircuitTransition;
import dev.placement.llm.http.LlmCallContext;
import dev.placement.llm.http.LlmCallError;
import dev.placement.llm.http.LlmCallListener;
import dev.placement.llm.http.LlmCallResponse;
import dev.placement.llm.http.LlmFailure;
import dev.placement.llm.http.LlmRetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link LlmCallListener} that counts and times LLM calls in a registry; see {@link PlacementLlmMetrics#listener}.
 * Thread-safe: clients call it from many threads. Tag values come from bounded sets (providers and models as
 * configured, failure kinds, circuit states), never from answers.
 */
final class LlmMetrics implements LlmCallListener {
    private final MeterRegistry registry;
    private final Tags tags;
    /** The circuit breaker's state per provider and model, read by its gauges. */
    private final Map<Tags, AtomicReference<CircuitState>> circuits = new ConcurrentHashMap<>();

    LlmMetrics(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
    }

    @Override
    public void onRequest(LlmCallContext context) {
        Tags client = client(context.provider(), context.model());
        counter(PlacementMeters.LLM_ATTEMPTS, "LLM attempts sent", client).increment();
    }

    @Override
    public void onRetry(LlmRetry retry) {
        Tags client = client(retry.context().provider(), retry.context().model());
        counter(PlacementMeters.LLM_RETRIES, "LLM attempts that failed and were retried",
                client.and("failure", failure(retry.failure()))).increment();
    }

    @Override
    public void onResponse(LlmCallResponse response) {
        Tags client = client(response.context().provider(), response.context().model());
        calls(client.and("outcome", "success", "failure", "none")).record(response.duration());
        if (response.promptTokens() > 0) {
            tokens(client.and("type", "prompt")).increment(response.promptTokens());
        }
        if (response.completionTokens() > 0) {
            tokens(client.and("type", "completion")).increment(response.completionTokens());
        }
    }

    @Override
    public void onError(LlmCallError error) {
        Tags client = client(error.context().provider(), error.context().model());
        calls(client.and("outcome", "failure", "failure", failure(error.failure()))).record(error.duration());
        if (error.rejectedByCircuitBreaker()) {
            counter(PlacementMeters.LLM_CIRCUIT_REJECTIONS, "LLM calls the open circuit breaker refused", client)
                    .increment();
        }
    }

    @Override
    public void onCircuitStateChange(CircuitTransition transition) {
        Tags client = client(transition.provider(), transition.model());
        counter(PlacementMeters.LLM_CIRCUIT_TRANSITIONS, "circuit-breaker state changes", client.and("from",
                OrchestratorBinding.lower(transition.from().name()), "to",
                OrchestratorBinding.lower(transition.to().name()))).increment();
        circuits.get(client).set(transition.to());
    }

    /** The tags of one client; registers its circuit-state gauges the first time it is heard of. */
    private Tags client(String provider, String model) {
        Tags client = Tags.of("provider", provider, "model", model);
        circuits.computeIfAbsent(client, c -> {
            AtomicReference<CircuitState> state = new AtomicReference<>(CircuitState.CLOSED);
            for (CircuitState s : CircuitState.values()) {
                Gauge.builder(PlacementMeters.LLM_CIRCUIT_STATE, state, r -> r.get() == s ? 1 : 0)
                        .description("1 for the circuit breaker's state now, 0 for the others").tags(tags).tags(c)
                        .tag("state", OrchestratorBinding.lower(s.name())).strongReference(true).register(registry);
            }
            return state;
        });
        return client;
    }

    private Timer calls(Tags t) {
        return Timer.builder(PlacementMeters.LLM_CALLS).description("LLM calls, retries included").tags(tags).tags(t)
                .register(registry);
    }

    private Counter tokens(Tags t) {
        return Counter.builder(PlacementMeters.LLM_TOKENS).description("tokens the provider reported")
                .baseUnit("tokens").tags(tags).tags(t).register(registry);
    }

    private Counter counter(String name, String description, Tags t) {
        return Counter.builder(name).description(description).tags(tags).tags(t).register(registry);
    }

    private static String failure(LlmFailure kind) {
        return kind == null ? "unexpected" : OrchestratorBinding.lower(kind.name());
    }
}
