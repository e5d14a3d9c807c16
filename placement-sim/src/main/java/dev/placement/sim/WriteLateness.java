package dev.placement.sim;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How late the loopback server's chunk writes began against their schedule, summed over all streams so that
 * a benchmark can tell the server's own lag from the client's. Thread-safe: writer threads add, any thread
 * reads or resets.
 */
final class WriteLateness {
    private final LongAdder lateNanosTotal = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final AtomicLong lateNanosMax = new AtomicLong();
    private final LongAdder firstLateNanosTotal = new LongAdder();
    private final LongAdder firstWrites = new LongAdder();

    /** Counts one write that was due at {@code dueNanos} and began at {@code beganNanos}. */
    void record(long dueNanos, long beganNanos, boolean firstChunk) {
        long late = Math.max(0, beganNanos - dueNanos);
        lateNanosTotal.add(late);
        writes.increment();
        lateNanosMax.accumulateAndGet(late, Math::max);
        if (firstChunk) {
            firstLateNanosTotal.add(late);
            firstWrites.increment();
        }
    }

    LoopbackStreamingServer.Lateness snapshot() {
        long n = writes.sum();
        long first = firstWrites.sum();
        return new LoopbackStreamingServer.Lateness(n, n == 0 ? 0 : lateNanosTotal.sum() / 1e6 / n,
                lateNanosMax.get() / 1e6, first == 0 ? 0 : firstLateNanosTotal.sum() / 1e6 / first);
    }

    void reset() {
        writes.reset();
        lateNanosTotal.reset();
        lateNanosMax.set(0);
        firstWrites.reset();
        firstLateNanosTotal.reset();
    }
}
