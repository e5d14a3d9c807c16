package dev.placement.gateway;

import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.micrometer.PlacementMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stable OpenAI-compatible endpoint in front of the pipeline a {@link PlacementOrchestrator} runs, which holds
 * requests while the pipeline is being reconfigured instead of letting them fail.
 *
 * <pre>{@code
 * try (PlacementGateway gateway = PlacementGateway.builder().orchestrator(orchestrator).port(8080)
 *         .holdTimeout(Duration.ofMinutes(3)).apiKeys(ApiKey.of(System.getenv("GATEWAY_KEY"))).build()) {
 *     gateway.start();
 *     orchestrator.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>It serves {@code POST /v1/completions}, {@code POST /v1/chat/completions} and {@code GET /v1/models}, proxied
 * to the running pipeline with server-sent events streamed through chunk by chunk; {@code GET /health} (the
 * orchestrator's {@link PlacementOrchestrator#health() health} as JSON: 200 while UP or DEGRADED, 503 while DOWN)
 * and {@code GET /metrics} (Prometheus text: the gateway's {@code placement.gateway.*} meters and, unless told
 * otherwise, the orchestrator's, from {@code placement-micrometer}). Every proxied request enters the orchestrator's
 * {@link dev.placement.core.orchestrator.RequestGate gate} and holds its permit until its answer is complete or its
 * client went away: while a reconfiguration runs, new requests wait without holding a thread (up to the
 * {@linkplain GatewaySettings#holdTimeout() hold timeout}, then 503 with {@code Retry-After}), those in flight
 * drain, and the held ones go to the new pipeline, read once they are admitted. A client that goes away aborts
 * its upstream request. A failure before the pipeline's first byte is retried once, only if a switch happened in
 * between (another pipeline id). Each answer carries the pipeline that served it in {@value #PIPELINE_HEADER}.
 *
 * <p>Keys: with {@linkplain PlacementGatewayBuilder#apiKeys(List) API keys}, the {@code /v1} endpoints need
 * {@code Authorization: Bearer <key>} (else 401); the client's header is never forwarded upstream unless
 * {@linkplain PlacementGatewayBuilder#forwardClientAuthorization(boolean) told to}; an
 * {@linkplain PlacementGatewayBuilder#upstreamApiKey(ApiKey) upstream key} replaces it. {@code /health} and
 * {@code /metrics} need no key. No key is ever logged.
 *
 * <p>Built on Jetty 12 (core handlers, no servlets; see {@code docs/GATEWAY.md}). Thread-safe.
 */
public final class PlacementGateway implements AutoCloseable {
    /** The response header that names the pipeline (its launcher's id) that served a request. */
    public static final String PIPELINE_HEADER = "X-Placement-Pipeline";
    private static final Logger LOG = LoggerFactory.getLogger(PlacementGateway.class);

    private final PlacementOrchestrator orchestrator;
    private final GatewaySettings settings;
    private final List<ApiKey> clientKeys;
    private final ApiKey upstreamKey;
    private final boolean forwardAuthorization;
    private final PrometheusMeterRegistry registry;
    private final boolean bindOrchestratorMetrics;
    private Server server;
    private ServerConnector connector;
    private HttpClient client;
    private ScheduledExecutorService timer;
    private GatewayMeters meters;
    private PlacementMetrics orchestratorMetrics;
    private boolean started;
    private boolean closed;

    PlacementGateway(PlacementGatewayBuilder b) {
        this.orchestrator = b.orchestrator;
        this.settings = new GatewaySettings(b.bindAddress, b.port, b.holdTimeout, b.retryAfter, b.shutdownTimeout,
                b.idleTimeout, b.maxRequestBytes, b.maxUpstreamConnections);
        this.clientKeys = List.copyOf(b.clientKeys);
        this.upstreamKey = b.upstreamKey;
        this.forwardAuthorization = b.forwardAuthorization;
        this.registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.bindOrchestratorMetrics = b.bindOrchestratorMetrics;
    }

    /**
     * Starts configuring a gateway; only the orchestrator is required.
     *
     * @return a new builder
     */
    public static PlacementGatewayBuilder builder() {
        return new PlacementGatewayBuilder();
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IllegalStateException if already started or closed, or Jetty cannot start
     * @throws UncheckedIOException  if the address or port cannot be bound
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "the gateway is closed" : "the gateway is already started");
        }
        started = true;
        meters = new GatewayMeters(registry);
        if (bindOrchestratorMetrics) {
            orchestratorMetrics = PlacementMetrics.bind(orchestrator, registry);
        }
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "placement-gateway-hold");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true); // an admitted request's timeout leaves the queue at once
        timer = t;
        QueuedThreadPool serverThreads = new QueuedThreadPool(200, 4);
        serverThreads.setName("placement-gateway");
        QueuedThreadPool clientThreads = new QueuedThreadPool(200, 4);
        clientThreads.setName("placement-gateway-upstream");
        client = new HttpClient();
        // The upstream's listeners never block (headers are copied, chunks are written asynchronously), so the
        // selector thread that reads a chunk also writes it to the client, with no hand-off to a pool thread.
        client.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        client.setExecutor(clientThreads);
        client.setMaxConnectionsPerDestination(settings.maxUpstreamConnections());
        client.setMaxRequestsQueuedPerDestination(65536);
        client.setIdleTimeout(settings.idleTimeout().toMillis());
        client.setConnectTimeout(5000);
        client.setFollowRedirects(false);
        client.setUserAgentField(null);          // the client's own User-Agent is forwarded
        client.getContentDecoderFactories().clear(); // bytes pass through as the pipeline encoded them
        server = new Server(serverThreads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.bindAddress());
        connector.setPort(settings.port());
        connector.setIdleTimeout(settings.idleTimeout().toMillis());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        GatewayContext context = new GatewayContext(orchestrator, settings, client, timer, serverThreads, meters,
                upstreamKey, forwardAuthorization);
        server.setHandler(new GracefulHandler(new GatewayHandler(context, clientKeys, registry)));
        server.setStopTimeout(settings.shutdownTimeout().toMillis());
        try {
            client.start();
            server.start();
        } catch (IOException e) {
            closeQuietly();
            throw new UncheckedIOException("cannot listen on " + settings.bindAddress() + ":" + settings.port(), e);
        } catch (Exception e) {
            closeQuietly();
            throw new IllegalStateException("cannot start the gateway: " + e, e);
        }
        LOG.info("gateway listening on {}", baseUri());
    }

    /**
     * The port it listens on.
     *
     * @return the bound port (the chosen one when the settings said 0)
     * @throws IllegalStateException if not started
     */
    public synchronized int port() {
        if (connector == null || !started) {
            throw new IllegalStateException("the gateway is not started");
        }
        return connector.getLocalPort();
    }

    /**
     * Where clients send requests.
     *
     * @return {@code http://<bind address>:<port>}, for example {@code http://127.0.0.1:8080}
     * @throws IllegalStateException if not started
     */
    public synchronized URI baseUri() {
        String host = settings.bindAddress().contains(":") ? "[" + settings.bindAddress() + "]"
                : settings.bindAddress();
        return URI.create("http://" + host + ":" + port());
    }

    /**
     * What it was configured with.
     *
     * @return the settings it runs with
     */
    public GatewaySettings settings() {
        return settings;
    }

    /**
     * Where its meters are, for an application that shows them elsewhere too.
     *
     * @return the registry {@code /metrics} shows: the one given to the builder, or the gateway's own
     */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Stops gracefully: stops accepting connections, lets requests in flight (and those held at the gate) finish
     * for up to the {@linkplain GatewaySettings#shutdownTimeout() shutdown timeout}, then closes what is left and
     * removes its meters. Does not close the orchestrator. Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly();
    }

    private void closeQuietly() {
        stop(server, "server");
        stop(client, "upstream client");
        if (timer != null) {
            timer.shutdownNow();
        }
        if (orchestratorMetrics != null) {
            orchestratorMetrics.close();
        }
        if (meters != null) {
            meters.close();
        }
    }

    private static void stop(org.eclipse.jetty.util.component.LifeCycle c, String what) {
        if (c == null) {
            return;
        }
        try {
            c.stop();
        } catch (Exception e) {
            LOG.warn("stopping the gateway's {} failed: {}", what, e.toString());
        }
    }
}
