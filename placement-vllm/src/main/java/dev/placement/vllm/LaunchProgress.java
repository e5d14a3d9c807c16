package dev.placement.vllm;

import java.time.Duration;

/**
 * Hears what a launch is doing while {@code launch} waits (vLLM can take many minutes to load a model), for
 * example to print progress. Called on the launching thread at each phase and at every poll, so keep it quick;
 * an exception it throws is ignored.
 */
@FunctionalInterface
public interface LaunchProgress {
    /** Hears nothing. */
    LaunchProgress NONE = (state, waited) -> { };

    /**
     * @param state  one line saying what the launch is doing or waiting for, e.g. {@code "Ray job placement-… is
     *               PENDING"} or {@code "vLLM not ready yet: /health answered 503"}; the same line again when
     *               nothing changed since the last poll
     * @param waited how long since the launch began, on the launcher's clock
     */
    void update(String state, Duration waited);
}
