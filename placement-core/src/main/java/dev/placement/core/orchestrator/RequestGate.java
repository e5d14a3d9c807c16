package dev.placement.core.orchestrator;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The door every inference request of the embedding application passes through, so that the orchestrator
 * can hold new requests while it restarts the pipeline and wait for the ones in flight to finish.
 *
 * <p>Wrap each request:
 * <pre>{@code
 * try (RequestGate.Permit permit = orchestrator.gate().enter(Duration.ofSeconds(30))) {
 *     return httpClient.send(completionRequest, handler);   // to the pipeline's endpoint
 * } catch (RequestRejectedException e) {
 *     return serviceUnavailable(e.getMessage());             // reconfiguring for too long, or closed
 * }
 * }</pre>
 *
 * <p>While the gate is open, {@link #enter} returns at once. While it is paused (a reconfiguration, or no
 * pipeline running after a failed one), callers wait up to their timeout and are then rejected with a
 * {@link RequestRejectedException} that says why. No caller waits longer than its timeout, and every caller
 * either gets a permit or that exception. Waiting is in real time (it is the caller's thread that waits).
 *
 * <p>How long each request waited can be heard with {@link #subscribe(WaitListener)} (what a metrics binding
 * uses); measuring costs one {@link System#nanoTime()} per request that has to wait, and nothing for one that
 * does not.
 *
 * <p>Thread-safe. Pausing, draining and resuming are the orchestrator's; callers only enter.
 */
public final class RequestGate {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGate.class);

    private final List<WaitListener> waitListeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean paused;
    private String pauseReason = "";
    private boolean closed;
    private int inFlight;
    private int waitingNow;
    private long admitted;
    private long rejected;

    /** Creates an open gate. */
    public RequestGate() {
    }

    /**
     * Lets a request in, waiting while the gate is paused.
     *
     * @param timeout how long to wait at most if the gate is paused; zero or negative means do not wait
     * @return a permit to close when the request is done (closing twice is harmless)
     * @throws RequestRejectedException if the gate stayed paused for the whole timeout, is closed, or the
     *                                  thread was interrupted while waiting (its interrupt flag is set again)
     */
    public Permit enter(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long remaining = Math.max(0, timeout.toNanos());
        boolean waiting = false;
        long waitStart = 0;
        boolean gotPermit = false;
        lock.lock();
        try {
            while (paused && !closed) {
                if (!waiting) {
                    waiting = true;
                    waitingNow++;
                    waitStart = System.nanoTime();
                }
                if (remaining <= 0) {
                    rejected++;
                    throw new RequestRejectedException("request rejected after waiting " + format(timeout)
                            + ": requests are paused because " + pauseReason + "; retry later");
                }
                try {
                    remaining = changed.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    rejected++;
                    throw new RequestRejectedException("request rejected: interrupted while waiting because "
                            + pauseReason);
                }
            }
            if (closed) {
                rejected++;
                throw new RequestRejectedException("request rejected: the orchestrator is closed");
            }
            inFlight++;
            admitted++;
            gotPermit = true;
            return new Permit(this);
        } finally {
            if (waiting) {
                waitingNow--;
            }
            lock.unlock();
            if (!waitListeners.isEmpty()) {
                tellWaited(waiting ? Duration.ofNanos(System.nanoTime() - waitStart) : Duration.ZERO, gotPermit);
            }
        }
    }

    /**
     * Hears how long each later request waited at the gate, on the request's own thread once the gate's lock is
     * released; a listener that throws is logged at WARN and the request goes on as if it had not. Several may be
     * subscribed.
     *
     * @param listener the listener; not null
     * @return its subscription: close it to stop hearing
     */
    public Subscription subscribe(WaitListener listener) {
        Objects.requireNonNull(listener, "listener");
        WaitListener registration = listener::waited;
        waitListeners.add(registration);
        return () -> waitListeners.remove(registration);
    }

    private void tellWaited(Duration waited, boolean gotPermit) {
        for (WaitListener l : waitListeners) {
            try {
                l.waited(waited, gotPermit);
            } catch (Exception e) {
                LOG.warn("request gate listener failed: {}", e.toString());
            }
        }
    }

    /**
     * The gate now, for the health view.
     *
     * @return paused, why, in flight, waiting, admitted and rejected, read at one instant
     */
    OrchestratorHealth.Gate view() {
        lock.lock();
        try {
            boolean held = paused || closed;
            String why = closed ? "the orchestrator is closed" : paused ? pauseReason : null;
            return new OrchestratorHealth.Gate(held, why, inFlight, waitingNow, admitted, rejected);
        } finally {
            lock.unlock();
        }
    }

    /** @return whether new requests are held now */
    public boolean isPaused() {
        lock.lock();
        try {
            return paused || closed;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many requests hold a permit now */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many requests wait at the paused gate now.
     *
     * @return the callers inside {@link #enter(Duration)} waiting for the gate to open
     */
    public int waiting() {
        lock.lock();
        try {
            return waitingNow;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many requests were let in since the gate was created */
    public long admitted() {
        lock.lock();
        try {
            return admitted;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many requests were rejected since the gate was created */
    public long rejected() {
        lock.lock();
        try {
            return rejected;
        } finally {
            lock.unlock();
        }
    }

    /** Holds new requests; the reason ends up in rejection messages ("requests are paused because ..."). */
    void pause(String reason) {
        lock.lock();
        try {
            paused = true;
            pauseReason = Objects.requireNonNull(reason, "reason");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no request is in flight.
     *
     * @return whether they all finished within the timeout
     */
    boolean awaitDrained(Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (inFlight > 0) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = changed.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Lets requests in again and wakes every waiting caller. */
    void resume() {
        lock.lock();
        try {
            paused = false;
            pauseReason = "";
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Rejects every waiting and future caller. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void exit() {
        lock.lock();
        try {
            inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? TimeUnit.MILLISECONDS.toSeconds(ms) + " s" : ms + " ms";
    }

    /**
     * Hears how long a request waited at the gate; see {@link RequestGate#subscribe(WaitListener)}. Called on the
     * request's thread, outside the gate's lock: keep it quick.
     */
    @FunctionalInterface
    public interface WaitListener {

        /**
         * A request got a permit or was rejected.
         *
         * @param waited   how long it waited for a paused gate (real time, from the first moment it found the gate
         *                 paused to its permit or rejection); {@link Duration#ZERO} if it found the gate open, or
         *                 closed
         * @param admitted whether it got a permit; false if it was rejected (timeout, closed, interrupted)
         */
        void waited(Duration waited, boolean admitted);
    }

    /** A request's pass through the gate; close it when the request is done. Thread-safe, idempotent. */
    public static final class Permit implements AutoCloseable {
        private final RequestGate gate;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Permit(RequestGate gate) {
            this.gate = gate;
        }

        /** Marks the request done; later calls do nothing. */
        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                gate.exit();
            }
        }
    }
}
