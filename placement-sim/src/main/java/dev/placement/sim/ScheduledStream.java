package dev.placement.sim;

import com.sun.net.httpserver.HttpExchange;
import dev.placement.sim.LoopbackStreamingServer.Behaviour;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One response stream of the loopback server: writes chunk k at {@code received + TTFT + k × ITL} of its own
 * {@link StreamTiming}, each write scheduling the next, so that the injected timing does not drift with load.
 * Runs on one writer thread at a time.
 */
final class ScheduledStream implements Runnable {
    private final HttpExchange exchange;
    private final CompletionChunks chunks;
    private final Behaviour behaviour;
    private final int outputTokens;
    private final int promptTokens;
    private final long firstDueNanos;
    private final long interTokenNanos;
    private final SendTimes sendTimes;
    private final StreamWriters writers;
    private int next;

    /**
     * @param receivedNanos when the server received the request, {@link System#nanoTime()}
     * @param timing        when its chunks are due, from {@code receivedNanos}
     * @param sendTimes     where to record when output chunks are written, or {@code null} to record nothing
     */
    ScheduledStream(HttpExchange exchange, CompletionChunks chunks, Behaviour behaviour, int outputTokens,
            int promptTokens, long receivedNanos, StreamTiming timing, SendTimes sendTimes, StreamWriters writers) {
        this.exchange = exchange;
        this.chunks = chunks;
        this.behaviour = behaviour;
        this.outputTokens = outputTokens;
        this.promptTokens = promptTokens;
        this.firstDueNanos = receivedNanos + timing.timeToFirstToken().toNanos();
        this.interTokenNanos = timing.interTokenLatency().toNanos();
        this.sendTimes = sendTimes;
        this.writers = writers;
    }

    void schedule() {
        try {
            writers.executor().schedule(this, due() - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            end();
        }
    }

    @Override
    public void run() {
        writers.lateness().record(due(), System.nanoTime(), next == 0);
        try {
            boolean more = writeNext();
            if (more) {
                schedule();
            }
        } catch (IOException | UncheckedIOException clientLeft) {
            end();
        }
    }

    private long due() {
        return firstDueNanos + next * interTokenNanos;
    }

    /** @return whether another chunk is due later */
    private boolean writeNext() throws IOException {
        int k = next++;
        StringBuilder out = new StringBuilder(256);
        int outputChunks = 0;
        if (k == 0 && chunks.chat()) {
            chunks.role(out);
            outputChunks++;
        }
        boolean last = k == outputTokens - 1;
        if (behaviour == Behaviour.ERROR_EVENT && k == 1) {
            return finish(out.append(CompletionChunks.ERROR_EVENT).append(CompletionChunks.DONE), outputChunks);
        }
        if (behaviour == Behaviour.EARLY_CLOSE && k == Math.max(1, outputTokens / 2)) {
            return finish(out, outputChunks);
        }
        chunks.token(out, k, last);
        outputChunks++;
        if (!last || behaviour == Behaviour.STALL) {
            write(out, outputChunks);
            // A stalled stream keeps its connection open and silent; close() or the client ends it.
            return behaviour != Behaviour.STALL;
        }
        switch (behaviour) {
            case NORMAL:
                chunks.usage(out, promptTokens, outputTokens);
                out.append(CompletionChunks.DONE);
                break;
            case ERROR_EVENT:
                out.append(CompletionChunks.ERROR_EVENT).append(CompletionChunks.DONE);
                break;
            default:
                break;
        }
        return finish(out, outputChunks);
    }

    /** Writes the last bytes and ends the body; returns false (no chunk is due later). */
    private boolean finish(StringBuilder out, int outputChunks) throws IOException {
        if (out.length() > 0) {
            write(out, outputChunks);
        }
        end();
        return false;
    }

    private void write(StringBuilder out, int outputChunks) throws IOException {
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        OutputStream body = exchange.getResponseBody();
        // Stamped just before the bytes go to the socket: no client can see them earlier, so a client's
        // timestamp of these chunks is never before this one (same JVM, same monotonic clock).
        if (sendTimes != null && outputChunks > 0) {
            sendTimes.writing(outputChunks, System.nanoTime());
        }
        body.write(bytes);
        body.flush();
    }

    private void end() {
        writers.open().remove(exchange);
        exchange.close();
    }
}
