package dev.placement.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link PlacementGateway} listens and holds requests. Validated on construction;
 * {@link PlacementGatewayBuilder} fills in the defaults ({@link #defaults()}).
 *
 * @param bindAddress            the address to listen on, an IP literal or a host name, for example
 *                               {@code 127.0.0.1} (the default; {@code 0.0.0.0} for every interface)
 * @param port                   the port, 0 to 65535; 0 (the default) picks a free one
 *                               ({@link PlacementGateway#port()})
 * @param holdTimeout            how long a request may wait at the orchestrator's gate while the pipeline is being
 *                               reconfigured (or is down) before it is answered 503 with {@code Retry-After}; &ge; 0;
 *                               default 120 s
 * @param retryAfter             what {@code Retry-After} says then, rounded up to whole seconds (at least 1); null
 *                               (the default) for the orchestrator's expected restart time at that moment
 * @param shutdownTimeout        how long {@link PlacementGateway#close()} lets requests in flight finish; &ge; 0;
 *                               default 30 s
 * @param idleTimeout            how long a client or upstream connection may stay silent (a held request, a slow
 *                               first token) before it is closed; greater than the hold timeout; default 10 min
 * @param maxRequestBytes        the largest request body accepted (larger ones get 413); 1 to 1 GiB; default 16 MiB
 * @param maxUpstreamConnections connections to the pipeline at most (one per stream in flight); 1 to 65536;
 *                               default 4096
 */
public record GatewaySettings(String bindAddress, int port, Duration holdTimeout, Duration retryAfter,
        Duration shutdownTimeout, Duration idleTimeout, int maxRequestBytes, int maxUpstreamConnections) {

    /**
     * Validates every field.
     *
     * @param bindAddress            the address to listen on; not blank
     * @param port                   0 to 65535
     * @param holdTimeout            &ge; 0
     * @param retryAfter             positive, or null for the orchestrator's expected restart time
     * @param shutdownTimeout        &ge; 0
     * @param idleTimeout            greater than the hold timeout
     * @param maxRequestBytes        1 to 1 GiB
     * @param maxUpstreamConnections 1 to 65536
     * @throws IllegalArgumentException naming the field and value if one is out of range
     * @throws NullPointerException     if a required field is null
     */
    public GatewaySettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isBlank() || bindAddress.chars().anyMatch(c -> c <= ' ' || c == '/')) {
            throw new IllegalArgumentException("bindAddress must be an address or host name, was '" + bindAddress
                    + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        }
        notNegative(holdTimeout, "holdTimeout");
        if (retryAfter != null && (retryAfter.isNegative() || retryAfter.isZero())) {
            throw new IllegalArgumentException("retryAfter must be positive (or null), was " + retryAfter);
        }
        notNegative(shutdownTimeout, "shutdownTimeout");
        notNegative(idleTimeout, "idleTimeout");
        if (idleTimeout.compareTo(holdTimeout) <= 0) {
            throw new IllegalArgumentException("idleTimeout (" + idleTimeout + ") must be longer than holdTimeout ("
                    + holdTimeout + "): a held request's connection would be closed while it waits");
        }
        if (maxRequestBytes < 1 || maxRequestBytes > (1 << 30)) {
            throw new IllegalArgumentException("maxRequestBytes must be 1 to 1 GiB, was " + maxRequestBytes);
        }
        if (maxUpstreamConnections < 1 || maxUpstreamConnections > 65536) {
            throw new IllegalArgumentException("maxUpstreamConnections must be 1 to 65536, was "
                    + maxUpstreamConnections);
        }
    }

    /** @return 127.0.0.1, a free port, 120 s hold, Retry-After from the orchestrator, 30 s shutdown, 10 min idle,
     *          16 MiB requests, 4096 upstream connections */
    public static GatewaySettings defaults() {
        return new GatewaySettings("127.0.0.1", 0, Duration.ofSeconds(120), null, Duration.ofSeconds(30),
                Duration.ofMinutes(10), 16 << 20, 4096);
    }

    private static void notNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
    }
}
