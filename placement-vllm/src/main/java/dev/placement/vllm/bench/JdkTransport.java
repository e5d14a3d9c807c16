package dev.placement.vllm.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/** Sends through the JDK's {@link HttpClient}: its selector thread reads every stream's bytes. */
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
        CompletableFuture<HttpResponse<Void>> exchange = client.sendAsync(built, request.bodyHandler());
        request.exchange(exchange);
        exchange.whenComplete((response, error) -> {
            if (error != null) {
                request.fail(error);
            }
        });
    }
}
