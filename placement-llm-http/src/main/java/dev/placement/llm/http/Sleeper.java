package dev.placement.llm.http;

import java.time.Duration;

/**
 * Waits between retries. Injected so tests can record the waits instead of sleeping.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface Sleeper {

    /** Waits on the calling thread with {@link Thread#sleep(long)}. */
    Sleeper THREAD_SLEEP = duration -> Thread.sleep(duration.toMillis());

    /**
     * @param duration how long to wait; not negative
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;
}
