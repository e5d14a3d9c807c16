package dev.placement.gateway;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Copies the pipeline's answer to the client one chunk at a time, as it arrives: each chunk is written before the
 * next is read, so a slow client slows only its own upstream stream and nothing is buffered whole.
 *
 * <p>It does what Jetty's {@code Content.copy} does, with two differences that matter at hundreds of streams on a
 * few cores (see {@code docs/PERFORMANCE.md}): every callback says it does not block, so the selector thread that
 * read a chunk from the pipeline writes it to the client at once instead of waking a pool thread for each chunk;
 * and after a write it asks for the next chunk with a demand, not with a read that would first try the socket in
 * vain, which saves a system call per chunk.
 *
 * <p>Its callbacks must not block, and do not: writes to the client complete asynchronously, and {@code done} only
 * closes a permit and completes Jetty's callback. Used by one exchange; not thread-safe beyond what
 * {@link IteratingCallback} serialises.
 */
final class ChunkRelay extends IteratingCallback {
    private final Content.Source source;
    private final Content.Sink sink;
    private final Callback done;
    private final Runnable next = Invocable.from(Invocable.InvocationType.NON_BLOCKING, this::iterate);
    private Content.Chunk chunk;
    private boolean wrote;
    private boolean last;

    /**
     * @param source the pipeline's response content
     * @param sink   the client's response
     * @param done   completed once the last chunk is written, or failed with the first failure of either side
     */
    ChunkRelay(Content.Source source, Content.Sink sink, Callback done) {
        this.source = source;
        this.sink = sink;
        this.done = done;
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    protected Action process() {
        if (last) {
            return Action.SUCCEEDED;
        }
        if (wrote) {
            wrote = false;
            source.demand(next); // runs next at once if a chunk is already buffered
            return Action.IDLE;
        }
        Content.Chunk c = source.read();
        if (c == null) {
            source.demand(next);
            return Action.IDLE;
        }
        if (Content.Chunk.isFailure(c)) {
            failed(c.getFailure());
            return Action.SCHEDULED;
        }
        chunk = c;
        last = c.isLast();
        wrote = true;
        sink.write(last, c.getByteBuffer(), this);
        return Action.SCHEDULED;
    }

    @Override
    protected void onSuccess() {
        chunk = Content.Chunk.releaseAndNext(chunk);
    }

    @Override
    protected void onFailure(Throwable cause) {
        source.fail(cause);
    }

    @Override
    protected void onCompleteSuccess() {
        done.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        chunk = Content.Chunk.releaseAndNext(chunk);
        done.failed(cause);
    }
}
