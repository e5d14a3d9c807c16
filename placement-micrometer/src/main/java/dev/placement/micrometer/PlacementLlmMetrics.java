package dev.placement.micrometer;

import dev.placement.llm.http.LlmCallListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/**
 * Micrometer metrics of LLM clients: the {@link LlmCallListener} to register on them. Apart from
 * {@link PlacementMetrics} because it needs {@code placement-llm-http}, an optional dependency of this module that
 * every LLM client brings: an orchestrator without an LLM binds its metrics without it.
 *
 * <pre>{@code
 * OpenAiLlmClient llm = OpenAiLlmClient.fromEnvironment().listener(PlacementLlmMetrics.listener(registry)).build();
 * }</pre>
 */
public final class PlacementLlmMetrics {
    private PlacementLlmMetrics() {
    }

    /**
     * A listener for LLM clients ({@code OpenAiLlmClient.builder().listener(...)},
     * {@code GeminiLlmClient.builder().listener(...)}) that times their calls and counts their attempts, retries,
     * tokens and circuit-breaker changes and refusals ({@link PlacementMeters#LLM_CALLS} and the other
     * {@code placement.llm.*} meters). One listener may serve several clients; its meters stay in the registry.
     *
     * @param registry where the meters go; not null
     * @return the listener; thread-safe
     */
    public static LlmCallListener listener(MeterRegistry registry) {
        return listener(registry, Tags.empty());
    }

    /**
     * Like {@link #listener(MeterRegistry)}, with tags added to each of its meters.
     *
     * @param registry where the meters go; not null
     * @param tags     tags for every meter; not null
     * @return the listener; thread-safe
     */
    public static LlmCallListener listener(MeterRegistry registry, Iterable<Tag> tags) {
        return new LlmMetrics(Objects.requireNonNull(registry, "registry"),
                Tags.of(Objects.requireNonNull(tags, "tags")));
    }
}
