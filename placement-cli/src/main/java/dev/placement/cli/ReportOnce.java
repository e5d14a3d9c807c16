package dev.placement.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides who prints a command's result when Ctrl-C may end the JVM while the command finishes: the command's
 * own thread or its shutdown hook, exactly one of them, and the JVM does not halt while the other is still
 * printing. Either side calls {@link #claim()}; the winner prints and then calls {@link #printed()}; the hook,
 * when it loses, calls {@link #awaitPrinted()} so that the JVM (which halts once every hook has returned)
 * waits for the command's output to be complete.
 *
 * <p>Thread-safe.
 */
final class ReportOnce {
    /** How long a hook waits for the command's own output before the JVM halts anyway. */
    private static final long MAX_WAIT_SECONDS = 10;

    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CountDownLatch printed = new CountDownLatch(1);

    /** @return whether the caller is the one to print; it must then call {@link #printed()} when done */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    /** Says that the claimant's output is complete (flushed). */
    void printed() {
        printed.countDown();
    }

    /** Waits, at most 10 s, until the claimant's output is complete; returns early if interrupted. */
    void awaitPrinted() {
        try {
            printed.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
