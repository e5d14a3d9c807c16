package dev.placement.vllm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** One launch's progress: tells a {@link LaunchProgress} each state with the time since the launch began. */
final class Progress {
    private final LaunchProgress listener;
    private final Clock clock;
    private final Instant began;

    Progress(LaunchProgress listener, Clock clock) {
        this.listener = listener;
        this.clock = clock;
        this.began = clock.instant();
    }

    /** Passes a state on; the listener's exceptions never disturb the launch. */
    void say(String state) {
        try {
            listener.update(state, Duration.between(began, clock.instant()));
        } catch (RuntimeException ignored) {
            // A listener that fails only loses its own output.
        }
    }
}
