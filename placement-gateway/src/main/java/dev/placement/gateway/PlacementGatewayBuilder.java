package dev.placement.gateway;

import dev.placement.core.orchestrator.PlacementOrchestrator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configures a {@link PlacementGateway}; the defaults are {@link GatewaySettings#defaults()}'s. Not thread-safe.
 */
public final class PlacementGatewayBuilder {
    private final GatewaySettings d = GatewaySettings.defaults();
    PlacementOrchestrator orchestrator;
    String bindAddress = d.bindAddress();
    int port = d.port();
    Duration holdTimeout = d.holdTimeout();
    Duration retryAfter = d.retryAfter();
    Duration shutdownTimeout = d.shutdownTimeout();
    Duration idleTimeout = d.idleTimeout();
    int maxRequestBytes = d.maxRequestBytes();
    int maxUpstreamConnections = d.maxUpstreamConnections();
    final List<ApiKey> clientKeys = new ArrayList<>();
    ApiKey upstreamKey;
    boolean forwardAuthorization;
    PrometheusMeterRegistry registry;
    boolean bindOrchestratorMetrics = true;

    PlacementGatewayBuilder() {
    }

    /**
     * Sets the orchestrator whose gate and pipeline the gateway fronts. Required.
     *
     * @param orchestrator the orchestrator; not null
     * @return this builder
     */
    public PlacementGatewayBuilder orchestrator(PlacementOrchestrator orchestrator) {
        this.orchestrator = Objects.requireNonNull(orchestrator, "orchestrator");
        return this;
    }

    /**
     * @param address the address to listen on; default {@code 127.0.0.1}
     * @return this builder
     */
    public PlacementGatewayBuilder bindAddress(String address) {
        this.bindAddress = address;
        return this;
    }

    /**
     * @param port the port, 0 to 65535; default 0, a free one
     * @return this builder
     */
    public PlacementGatewayBuilder port(int port) {
        this.port = port;
        return this;
    }

    /**
     * @param timeout how long a request may wait at the paused gate before 503; &ge; 0; default 120 s
     * @return this builder
     */
    public PlacementGatewayBuilder holdTimeout(Duration timeout) {
        this.holdTimeout = timeout;
        return this;
    }

    /**
     * @param retryAfter what a 503's {@code Retry-After} says (whole seconds, rounded up); positive, or null
     *                   (the default) for the orchestrator's expected restart time
     * @return this builder
     */
    public PlacementGatewayBuilder retryAfter(Duration retryAfter) {
        this.retryAfter = retryAfter;
        return this;
    }

    /**
     * @param timeout how long {@link PlacementGateway#close()} lets requests finish; &ge; 0; default 30 s
     * @return this builder
     */
    public PlacementGatewayBuilder shutdownTimeout(Duration timeout) {
        this.shutdownTimeout = timeout;
        return this;
    }

    /**
     * @param timeout how long a connection may stay silent; longer than the hold timeout; default 10 min
     * @return this builder
     */
    public PlacementGatewayBuilder idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return this;
    }

    /**
     * @param bytes the largest request body accepted, 1 to 1 GiB; default 16 MiB
     * @return this builder
     */
    public PlacementGatewayBuilder maxRequestBytes(int bytes) {
        this.maxRequestBytes = bytes;
        return this;
    }

    /**
     * @param connections connections to the pipeline at most, 1 to 65536; default 4096
     * @return this builder
     */
    public PlacementGatewayBuilder maxUpstreamConnections(int connections) {
        this.maxUpstreamConnections = connections;
        return this;
    }

    /**
     * Requires one of these keys on the {@code /v1} endpoints; none (the default) lets every client in.
     *
     * @param keys the accepted keys; not null, no null element
     * @return this builder
     */
    public PlacementGatewayBuilder apiKeys(List<ApiKey> keys) {
        keys.forEach(k -> Objects.requireNonNull(k, "apiKeys must not contain null"));
        clientKeys.clear();
        clientKeys.addAll(keys);
        return this;
    }

    /**
     * The same as {@link #apiKeys(List)}.
     *
     * @param keys the accepted keys
     * @return this builder
     */
    public PlacementGatewayBuilder apiKeys(ApiKey... keys) {
        return apiKeys(List.of(keys));
    }

    /**
     * @param key the key sent upstream as {@code Authorization: Bearer <key>}, or null (the default) for none
     * @return this builder
     */
    public PlacementGatewayBuilder upstreamApiKey(ApiKey key) {
        this.upstreamKey = key;
        return this;
    }

    /**
     * @param forward whether a client's {@code Authorization} header goes upstream as it is; default false
     *                (never); not together with an upstream key
     * @return this builder
     */
    public PlacementGatewayBuilder forwardClientAuthorization(boolean forward) {
        this.forwardAuthorization = forward;
        return this;
    }

    /**
     * @param registry the registry {@code /metrics} shows and the gateway's meters go to; null (the default)
     *                 for a registry of the gateway's own
     * @return this builder
     */
    public PlacementGatewayBuilder meterRegistry(PrometheusMeterRegistry registry) {
        this.registry = registry;
        return this;
    }

    /**
     * @param bind whether the gateway binds the orchestrator's meters ({@code PlacementMetrics.bind}) to its
     *             registry while it runs; default true; false if they are bound to that registry already
     * @return this builder
     */
    public PlacementGatewayBuilder bindOrchestratorMetrics(boolean bind) {
        this.bindOrchestratorMetrics = bind;
        return this;
    }

    /**
     * Validates and builds; nothing listens until {@link PlacementGateway#start()}.
     *
     * @return the gateway
     * @throws NullPointerException     if no orchestrator was given
     * @throws IllegalArgumentException if a setting is out of range (see {@link GatewaySettings})
     * @throws IllegalStateException    if both an upstream key and forwarding the client's were asked for
     */
    public PlacementGateway build() {
        Objects.requireNonNull(orchestrator, "orchestrator is required");
        if (upstreamKey != null && forwardAuthorization) {
            throw new IllegalStateException("choose an upstream key or forwarding the client's, not both");
        }
        return new PlacementGateway(this);
    }
}
