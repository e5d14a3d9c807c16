package dev.placement.vllm.bench;

/**
 * Hears a benchmark run's progress, for example to draw a progress bar. Every method has an empty
 * default, so a benchmark without a listener stays silent.
 *
 * <p>Methods are called from the benchmark's own threads, {@link #requestFinished} concurrently from several of
 * them: implementations must be thread-safe and quick (they run on the threads that time the streams). An
 * exception thrown by a listener is ignored and never disturbs the run.
 */
public interface BenchmarkListener {

    /**
     * Called once when the timed part of the run begins (after any warm-up request).
     *
     * @param totalRequests how many requests the run will send
     */
    default void runStarted(int totalRequests) {
    }

    /**
     * Called when a request completes or fails.
     *
     * @param record        what it measured
     * @param finished      how many requests have finished so far, this one included
     * @param totalRequests how many requests the run sends
     */
    default void requestFinished(RequestRecord record, int finished, int totalRequests) {
    }

    /**
     * Called once when the run ends, normally or by cancellation.
     *
     * @param result the result
     */
    default void runFinished(BenchmarkResult result) {
    }
}
