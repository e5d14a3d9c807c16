package dev.placement.cli;

import dev.placement.vllm.LaunchProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints a launch's progress on stderr, one line per phase: when what the launch waits for changes, and at
 * least every 10 s while it stays the same, each line with the seconds waited, e.g.
 * {@code placement: [  20 s] Ray job placement-… is RUNNING; vLLM not ready yet at …: /health answered 503}.
 */
final class LaunchProgressLines implements LaunchProgress {
    /** The longest a launch goes without a line while it waits. */
    static final Duration EVERY = Duration.ofSeconds(10);

    private final PrintWriter err;
    private String lastState;
    private Duration lastAt;

    LaunchProgressLines(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void update(String state, Duration waited) {
        if (state.equals(lastState) && waited.minus(lastAt).compareTo(EVERY) < 0) {
            return;
        }
        err.printf(Locale.ROOT, "placement: [%4d s] %s%n", waited.toSeconds(), state);
        err.flush();
        lastState = state;
        lastAt = waited;
    }
}
