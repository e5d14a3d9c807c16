package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

    private final int index;
    private final int inputTokensEstimate;
    private final long runStartNanos;
    private final ObjectMapper json;
    private final CompletableFuture<RequestRecord> outcome = new CompletableFuture<>();
    private final ServerSentEvents events = new ServerSentEvents(this::event,
            ServerSentEvents.MAX_EVENT_BYTES, why -> fail(FailureKind.MALFORMED_CHUNK, why));

    private final ChunkFields fields = new ChunkFields();
    private long sentNanos;
    private boolean finished;
    private boolean succeeded;
    private Runnable abort;
    private Flow.Subscription subscription;

    private long ttftNanos;
    private long lastChunkNanos;
    private long[] itls = new long[64];
    private int itlCount;
    private int outputChunks;
    private int completionTokens = -1;
    private int promptTokens = -1;
    /** The first error event's explanation, or {@code null} if none came. */
    private String errorEvent;

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
        abortWith(() -> future.cancel(true));
    }

    /** Keeps how to abort the exchange (close its connection, cancel its future); runs it now if finished. */
    void abortWith(Runnable abortion) {
        synchronized (this) {
            if (!finished) {
                abort = abortion;
                return;
            }
        }
        abortion.run();
    }

    /** @return whether the request has completed successfully */
    synchronized boolean succeeded() {
        return succeeded;
    }

    /** @return a body handler that streams a 200 response into this request and turns any other into a failure */
    HttpResponse.BodyHandler<Void> bodyHandler() {
        return info -> info.statusCode() == 200 ? new EventStreamBody(this)
                : new ErrorBody(this, info.statusCode(), json);
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
        Runnable pending;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            fields.drop();
            body = subscription;
            pending = abort;
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
            pending.run();
        }
        outcome.complete(record);
    }

    /** Fails the request with the reason an exception from the HTTP client stands for. */
    void fail(Throwable error) {
        Throwable cause = FailureDetail.unwrap(error);
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
            fail(FailureKind.CONNECTION, FailureDetail.describe(cause));
        } else if (cause instanceof HttpTimeoutException) {
            fail(FailureKind.TIMEOUT, FailureDetail.describe(cause));
        } else {
            fail(FailureKind.CONNECTION, FailureDetail.describe(cause));
        }
    }

    /** @return how many output chunks have arrived so far */
    synchronized int outputChunks() {
        return outputChunks;
    }

    /**
     * Keeps a response body's subscription so that a failure can cancel it.
     *
     * @return whether to read the body; false if the request has already finished (then cancel it)
     */
    synchronized boolean subscribed(Flow.Subscription s) {
        if (!finished) {
            subscription = s;
        }
        return !finished;
    }

    /**
     * Takes one delivery of a 200 body's bytes. Every chunk completed by it is timed at {@code arrivalNanos}, so
     * chunks that arrive in one read get one timestamp (an ITL of 0), as in {@code vllm bench serve}.
     *
     * @param arrivalNanos {@link System#nanoTime()} when the bytes were delivered
     */
    synchronized void delivered(List<ByteBuffer> buffers, long arrivalNanos) {
        for (ByteBuffer buffer : buffers) {
            if (finished) {
                return;
            }
            events.accept(buffer, arrivalNanos);
        }
    }

    /**
     * Takes the bytes of one read of a 200 body, as {@link #delivered(List, long)} does.
     *
     * @param arrivalNanos {@link System#nanoTime()} when the read returned
     */
    synchronized void delivered(byte[] bytes, int from, int length, long arrivalNanos) {
        if (!finished) {
            events.accept(bytes, from, length, arrivalNanos);
        }
    }

    /**
     * Takes the end of a 200 body. As in {@code vllm bench serve}, a body that ended as framed succeeds once a
     * chunk with output came, {@code data: [DONE]} or not; a body cut off before its end fails.
     *
     * @param complete whether the body ended as its framing said (the last chunk of a chunked body, the whole
     *                 {@code Content-Length}, or the connection's close for a body framed by it)
     */
    void ended(long nanos, boolean complete) {
        int chunks;
        synchronized (this) {
            if (finished) {
                return;
            }
            events.end(nanos);
            if (finished) {
                return;
            }
            chunks = outputChunks;
        }
        // Outside the lock, as every failure is: failing aborts the exchange, which may call back into this request.
        if (!complete) {
            fail(FailureKind.EARLY_CLOSE, "the body was cut off after " + chunks + " output chunks");
        } else if (chunks == 0) {
            noOutput("the stream ended");
        } else {
            succeed("the stream ended without data: [DONE]");
        }
    }

    /** Fails a request whose stream ended without output: its error event, if any, says why. */
    private void noOutput(String how) {
        String error;
        synchronized (this) {
            error = errorEvent;
        }
        if (error != null) {
            fail(FailureKind.ERROR_EVENT, error);
        } else {
            fail(FailureKind.NO_OUTPUT, how + " without any chunk with output");
        }
    }

    private void succeed(String unusual) {
        RequestRecord record;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            fields.drop();
            succeeded = true;
            record = new RequestRecord(index, Math.max(0, sentNanos - runStartNanos), ttftNanos,
                    lastChunkNanos - sentNanos, itlList(),
                    promptTokens >= 0 ? promptTokens : inputTokensEstimate,
                    completionTokens >= 0 ? completionTokens : outputChunks, null, "",
                    errorEvent != null ? errorEvent : unusual);
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

    /** Handles one event of the stream, called under this object's lock; returns whether to go on reading. */
    private boolean event(byte[] data, int length, long eventNanos) {
        if (finished) {
            return false;
        }
        if (length == DONE.length && Arrays.equals(data, 0, length, DONE, 0, DONE.length)) {
            if (outputChunks == 0) {
                noOutput("the stream reached [DONE]");
            } else {
                succeed("");
            }
            return false;
        }
        if (fields.read(json.getFactory(), data, length)) {
            if (fields.output) {
                timeOutputChunk(eventNanos);
            }
            completionTokens = fields.completionTokens >= 0 ? fields.completionTokens : completionTokens;
            promptTokens = fields.promptTokens >= 0 ? fields.promptTokens : promptTokens;
            return true;
        }
        JsonNode chunk;
        try {
            chunk = json.readTree(data, 0, length);
        } catch (IOException e) {
            fail(FailureKind.MALFORMED_CHUNK, "chunk " + (outputChunks + 1) + " is not JSON: "
                    + FailureDetail.oneLine(new String(data, 0, Math.min(length, 120), StandardCharsets.UTF_8)));
            return false;
        }
        if (chunk == null || !chunk.isObject()) {
            fail(FailureKind.MALFORMED_CHUNK, "chunk " + (outputChunks + 1) + " is not a JSON object");
            return false;
        }
        String error = FailureDetail.vllmError(chunk);
        if (error != null) {
            // vllm bench serve reads past an error event (a chunk without choices) to the end of the stream.
            if (errorEvent == null) {
                errorEvent = "error event after " + outputChunks + " output chunks: " + error;
            }
            return true;
        }
        JsonNode choices = chunk.get("choices");
        if (choices != null && choices.isArray() && !choices.isEmpty()) {
            timeOutputChunk(eventNanos);
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
        return true;
    }

    /** vLLM's definitions: the first chunk with output gives the TTFT, every later one an ITL sample. */
    private void timeOutputChunk(long eventNanos) {
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
}
