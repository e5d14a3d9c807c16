package dev.placement.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's own meters: {@code placement.gateway.requests} (counter, tags {@code endpoint} and
 * {@code outcome}), {@code placement.gateway.hold} (timer: how long proxied requests waited at the gate),
 * {@code placement.gateway.retries} (counter: requests sent again to a new pipeline) and
 * {@code placement.gateway.requests.active} (gauge: requests being handled). Thread-safe.
 */
final class GatewayMeters implements AutoCloseable {
    /** How a request ended, the {@code outcome} tag. */
    enum Outcome {
        OK, CLIENT_GONE, REJECTED, UNAUTHORIZED, BAD_REQUEST, UPSTREAM_FAILED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final String REQUESTS = "placement.gateway.requests";
    static final String HOLD = "placement.gateway.hold";
    static final String RETRIES = "placement.gateway.retries";
    static final String ACTIVE = "placement.gateway.requests.active";

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final Timer hold;
    private final Counter retries;
    private final List<Meter> registered = new ArrayList<>();
    /** The request counters by endpoint and outcome, so that counting a request does not look it up again. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    GatewayMeters(MeterRegistry registry) {
        this.registry = registry;
        this.hold = Timer.builder(HOLD).description("time proxied requests waited at the orchestrator's gate")
                .register(registry);
        this.retries = Counter.builder(RETRIES).description("requests sent again to a new pipeline")
                .register(registry);
        registered.add(hold);
        registered.add(retries);
        registered.add(Gauge.builder(ACTIVE, active, AtomicInteger::get)
                .description("requests the gateway is handling now").register(registry));
    }

    void started() {
        active.incrementAndGet();
    }

    void finished(String endpoint, Outcome outcome) {
        active.decrementAndGet();
        count(endpoint, outcome);
    }

    /** Counts a request answered without being handled as active (unauthorized, unknown path). */
    void count(String endpoint, Outcome outcome) {
        counters.computeIfAbsent(endpoint + ' ' + outcome.tag(), key -> {
            Counter c = Counter.builder(REQUESTS).description("requests by endpoint and outcome")
                    .tag("endpoint", endpoint).tag("outcome", outcome.tag()).register(registry);
            synchronized (registered) {
                registered.add(c);
            }
            return c;
        }).increment();
    }

    void held(Duration waited) {
        hold.record(waited);
    }

    void retried() {
        retries.increment();
    }

    /** Removes the meters from the registry. */
    @Override
    public void close() {
        synchronized (registered) {
            registered.forEach(registry::remove);
            registered.clear();
            counters.clear();
        }
    }
}
