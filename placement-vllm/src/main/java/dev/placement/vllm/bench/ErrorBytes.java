package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Collects the start of a non-200 answer's body as a transport's own parser reads it, to explain the request's
 * failure with the server's words (as {@link ErrorBody} does for the JDK client). Not thread-safe.
 */
final class ErrorBytes implements ChunkedBody.Sink {
    private final byte[] bytes = new byte[ErrorBody.MAX_ERROR_BODY_BYTES];
    private int length;

    /** Forgets what was collected, for the next answer on the same connection. */
    void clear() {
        length = 0;
    }

    @Override
    public void data(byte[] from, int offset, int n, long nanos) {
        int take = Math.min(n, bytes.length - length);
        System.arraycopy(from, offset, bytes, length, take);
        length += take;
    }

    /** Fails the request with the status and what the server said about it. */
    void fail(StreamingRequest request, int status, ObjectMapper json) {
        request.fail(FailureKind.HTTP_STATUS, "HTTP " + status + ErrorBody.explanation(bytes, length, json));
    }
}
