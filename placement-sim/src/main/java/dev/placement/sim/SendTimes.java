package dev.placement.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * When the loopback server began writing each output chunk of one stream, kept so that tests and benchmarks can
 * hold a client's chunk timestamps against the truth. Written by one writer thread at a time (each write
 * schedules the next), read by any thread: the volatile count publishes the times written before it.
 */
final class SendTimes {
    private final int arrival;
    private final String prompt;
    private final long receivedNanos;
    private final long[] chunkNanos;
    private volatile int count;

    SendTimes(int arrival, String prompt, long receivedNanos, int maxOutputChunks) {
        this.arrival = arrival;
        this.prompt = prompt;
        this.receivedNanos = receivedNanos;
        this.chunkNanos = new long[maxOutputChunks];
    }

    int arrival() {
        return arrival;
    }

    /** Records that a write holding {@code outputChunks} output chunks begins now, at {@code nanos}. */
    void writing(int outputChunks, long nanos) {
        int n = count;
        for (int i = 0; i < outputChunks && n < chunkNanos.length; i++) {
            chunkNanos[n++] = nanos;
        }
        count = n;
    }

    LoopbackStreamingServer.SentStream snapshot() {
        int n = count;
        List<Long> times = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            times.add(chunkNanos[i]);
        }
        return new LoopbackStreamingServer.SentStream(arrival, prompt, receivedNanos, times);
    }
}
