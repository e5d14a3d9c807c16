package dev.placement.vllm.bench;

import java.net.URI;

/**
 * How a benchmark request reaches the server and its streamed answer comes back into its
 * {@link StreamingRequest}, which stamps every read as its bytes arrive.
 */
interface Transport {
    /**
     * Sends one streaming request without waiting for it; every outcome, failures included, reaches the
     * request, which records when it was sent ({@link StreamingRequest#sending}).
     *
     * @param uri    the endpoint
     * @param body   the JSON body
     * @param apiKey a bearer token, or {@code null}
     */
    void send(StreamingRequest request, URI uri, byte[] body, String apiKey);
}
