package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;

/**
 * One streaming request in flight: parses the server-sent events as the bytes arrive and times every chunk
 * with {@link System#nanoTime()} taken when its bytes were delivered, before any parsing.
 *
 * <p>Thread-safety: the HTTP client delivers body bytes serially, but a timeout or a cancellation can fail the
 * request from another thread at any moment, so every state change holds this object's lock (never while
 * calling into the HTTP client). The first outcome wins; later ones are ignored.
 */
final class StreamingRequest {
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ERROR_BODY_BYTES = 4096;

    private final int index;
    private final int inputTokensEstimate;
    private final long runStartNanos;
    private final ObjectMapper json;
    private final CompletableFuture<RequestRecord> outcome = new CompletableFuture<>();

    private long sentNanos;
    private boolean finished;
    private Future<?> exchange;
    private Flow.Subscription subscription;

    private long ttftNanos;
    private long lastChunkNanos;
    private long[] itls = new long[64];
    private int itlCount;
    private int outputChunks;
    private int completionTokens = -1;
    private int promptTokens = -1;

    private byte[] line = new byte[1024];
    private int lineLength;
    private byte[] event = new byte[1024];
    private int eventLength;
    private long eventNanos;

    StreamingRequest(int index, int inputTokensEstimate, long runStartNanos, ObjectMapper json) {
        this.index = index;
        this.inputTokensEstimate = inputTokensEstimate;
        this.runStartNanos = runStartNanos;
        this.json = json;
    }

    /** @return completes once with the request's record, success or failure; never exceptionally */
    CompletableFuture<RequestRecord> outcome() {
        return outcome;
    }

    /** Records the moment the request is handed to the HTTP client; call just before sending. */
    synchronized void sending(long nanos) {
        sentNanos = nanos;
    }

    /** Keeps the exchange so that a timeout can abort it before the response headers arrive. */
    void exchange(Future<?> future) {
        synchronized (this) {
            if (!finished) {
                exchange = future;
                return;
            }
        }
        future.cancel(true);
    }

    /** @return a body handler that streams a 200 response into this request and turns any other into a failure */
    HttpResponse.BodyHandler<Void> bodyHandler() {
        return info -> info.statusCode() == 200 ? new EventStream() : new ErrorBody(info.statusCode());
    }

    /**
     * Fails the request unless it already finished, and aborts its exchange.
     *
     * @param kind   why
     * @param detail one line for a person
     */
    void fail(FailureKind kind, String detail) {
        RequestRecord record;
        Flow.Subscription body;
        Future<?> pending;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            body = subscription;
            pending = exchange;
            record = new RequestRecord(index, Math.max(0, sentNanos - runStartNanos), ttftNanos,
                    outputChunks == 0 ? 0 : lastChunkNanos - sentNanos, itlList(),
                    promptTokens >= 0 ? promptTokens : inputTokensEstimate, 0, kind, detail);
        }
        // Abort outside the lock: the HTTP client may call back into this request, or wait for its own
        // thread, which may be waiting for this lock in onNext.
        if (body != null) {
            body.cancel();
        }
        if (pending != null) {
            pending.cancel(true);
        }
        outcome.complete(record);
    }

    /** Fails the request with the reason an exception from the HTTP client stands for. */
    void fail(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
            fail(FailureKind.CONNECTION, describe(cause));
        } else if (cause instanceof HttpTimeoutException) {
            fail(FailureKind.TIMEOUT, describe(cause));
        } else {
            fail(FailureKind.CONNECTION, describe(cause));
        }
    }

    /** @return how many output chunks have arrived so far */
    synchronized int outputChunks() {
        return outputChunks;
    }

    private void succeed() {
        RequestRecord record;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            record = new RequestRecord(index, Math.max(0, sentNanos - runStartNanos), ttftNanos,
                    lastChunkNanos - sentNanos, itlList(),
                    promptTokens >= 0 ? promptTokens : inputTokensEstimate,
                    completionTokens >= 0 ? completionTokens : outputChunks, null, "");
        }
        outcome.complete(record);
    }

    private List<Long> itlList() {
        List<Long> list = new ArrayList<>(itlCount);
        for (int i = 0; i < itlCount; i++) {
            list.add(itls[i]);
        }
        return list;
    }

    // --- server-sent events, parsed byte by byte so that nothing waits for the end of the body ---

    private void accept(ByteBuffer buffer, long arrivalNanos) {
        while (buffer.hasRemaining() && !finished) {
            byte b = buffer.get();
            if (b == '\n') {
                endOfLine(arrivalNanos);
            } else {
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLength++] = b;
            }
        }
    }

    private void endOfLine(long arrivalNanos) {
        int length = lineLength;
        lineLength = 0;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        if (length == 0) {
            dispatchEvent();
        } else if (startsWith(line, length, "data:")) {
            int from = length > 5 && line[5] == ' ' ? 6 : 5;
            if (eventLength == 0) {
                eventNanos = arrivalNanos;
            } else {
                appendEvent(new byte[] {'\n'}, 0, 1);
            }
            appendEvent(line, from, length - from);
        }
        // Comments (":" lines, often keep-alive pings) and the fields event:, id:, retry: carry no output.
    }

    private void appendEvent(byte[] bytes, int from, int length) {
        if (eventLength + length > event.length) {
            event = Arrays.copyOf(event, Math.max(event.length * 2, eventLength + length));
        }
        System.arraycopy(bytes, from, event, eventLength, length);
        eventLength += length;
    }

    private void dispatchEvent() {
        int length = eventLength;
        eventLength = 0;
        if (length == 0) {
            return;
        }
        if (length == DONE.length && Arrays.equals(event, 0, length, DONE, 0, DONE.length)) {
            if (outputChunks == 0) {
                fail(FailureKind.NO_OUTPUT, "the stream reached [DONE] without any chunk with output");
            } else {
                succeed();
            }
            return;
        }
        JsonNode chunk;
        try {
            chunk = json.readTree(event, 0, length);
        } catch (IOException e) {
            fail(FailureKind.MALFORMED_CHUNK, "chunk " + (outputChunks + 1) + " is not JSON: "
                    + oneLine(new String(event, 0, Math.min(length, 120), StandardCharsets.UTF_8)));
            return;
        }
        if (chunk == null || !chunk.isObject()) {
            fail(FailureKind.MALFORMED_CHUNK, "chunk " + (outputChunks + 1) + " is not a JSON object");
            return;
        }
        String error = errorMessage(chunk);
        if (error != null) {
            fail(FailureKind.ERROR_EVENT, "error event after " + outputChunks + " output chunks: " + error);
            return;
        }
        JsonNode choices = chunk.get("choices");
        if (choices != null && choices.isArray() && !choices.isEmpty()) {
            if (outputChunks == 0) {
                ttftNanos = eventNanos - sentNanos;
            } else {
                if (itlCount == itls.length) {
                    itls = Arrays.copyOf(itls, itls.length * 2);
                }
                itls[itlCount++] = eventNanos - lastChunkNanos;
            }
            lastChunkNanos = eventNanos;
            outputChunks++;
        }
        JsonNode usage = chunk.get("usage");
        if (usage != null && usage.isObject()) {
            JsonNode completion = usage.get("completion_tokens");
            if (completion != null && completion.canConvertToInt() && completion.asInt() >= 0) {
                completionTokens = completion.asInt();
            }
            JsonNode prompt = usage.get("prompt_tokens");
            if (prompt != null && prompt.canConvertToInt() && prompt.asInt() >= 0) {
                promptTokens = prompt.asInt();
            }
        }
    }

    /** vLLM streams errors as {@code {"error": {...}}} (newer) or {@code {"object": "error", ...}} (older). */
    private static String errorMessage(JsonNode chunk) {
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            if (error.isObject()) {
                return error.path("message").asText(error.toString());
            }
            return error.asText();
        }
        if ("error".equals(chunk.path("object").asText())) {
            return chunk.path("message").asText(chunk.toString());
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String name = cause.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            // The JDK client reports a refused connection as a ConnectException without a message.
            Throwable inner = cause.getCause();
            return inner != null && inner != cause ? name + " (" + describe(inner) + ")" : name;
        }
        return name + ": " + oneLine(message);
    }

    /** A response body subscriber that takes everything at once and can be aborted through the request. */
    private abstract class BodyPart implements BodySubscriber<Void> {
        final CompletableFuture<Void> body = new CompletableFuture<>();

        @Override
        public CompletionStage<Void> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            boolean abort;
            synchronized (StreamingRequest.this) {
                abort = finished;
                if (!abort) {
                    subscription = s;
                }
            }
            if (abort) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }
    }

    /** Streams a 200 response's body into the request. */
    private final class EventStream extends BodyPart {

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            long arrivalNanos = System.nanoTime();
            synchronized (StreamingRequest.this) {
                for (ByteBuffer buffer : buffers) {
                    if (finished) {
                        return;
                    }
                    accept(buffer, arrivalNanos);
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            fail(error);
            body.complete(null);
        }

        @Override
        public void onComplete() {
            int chunks;
            synchronized (StreamingRequest.this) {
                if (!finished && lineLength > 0) {
                    endOfLine(System.nanoTime());
                }
                if (!finished) {
                    dispatchEvent();
                }
                chunks = outputChunks;
            }
            fail(FailureKind.EARLY_CLOSE, "the stream ended before data: [DONE], after " + chunks
                    + " output chunks");
            body.complete(null);
        }
    }

    /** Collects the start of a non-200 response's body for the failure's explanation. */
    private final class ErrorBody extends BodyPart {
        private final int status;
        private final byte[] bytes = new byte[MAX_ERROR_BODY_BYTES];
        private int length;

        ErrorBody(int status) {
            this.status = status;
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
            fail(FailureKind.HTTP_STATUS, "HTTP " + status);
            body.complete(null);
        }

        @Override
        public void onComplete() {
            fail(FailureKind.HTTP_STATUS, "HTTP " + status + explanation());
            body.complete(null);
        }

        private String explanation() {
            if (length == 0) {
                return "";
            }
            String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
            try {
                JsonNode node = json.readTree(text);
                String message = node == null ? null : errorMessage(node);
                if (message == null && node != null && node.has("detail")) {
                    message = node.get("detail").asText(node.get("detail").toString());
                }
                if (message != null) {
                    return ": " + oneLine(message);
                }
            } catch (IOException notJson) {
                // Fall through to the raw text: a proxy's HTML page or a plain-text error.
            }
            return ": " + oneLine(text);
        }
    }
}
