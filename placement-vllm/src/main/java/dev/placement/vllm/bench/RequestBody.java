package dev.placement.vllm.bench;

import java.net.http.HttpResponse.BodySubscriber;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body subscriber of one {@link StreamingRequest}: takes everything at once, and can be aborted
 * through the request, also before it has subscribed.
 */
abstract class RequestBody implements BodySubscriber<Void> {
    final StreamingRequest request;
    final CompletableFuture<Void> body = new CompletableFuture<>();

    RequestBody(StreamingRequest request) {
        this.request = request;
    }

    @Override
    public CompletionStage<Void> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (request.subscribed(s)) {
            s.request(Long.MAX_VALUE);
        } else {
            s.cancel();
        }
    }
}
