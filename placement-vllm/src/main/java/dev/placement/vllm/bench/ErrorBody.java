package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Collects the start of a non-200 response's body to explain the request's failure with the server's words. */
final class ErrorBody extends RequestBody {
    static final int MAX_ERROR_BODY_BYTES = 4096;

    private final int status;
    private final ObjectMapper json;
    private final byte[] bytes = new byte[MAX_ERROR_BODY_BYTES];
    private int length;

    ErrorBody(StreamingRequest request, int status, ObjectMapper json) {
        super(request);
        this.status = status;
        this.json = json;
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            int n = Math.min(buffer.remaining(), bytes.length - length);
            buffer.get(bytes, length, n);
            length += n;
        }
    }

    @Override
    public void onError(Throwable error) {
        request.fail(FailureKind.HTTP_STATUS, "HTTP " + status);
        body.complete(null);
    }

    @Override
    public void onComplete() {
        request.fail(FailureKind.HTTP_STATUS, "HTTP " + status + explanation(bytes, length, json));
        body.complete(null);
    }

    /** @return ": " and the server's explanation in the start of an error body, or "" for an empty one */
    static String explanation(byte[] bytes, int length, ObjectMapper json) {
        if (length == 0) {
            return "";
        }
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        try {
            JsonNode node = json.readTree(text);
            String message = node == null ? null : FailureDetail.vllmError(node);
            if (message == null && node != null && node.has("detail")) {
                message = node.get("detail").asText(node.get("detail").toString());
            }
            if (message != null) {
                return ": " + FailureDetail.oneLine(message);
            }
        } catch (IOException notJson) {
            // Fall through to the raw text: a proxy's HTML page or a plain-text error.
        }
        return ": " + FailureDetail.oneLine(text);
    }
}
