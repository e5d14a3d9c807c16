package dev.placement.gateway;

import dev.placement.core.orchestrator.PlacementOrchestrator;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.client.HttpClient;

/**
 * What every exchange of one gateway shares.
 *
 * @param orchestrator         whose gate requests enter and whose running pipeline they go to
 * @param settings             the gateway's settings
 * @param client               the upstream client
 * @param timer                times out requests held at the gate
 * @param executor             where work continues once a held request is admitted (the server's thread pool)
 * @param meters               the gateway's meters
 * @param upstreamKey          the key sent upstream, or null
 * @param forwardAuthorization whether the client's {@code Authorization} goes upstream (when no upstream key)
 */
record GatewayContext(PlacementOrchestrator orchestrator, GatewaySettings settings, HttpClient client,
        ScheduledExecutorService timer, Executor executor, GatewayMeters meters, ApiKey upstreamKey,
        boolean forwardAuthorization) {

    /** @return what {@code Retry-After} says: the setting, or the orchestrator's expected restart time */
    Duration retryAfter() {
        return settings.retryAfter() != null ? settings.retryAfter() : orchestrator.expectedRestartTime();
    }
}
