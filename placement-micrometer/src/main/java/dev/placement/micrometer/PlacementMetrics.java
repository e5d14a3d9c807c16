package dev.placement.micrometer;

import dev.placement.core.orchestrator.PlacementOrchestrator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Micrometer metrics of a {@link PlacementOrchestrator}; {@link PlacementLlmMetrics} has those of the LLM clients its
 * agent asks.
 *
 * <pre>{@code
 * try (PlacementMetrics metrics = PlacementMetrics.bind(orchestrator, registry)) {
 *     orchestrator.start();
 *     ...
 * }
 * OpenAiLlmClient llm = OpenAiLlmClient.fromEnvironment().listener(PlacementLlmMetrics.listener(registry)).build();
 * }</pre>
 *
 * <p>A binding subscribes to the orchestrator's events ({@link PlacementOrchestrator#subscribe}) and to its
 * request gate's waits ({@link dev.placement.core.orchestrator.RequestGate#subscribe}): decisions, ticks,
 * reconfigurations and their durations, restarts, fallbacks from an LLM's proposal, calibrations, the time
 * requests waited and how many were rejected, the state, and predicted beside measured ITL and TTFT. Counters and
 * timers are updated on the ticking thread as events arrive (a few increments: they do not slow the tick); gauges
 * read the orchestrator, its gate and the last values seen when the registry asks, lock-free but for the gate's
 * brief lock. The names are in {@link PlacementMeters}; durations of reconfigurations are by the orchestrator's
 * clock, so a simulated run reports simulated time.
 *
 * <p>As Micrometer's {@link MeterBinder}, an unbound instance from {@link #of} can be handed to a framework that
 * binds it (a Spring Boot {@code MeterBinder} bean). Each {@link #bindTo(MeterRegistry)} binds once more (to that
 * registry); {@link #close()} ends every binding and removes its meters. Two orchestrators bound to one registry
 * need a tag that tells them apart ({@code of(orchestrator, Tags.of("orchestrator", "edge-a"))}); otherwise their
 * counters add up and the first one's gauges win.
 *
 * <p>Thread-safe.
 */
public final class PlacementMetrics implements MeterBinder, AutoCloseable {
    private final PlacementOrchestrator orchestrator;
    private final Tags tags;
    private final List<OrchestratorBinding> bindings = new ArrayList<>();
    private boolean closed;

    private PlacementMetrics(PlacementOrchestrator orchestrator, Tags tags) {
        this.orchestrator = Objects.requireNonNull(orchestrator, "orchestrator");
        this.tags = tags;
    }

    /**
     * An unbound binder of an orchestrator's metrics.
     *
     * @param orchestrator the orchestrator; not null
     * @return the binder; nothing is registered until {@link #bindTo(MeterRegistry)}
     */
    public static PlacementMetrics of(PlacementOrchestrator orchestrator) {
        return of(orchestrator, Tags.empty());
    }

    /**
     * An unbound binder of an orchestrator's metrics, with tags added to each of its meters.
     *
     * @param orchestrator the orchestrator; not null
     * @param tags         tags for every meter, for example {@code Tags.of("orchestrator", "edge-a")}; not null
     * @return the binder; nothing is registered until {@link #bindTo(MeterRegistry)}
     */
    public static PlacementMetrics of(PlacementOrchestrator orchestrator, Iterable<Tag> tags) {
        return new PlacementMetrics(orchestrator, Tags.of(Objects.requireNonNull(tags, "tags")));
    }

    /**
     * Binds an orchestrator's metrics to a registry.
     *
     * @param orchestrator the orchestrator; not null
     * @param registry     where the meters go; not null
     * @return the binding: close it to stop measuring and remove the meters
     */
    public static PlacementMetrics bind(PlacementOrchestrator orchestrator, MeterRegistry registry) {
        PlacementMetrics metrics = of(orchestrator);
        metrics.bindTo(registry);
        return metrics;
    }

    /**
     * Registers the orchestrator's meters in a registry and starts updating them.
     *
     * @param registry where the meters go; not null
     * @throws IllegalStateException if this binder is closed
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            throw new IllegalStateException("these placement metrics are closed");
        }
        bindings.add(new OrchestratorBinding(orchestrator, registry, tags));
    }

    /** Stops every binding and removes its meters from its registry; calling it again does nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        bindings.forEach(OrchestratorBinding::close);
        bindings.clear();
    }
}
