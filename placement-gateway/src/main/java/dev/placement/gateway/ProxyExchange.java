package dev.placement.gateway;

import dev.placement.api.RunningPipeline;
import dev.placement.core.orchestrator.RequestGate;
import dev.placement.core.orchestrator.RequestRejectedException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request, from its arrival to its last byte: read the body (bounded), wait at the gate without a
 * thread ({@link RequestGate#enterAsync}), send it to the pipeline the permit names once admitted (with several
 * replicas, the one the gate chose by least outstanding work weighted by capacity), stream the answer
 * back chunk by chunk as it arrives ({@link ChunkRelay}, which writes each upstream chunk before it reads the
 * next, so a slow client slows its own upstream stream and nothing is buffered whole), and close the
 * permit when the answer is complete or the client went away (then the upstream request is aborted, so the
 * server sees its stream closed).
 *
 * <p>A failure of the upstream before its first byte (no response headers: refused, reset, closed) is retried
 * once, only to another pipeline: the permit is closed (a reconfiguration waiting to drain may then go on), the
 * request enters the gate again with what is left of its hold timeout, asking for another replica than the one that
 * failed, and is sent again if the pipeline it gets is another one (by id: a replica that serves, or the one a
 * switch started); otherwise it is answered 502.
 *
 * <p>Every path ends in {@link #finish} exactly once, which closes the permit and completes Jetty's callback. An
 * error answer closes the permit before it is written, so a client that has read its 502 or 503 never finds the
 * gate still counting its request.
 */
final class ProxyExchange {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);
    private static final Invocable.InvocationType NON_BLOCKING = Invocable.InvocationType.NON_BLOCKING;

    private final GatewayContext g;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String endpoint;
    private final long arrivedNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile CompletableFuture<RequestGate.Permit> admission;
    private volatile RequestGate.Permit permit;
    private volatile org.eclipse.jetty.client.Request upstream;
    private volatile boolean upstreamBroken;
    private byte[] body;
    private String triedPipelineId;

    ProxyExchange(GatewayContext g, Request request, Response response, Callback callback, String endpoint) {
        this.g = g;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.endpoint = endpoint;
    }

    void start() {
        g.meters().started();
        request.addFailureListener(this::clientFailed);
        long declared = request.getLength();
        int max = g.settings().maxRequestBytes();
        if (declared > max) {
            answerError(413, "invalid_request_error", "the request body is larger than " + max + " bytes",
                    GatewayMeters.Outcome.BAD_REQUEST);
            return;
        }
        if ("GET".equals(request.getMethod())) {
            admit();
            return;
        }
        Content.Source.asByteArrayAsync(request, max).whenComplete((bytes, failure) -> {
            if (failure != null) {
                answerError(400, "invalid_request_error", "the request body could not be read (at most " + max
                        + " bytes)", GatewayMeters.Outcome.BAD_REQUEST);
            } else {
                body = bytes;
                admit();
            }
        });
    }

    private void admit() {
        Duration left = g.settings().holdTimeout().minusNanos(System.nanoTime() - arrivedNanos);
        long t0 = System.nanoTime();
        CompletableFuture<RequestGate.Permit> f = g.orchestrator().gate().enterAsync(
                left.isNegative() ? Duration.ZERO : left, g.timer(), triedPipelineId);
        admission = f;
        f.whenCompleteAsync((p, e) -> admitted(p, e, System.nanoTime() - t0), g.executor());
    }

    private void admitted(RequestGate.Permit p, Throwable failure, long waitedNanos) {
        g.meters().held(Duration.ofNanos(waitedNanos));
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (cause instanceof CancellationException) {
            return; // the client went away while waiting: already finished
        }
        if (cause instanceof RequestRejectedException rejected) {
            reject(rejected.getMessage());
            return;
        }
        if (cause != null) {
            finish(GatewayMeters.Outcome.UPSTREAM_FAILED, cause);
            return;
        }
        permit = p;
        if (finished.get()) {
            p.close();
            return;
        }
        RunningPipeline pipeline = p.pipeline().or(() -> g.orchestrator().running()).orElse(null);
        if (pipeline == null) {
            reject("no pipeline is running");
            return;
        }
        if (triedPipelineId != null) {
            if (pipeline.id().equals(triedPipelineId)) {
                answerError(502, "upstream_error", "the pipeline " + triedPipelineId + " failed before answering",
                        GatewayMeters.Outcome.UPSTREAM_FAILED);
                return;
            }
            g.meters().retried();
            LOG.debug("retrying {} on pipeline {} after {} failed", endpoint, pipeline.id(), triedPipelineId);
        }
        send(pipeline);
    }

    private void send(RunningPipeline pipeline) {
        boolean firstAttempt = triedPipelineId == null;
        triedPipelineId = pipeline.id();
        String base = pipeline.endpoint().toString();
        URI target = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + request.getHttpURI().getPathQuery());
        org.eclipse.jetty.client.Request r = g.client().newRequest(target).method(request.getMethod())
                .idleTimeout(g.settings().idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> {
                    Http.copyRequestHeaders(request.getHeaders(), h);
                    if (g.upstreamKey() != null) {
                        h.put(HttpHeader.AUTHORIZATION, "Bearer " + g.upstreamKey().secret());
                    } else if (g.forwardAuthorization() && request.getHeaders().contains(HttpHeader.AUTHORIZATION)) {
                        h.put(HttpHeader.AUTHORIZATION, request.getHeaders().get(HttpHeader.AUTHORIZATION));
                    }
                });
        if (body != null) {
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            r.body(new BytesRequestContent(type != null ? type : "application/json", body));
        }
        AtomicBoolean headersSeen = new AtomicBoolean();
        r.onResponseHeaders(resp -> {
            headersSeen.set(true);
            response.setStatus(resp.getStatus());
            Http.copyResponseHeaders(resp.getHeaders(), response.getHeaders());
            response.getHeaders().put(PlacementGateway.PIPELINE_HEADER, pipeline.id());
        });
        r.onResponseContentSource((resp, source) -> response.write(false, BufferUtil.EMPTY_BUFFER,
                Callback.from(NON_BLOCKING, () -> new ChunkRelay(source, response, Callback.from(NON_BLOCKING,
                        () -> finish(GatewayMeters.Outcome.OK, null), this::copyFailed)).iterate(), x -> {
                    source.fail(x);
                    copyFailed(x);
                })));
        upstream = r;
        r.send(result -> {
            if (!result.isFailed()) {
                return;
            }
            if (headersSeen.get()) {
                upstreamBroken = true;
                finish(GatewayMeters.Outcome.UPSTREAM_FAILED, result.getFailure());
            } else {
                failedBeforeFirstByte(result.getFailure(), firstAttempt);
            }
        });
        if (finished.get()) {
            r.abort(new CancellationException("the client went away"));
        }
    }

    private void failedBeforeFirstByte(Throwable failure, boolean firstAttempt) {
        if (finished.get()) {
            return;
        }
        LOG.debug("pipeline {} failed before answering {}: {}", triedPipelineId, endpoint, failure.toString());
        RequestGate.Permit p = permit;
        if (p != null) {
            p.close(); // a switch waiting for this request to drain may go on
        }
        if (firstAttempt) {
            admit();
        } else {
            answerError(502, "upstream_error", "the pipeline " + triedPipelineId + " failed before answering ("
                    + failure.getClass().getSimpleName() + ")", GatewayMeters.Outcome.UPSTREAM_FAILED);
        }
    }

    private void copyFailed(Throwable x) {
        org.eclipse.jetty.client.Request r = upstream;
        if (r != null) {
            r.abort(x);
        }
        finish(upstreamBroken ? GatewayMeters.Outcome.UPSTREAM_FAILED : GatewayMeters.Outcome.CLIENT_GONE, x);
    }

    /** Jetty saw the client's connection fail (closed, reset, idle): withdraw from the gate, abort upstream. */
    private void clientFailed(Throwable x) {
        CompletableFuture<RequestGate.Permit> f = admission;
        if (f != null) {
            f.cancel(false);
        }
        org.eclipse.jetty.client.Request r = upstream;
        if (r != null) {
            r.abort(x);
        }
        finish(GatewayMeters.Outcome.CLIENT_GONE, x);
    }

    private void reject(String why) {
        long seconds = Math.max(1, (long) Math.ceil(g.retryAfter().toMillis() / 1000.0));
        response.getHeaders().put(HttpHeader.RETRY_AFTER, seconds);
        answerError(503, "service_unavailable", why, GatewayMeters.Outcome.REJECTED);
    }

    private void answerError(int status, String type, String message, GatewayMeters.Outcome outcome) {
        if (finished.get()) {
            return;
        }
        RequestGate.Permit p = permit;
        if (p != null) {
            p.close(); // the pipeline is done with: release it before the client can see the answer
        }
        Http.error(response, Callback.from(() -> finish(outcome, null),
                x -> finish(GatewayMeters.Outcome.CLIENT_GONE, x)), status, type, message);
    }

    private void finish(GatewayMeters.Outcome outcome, Throwable failure) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        RequestGate.Permit p = permit;
        if (p != null) {
            p.close();
        }
        g.meters().finished(endpoint, outcome);
        if (failure == null) {
            callback.succeeded();
        } else {
            callback.failed(failure);
        }
    }
}
