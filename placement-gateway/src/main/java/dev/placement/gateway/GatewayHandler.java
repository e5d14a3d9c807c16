package dev.placement.gateway;

import dev.placement.core.orchestrator.OrchestratorHealth;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes the gateway's requests: {@code /health} and {@code /metrics} answered here (no key needed), the OpenAI
 * endpoints checked for a key and proxied ({@link ProxyExchange}), anything else 404. Never blocks a thread:
 * bodies are read and held requests wait asynchronously.
 */
final class GatewayHandler extends Handler.Abstract {
    private final GatewayContext g;
    private final List<ApiKey> clientKeys;
    private final PrometheusMeterRegistry registry;

    GatewayHandler(GatewayContext g, List<ApiKey> clientKeys, PrometheusMeterRegistry registry) {
        this.g = g;
        this.clientKeys = List.copyOf(clientKeys);
        this.registry = registry;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        switch (path == null ? "" : path) {
            case "/health" -> only(method, "GET", response, callback, () -> health(response, callback));
            case "/metrics" -> only(method, "GET", response, callback, () -> Http.write(response, callback, 200,
                    "text/plain; version=0.0.4; charset=utf-8", Http.utf8(registry.scrape())));
            case "/v1/completions" -> only(method, "POST", response, callback,
                    () -> proxy(request, response, callback, "completions"));
            case "/v1/chat/completions" -> only(method, "POST", response, callback,
                    () -> proxy(request, response, callback, "chat_completions"));
            case "/v1/models" -> only(method, "GET", response, callback,
                    () -> proxy(request, response, callback, "models"));
            default -> Http.error(response, callback, 404, "not_found", "no such endpoint: " + path);
        }
        return true;
    }

    private static void only(String method, String allowed, Response response, Callback callback, Runnable then) {
        if (allowed.equals(method)) {
            then.run();
        } else {
            response.getHeaders().put(HttpHeader.ALLOW, allowed);
            Http.error(response, callback, 405, "invalid_request_error", "use " + allowed);
        }
    }

    private void health(Response response, Callback callback) {
        OrchestratorHealth h = g.orchestrator().health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", h.status().name());
        body.putAll(h.details());
        Http.json(response, callback, h.status() == OrchestratorHealth.Status.DOWN ? 503 : 200, body);
    }

    private void proxy(Request request, Response response, Callback callback, String endpoint) {
        if (!authorized(request)) {
            g.meters().count(endpoint, GatewayMeters.Outcome.UNAUTHORIZED);
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            Http.error(response, callback, 401, "invalid_request_error", "a valid API key is required "
                    + "(Authorization: Bearer <key>)");
            return;
        }
        new ProxyExchange(g, request, response, callback, endpoint).start();
    }

    /** Every configured key is compared (no early exit), each in constant time. */
    private boolean authorized(Request request) {
        if (clientKeys.isEmpty()) {
            return true;
        }
        String presented = Http.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        boolean ok = false;
        for (ApiKey k : clientKeys) {
            ok |= k.matches(presented);
        }
        return ok;
    }
}
