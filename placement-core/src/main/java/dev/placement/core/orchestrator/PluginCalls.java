package dev.placement.core.orchestrator;

import dev.placement.api.PlacementException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls the plug-ins (inventory, probe, metrics source, agent, launcher) each with a deadline, on daemon
 * threads of its own, so that a call that hangs is abandoned (interrupted, and its thread left to end) and
 * becomes a failure of the tick instead of holding the tick lock for ever. Deadlines are in real time: a
 * hung plug-in wastes wall-clock time whatever the loop's clock says. Thread-safe.
 */
final class PluginCalls {

    /** Deadlines per kind of call; each positive. */
    record Deadlines(Duration observe, Duration agent, Duration launch, Duration stop) {
        Deadlines {
            positive(observe, "observeTimeout");
            positive(agent, "agentTimeout");
            positive(launch, "launchTimeout");
            positive(stop, "stopTimeout");
        }

        private static void positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
        }
    }

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "placement-plugin-call");
        t.setDaemon(true);
        return t;
    });
    private final Set<Future<?>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean abandoned;

    /**
     * Makes a call and waits for it at most {@code deadline}.
     *
     * @param what what is called, for the message ("probe 'ping'")
     * @return what the call returned
     * @throws PlacementException if it overran, was abandoned by {@link #abandonAll()}, or the thread was
     *                            interrupted; whatever the call threw is thrown as it is
     */
    <T> T call(String what, Duration deadline, Callable<T> call) {
        if (abandoned) {
            throw new PlacementException(what + " was not called: the orchestrator is closing");
        }
        return await(what, deadline, call, false);
    }

    /** Like {@link #call}, also after {@link #abandonAll()}: for the last calls of {@code close()}. */
    <T> T callWhileClosing(String what, Duration deadline, Callable<T> call) {
        return await(what, deadline, call, true);
    }

    void run(String what, Duration deadline, Runnable call) {
        call(what, deadline, () -> {
            call.run();
            return null;
        });
    }

    private <T> T await(String what, Duration deadline, Callable<T> call, boolean whileClosing) {
        Future<T> f;
        try {
            f = threads.submit(call);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new PlacementException(what + " was not called: the orchestrator is closed");
        }
        pending.add(f);
        if (abandoned && !whileClosing) {
            // abandonAll() ran between the check in call() and the add above, so it did not see this call: the
            // call may already be running (and hanging); cancel it here, as abandonAll() would have.
            f.cancel(true);
        }
        try {
            return f.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new PlacementException(what + " did not answer within " + Durations.describe(deadline)
                    + "; the call was abandoned");
        } catch (CancellationException e) {
            throw new PlacementException(what + " was abandoned: the orchestrator is closing");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new PlacementException(what + " was abandoned: interrupted");
        } catch (ExecutionException e) {
            throw PluginCalls.<RuntimeException>rethrow(e.getCause());
        } finally {
            pending.remove(f);
        }
    }

    /** Abandons every call in progress (their callers fail at once) and refuses new ones but the closing calls. */
    void abandonAll() {
        abandoned = true;
        pending.forEach(f -> f.cancel(true));
    }

    /** Ends the threads; calls still hung are interrupted and left to end. */
    void shutdown() {
        threads.shutdownNow();
    }

    /** Throws {@code t} as it is, a checked exception too; declared to return so callers can {@code throw} it. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
