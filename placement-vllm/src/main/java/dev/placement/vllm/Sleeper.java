package dev.placement.vllm;

import java.time.Duration;

/** Waits between polls; tests replace it with one that advances a fake clock instead of sleeping. */
@FunctionalInterface
interface Sleeper {
    /** Sleeps with {@link Thread#sleep}. */
    Sleeper REAL = d -> Thread.sleep(d.toMillis());

    /**
     * @param duration how long to wait
     * @throws InterruptedException if the thread is interrupted
     */
    void sleep(Duration duration) throws InterruptedException;
}
