package dev.placement.vllm.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a server-sent-event body into events as its bytes arrive, byte by byte, so that nothing waits for the
 * end of the body. Each event is stamped with the arrival time of the read that completed its first
 * {@code data:} line; comments ({@code :} lines, often keep-alive pings) and the fields {@code event:},
 * {@code id:} and {@code retry:} carry no output and are skipped. A line or an event longer than a bound stops
 * the stream and is reported, so that a hostile or broken server cannot make the reader buffer gigabytes. Not
 * thread-safe: one body, one thread at a time.
 */
final class ServerSentEvents {

    /** Receives each complete event. */
    interface Handler {
        /**
         * @param data   the event's data lines joined by {@code \n}; valid only during the call
         * @param length how many bytes of {@code data} belong to the event
         * @param nanos  the arrival time of the read that completed its first data line
         * @return whether to go on reading (false once the request has finished)
         */
        boolean event(byte[] data, int length, long nanos);
    }

    /** The longest line or event kept, in bytes: a chunk of a completion is well under a kilobyte. */
    static final int MAX_EVENT_BYTES = 1 << 20;

    private final Handler handler;
    private final Consumer<String> tooLong;
    private final int maxBytes;
    private byte[] line = new byte[1024];
    private int lineLength;
    private byte[] event = new byte[1024];
    private int eventLength;
    private long eventNanos;
    private boolean stopped;

    /**
     * @param handler  receives each complete event
     * @param maxBytes the longest line or event, in bytes
     * @param tooLong  told, once, that a line or event exceeded {@code maxBytes}; reading stops then
     */
    ServerSentEvents(Handler handler, int maxBytes, Consumer<String> tooLong) {
        this.handler = handler;
        this.maxBytes = maxBytes;
        this.tooLong = tooLong;
    }

    /** Consumes the bytes of one read until they are used up or the handler asks to stop. */
    void accept(ByteBuffer buffer, long arrivalNanos) {
        if (buffer.hasArray()) {
            int from = buffer.arrayOffset() + buffer.position();
            int length = buffer.remaining();
            buffer.position(buffer.limit());
            accept(buffer.array(), from, length, arrivalNanos);
        } else {
            byte[] copy = new byte[buffer.remaining()];
            buffer.get(copy);
            accept(copy, 0, copy.length, arrivalNanos);
        }
    }

    /** Consumes {@code length} bytes of one read from {@code from} until used up or the handler asks to stop. */
    void accept(byte[] bytes, int from, int length, long arrivalNanos) {
        int end = from + length;
        int i = from;
        while (i < end && !stopped) {
            int newline = i;
            while (newline < end && bytes[newline] != '\n') {
                newline++;
            }
            int n = newline - i;
            if ((long) lineLength + n > maxBytes) {
                stop("a line of the event stream is longer than " + maxBytes + " bytes");
                return;
            }
            if (lineLength + n > line.length) {
                line = Arrays.copyOf(line, Math.min(maxBytes, Math.max(line.length * 2, lineLength + n)));
            }
            System.arraycopy(bytes, i, line, lineLength, n);
            lineLength += n;
            i = newline;
            if (i < end) {
                i++;
                endOfLine(arrivalNanos);
            }
        }
    }

    /** Ends the body: a last line without its newline still counts, and so does an event without its blank line. */
    void end(long nanos) {
        if (!stopped && lineLength > 0) {
            endOfLine(nanos);
        }
        if (!stopped) {
            dispatch();
        }
    }

    private void endOfLine(long arrivalNanos) {
        int length = lineLength;
        lineLength = 0;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        if (length == 0) {
            dispatch();
        } else if (startsWithData(length)) {
            int from = length > 5 && line[5] == ' ' ? 6 : 5;
            if (eventLength == 0) {
                eventNanos = arrivalNanos;
            } else {
                append(new byte[] {'\n'}, 0, 1);
            }
            append(line, from, length - from);
        }
        if (stopped) {
            eventLength = 0;
        }
    }

    private void stop(String why) {
        stopped = true;
        tooLong.accept(why);
    }

    private void append(byte[] bytes, int from, int length) {
        if ((long) eventLength + length > maxBytes) {
            stop("an event of the stream is longer than " + maxBytes + " bytes");
            return;
        }
        if (eventLength + length > event.length) {
            event = Arrays.copyOf(event, Math.max(event.length * 2, eventLength + length));
        }
        System.arraycopy(bytes, from, event, eventLength, length);
        eventLength += length;
    }

    private void dispatch() {
        if (stopped) {
            return;
        }
        int length = eventLength;
        eventLength = 0;
        if (length > 0 && !handler.event(event, length, eventNanos)) {
            stopped = true;
        }
    }

    private boolean startsWithData(int length) {
        String prefix = "data:";
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
