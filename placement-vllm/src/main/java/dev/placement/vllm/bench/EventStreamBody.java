package dev.placement.vllm.bench;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Streams a 200 response's body into its request, stamping every delivery with {@link System#nanoTime()} the
 * moment it arrives, before any parsing.
 */
final class EventStreamBody extends RequestBody {

    EventStreamBody(StreamingRequest request) {
        super(request);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        request.delivered(buffers, System.nanoTime());
    }

    @Override
    public void onError(Throwable error) {
        request.fail(error);
        body.complete(null);
    }

    @Override
    public void onComplete() {
        request.ended(System.nanoTime(), true); // the JDK client reports a cut-off body to onError
        body.complete(null);
    }
}
