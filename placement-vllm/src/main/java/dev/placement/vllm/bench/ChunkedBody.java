package dev.placement.vllm.bench;

import java.io.IOException;

/**
 * Decodes an HTTP/1.1 response body framed by {@code Transfer-Encoding: chunked}, by {@code Content-Length},
 * or by the end of the connection, as the bytes of each read arrive: the payload of a read goes to the sink
 * with that read's arrival time, so that the framing never delays or merges what it carries. Not thread-safe:
 * one body, one reading thread.
 */
final class ChunkedBody {

    /** Receives the payload bytes of one read. */
    interface Sink {
        /** @param nanos {@link System#nanoTime()} when the read that brought these bytes returned */
        void data(byte[] bytes, int from, int length, long nanos);
    }

    private static final int SIZE = 0;
    private static final int EXTENSION = 1;
    private static final int DATA = 2;
    private static final int DATA_END = 3;
    private static final int TRAILER = 4;
    private static final int DONE = 5;
    /** The longest chunk accepted: a stream's chunk is a few hundred bytes. */
    private static final long MAX_CHUNK = 1L << 30;

    private final boolean chunked;
    private final boolean untilClose;
    private int state;
    private long remaining;
    private int digits;
    private int trailerLine;

    private ChunkedBody(boolean chunked, long contentLength) {
        this.chunked = chunked;
        this.untilClose = !chunked && contentLength < 0;
        this.remaining = chunked ? 0 : Math.max(0, contentLength);
        this.state = chunked ? SIZE : contentLength == 0 ? DONE : DATA;
    }

    /**
     * @param chunked       whether the body is chunked (which wins over a length)
     * @param contentLength the body's length, or -1 for a body that ends with the connection
     */
    static ChunkedBody of(boolean chunked, long contentLength) {
        return new ChunkedBody(chunked, contentLength);
    }

    /** @return whether the body ended before the connection did, so that the connection can be reused */
    boolean delimited() {
        return !untilClose;
    }

    /** @return whether the whole body has been read */
    boolean done() {
        return state == DONE;
    }

    /** @return whether the body is whole once the connection has closed: read to its end, or framed by the close */
    boolean completeAtClose() {
        return done() || untilClose;
    }

    /**
     * Decodes the bytes of one read.
     *
     * @return how many of them belong to this body; fewer than {@code length} once it has ended
     * @throws IOException if the framing is broken
     */
    int feed(byte[] bytes, int from, int length, long nanos, Sink sink) throws IOException {
        int i = from;
        int end = from + length;
        while (i < end && state != DONE) {
            if (state == DATA) {
                int n = untilClose ? end - i : (int) Math.min(remaining, end - i);
                sink.data(bytes, i, n, nanos);
                i += n;
                if (!untilClose) {
                    remaining -= n;
                    if (remaining == 0) {
                        state = chunked ? DATA_END : DONE;
                    }
                }
                continue;
            }
            byte b = bytes[i++];
            switch (state) {
                case SIZE -> size(b);
                case EXTENSION -> {
                    if (b == '\n') {
                        endOfSize();
                    }
                }
                case DATA_END -> {
                    if (b == '\n') {
                        state = SIZE;
                    } else if (b != '\r') {
                        throw new IOException("a chunk of the response body does not end with CRLF");
                    }
                }
                default -> trailer(b);
            }
        }
        return i - from;
    }

    private void size(byte b) throws IOException {
        int digit = Character.digit(b, 16);
        if (digit >= 0) {
            remaining = remaining * 16 + digit;
            if (remaining > MAX_CHUNK) {
                throw new IOException("a chunk of the response body is larger than " + MAX_CHUNK + " bytes");
            }
            digits++;
        } else if (b == ';' || b == ' ' || b == '\t') {
            state = EXTENSION;
        } else if (b == '\n') {
            endOfSize();
        } else if (b != '\r') {
            throw new IOException("a chunk size of the response body is not hexadecimal");
        }
    }

    private void endOfSize() throws IOException {
        if (digits == 0) {
            throw new IOException("a chunk of the response body has no size");
        }
        digits = 0;
        state = remaining == 0 ? TRAILER : DATA;
        trailerLine = 0;
    }

    private void trailer(byte b) {
        if (b == '\n') {
            if (trailerLine == 0) {
                state = DONE;
            }
            trailerLine = 0;
        } else if (b != '\r') {
            trailerLine++;
        }
    }
}
