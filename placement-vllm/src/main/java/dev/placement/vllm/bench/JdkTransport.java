package dev.placement.vllm.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends through the JDK's {@link HttpClient}: its selector thread reads every stream's bytes. A request that
 * fails with an I/O error before any byte of an answer (the client reused a kept connection the server had just
 * closed, which the JDK client does not retry for a POST) is sent once more, as the other transports do.
 */
final class JdkTransport implements Transport {
    private final HttpClient client;

    JdkTransport(HttpClient client) {
        this.client = client;
    }

    @Override
    public void send(StreamingRequest request, URI uri, byte[] body, String apiKey) {
        HttpRequest.Builder http = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) {
            http.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest built = http.build();
        request.sending(System.nanoTime());
        exchange(request, built, true);
    }

    private void exchange(StreamingRequest request, HttpRequest built, boolean mayRetry) {
        AtomicBoolean answered = new AtomicBoolean();
        CompletableFuture<HttpResponse<Void>> exchange = client.sendAsync(built, info -> {
            answered.set(true);
            return request.bodyHandler().apply(info);
        });
        request.exchange(exchange);
        exchange.whenComplete((response, error) -> {
            if (error == null) {
                return;
            }
            Throwable cause = FailureDetail.unwrap(error);
            if (mayRetry && !answered.get() && cause instanceof IOException && !(cause instanceof ConnectException)
                    && !(cause instanceof HttpTimeoutException)) {
                exchange(request, built, false);
            } else {
                request.fail(error);
            }
        });
    }
}
