package dev.placement.core.orchestrator;

import dev.placement.api.RunningPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

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
 * {@link #enterAsync(Duration, ScheduledExecutorService)} is the same door without a waiting thread.
 *
 * <p>Routing: each permit names the {@linkplain Permit#pipeline() pipeline} to send its request to. With several
 * replicas, it is the serving one with the least outstanding work weighted by its predicted capacity (the lowest
 * {@code (requests it holds + 1) / capacity}), so the load splits as the replica planner predicted; a replica
 * being drained before a restart, or found dead, gets no new request, so with two or more replicas nobody waits
 * for a reconfiguration.
 *
 * <p>How long each request waited can be heard with {@link #subscribe(WaitListener)} (what a metrics binding
 * uses); measuring costs one {@link System#nanoTime()} per request that has to wait, and nothing for one that
 * does not.
 *
 * <p>Thread-safe. Pausing, draining and resuming are the orchestrator's; callers only enter.
 */
public final class RequestGate {
    private final GateListeners waitListeners = new GateListeners();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Callers of {@link #enterAsync} waiting for the gate to open, in arrival order; guarded by the lock. */
    private final Set<AsyncWaiter> asyncWaiters = new LinkedHashSet<>();
    /** The replicas permits are routed to; guarded by the lock. */
    private final Routes routes = new Routes();
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
                    throw timedOut(timeout);
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
                throw closedRejection();
            }
            inFlight++;
            admitted++;
            gotPermit = true;
            return new Permit(this, routes.take(null));
        } finally {
            if (waiting) {
                waitingNow--;
            }
            lock.unlock();
            if (!waitListeners.isEmpty()) {
                waitListeners.tell(waiting ? GateListeners.since(waitStart) : Duration.ZERO, gotPermit);
            }
        }
    }

    /**
     * {@link #enter} without a waiting thread, for servers that hold many requests: the same rules, messages,
     * counters and listeners, but the permit (or the {@link RequestRejectedException}) comes in a future, completed
     * at once unless it has to wait, else on the thread that opens or closes the gate (the orchestrator's) or on
     * {@code timer}'s at the timeout: chain real work with its {@code *Async} methods. Cancelling it while it waits
     * withdraws the request (counted as rejected); a permit given at that very moment is closed at once.
     *
     * @param timeout how long to wait at most if the gate is paused; zero or negative means do not wait
     * @param timer   schedules the timeout; not null (if it refuses the task the request is rejected at once)
     * @return a future of the permit to close when the request is done
     */
    public CompletableFuture<Permit> enterAsync(Duration timeout, ScheduledExecutorService timer) {
        return enterAsync(timeout, timer, null);
    }

    /**
     * {@link #enterAsync(Duration, ScheduledExecutorService)} for a request to retry: it goes to another replica
     * than {@code avoid} if another one serves (else to that one again).
     *
     * @param timeout how long to wait at most if the gate is paused; zero or negative means do not wait
     * @param timer   schedules the timeout; not null
     * @param avoid   the id of the pipeline the request failed on, or null
     * @return a future of the permit to close when the request is done
     */
    public CompletableFuture<Permit> enterAsync(Duration timeout, ScheduledExecutorService timer, String avoid) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(timer, "timer");
        AsyncWaiter w = new AsyncWaiter(new CompletableFuture<>(), timeout, System.nanoTime(), avoid);
        long nanos = Math.max(0, timeout.toNanos());
        Permit permit = null;
        RequestRejectedException rejection = null;
        lock.lock();
        try {
            if (paused && !closed && nanos > 0) {
                asyncWaiters.add(w);
                waitingNow++;
            } else if (paused || closed) {
                rejected++;
                rejection = closed ? closedRejection() : timedOut(timeout);
            } else {
                inFlight++;
                admitted++;
                permit = new Permit(this, routes.take(avoid));
            }
        } finally {
            lock.unlock();
        }
        if (permit != null || rejection != null) {
            deliver(w.result(), permit, rejection, Duration.ZERO);
            return w.result();
        }
        try {
            ScheduledFuture<?> expiry = timer.schedule(() -> withdraw(w, false), nanos, TimeUnit.NANOSECONDS);
            w.result().whenComplete((p, e) -> {
                expiry.cancel(false);
                withdraw(w, true); // a no-op unless the future was cancelled while waiting
            });
        } catch (RejectedExecutionException e) {
            withdraw(w, false);
        }
        return w.result();
    }

    private static RequestRejectedException closedRejection() {
        return new RequestRejectedException("request rejected: the orchestrator is closed");
    }

    private RequestRejectedException timedOut(Duration timeout) {
        return new RequestRejectedException("request rejected after waiting " + format(timeout)
                + ": requests are paused because " + pauseReason + "; retry later");
    }

    /** Rejects an async waiter at its timeout, or forgets one whose future was cancelled; no-op once it left. */
    private void withdraw(AsyncWaiter w, boolean cancelled) {
        RequestRejectedException rejection;
        lock.lock();
        try {
            if (!asyncWaiters.remove(w)) {
                return;
            }
            waitingNow--;
            rejected++;
            rejection = cancelled ? null : timedOut(w.timeout());
        } finally {
            lock.unlock();
        }
        deliver(w.result(), null, rejection, w.waited());
    }

    /** Tells the listeners, then completes a future (outside the lock); a permit nobody can take is closed. */
    private void deliver(CompletableFuture<Permit> result, Permit permit, RequestRejectedException rejection,
            Duration waited) {
        waitListeners.tell(waited, permit != null);
        if (permit != null && !result.complete(permit)) {
            permit.close();
        } else if (rejection != null) {
            result.completeExceptionally(rejection);
        }
    }

    /** Admits every async waiter if the gate is open, rejects them if it is closed; else they go on waiting. */
    private void releaseAsyncWaiters() {
        List<AsyncWaiter> taken = new ArrayList<>();
        List<Permit> permits = new ArrayList<>();
        boolean admit;
        lock.lock();
        try {
            admit = !paused && !closed;
            if (admit || closed) {
                taken.addAll(asyncWaiters);
                asyncWaiters.clear();
                waitingNow -= taken.size();
                inFlight += admit ? taken.size() : 0;
                admitted += admit ? taken.size() : 0;
                rejected += admit ? 0 : taken.size();
                taken.forEach(w -> permits.add(admit ? new Permit(this, routes.take(w.avoid())) : null));
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < taken.size(); i++) {
            AsyncWaiter w = taken.get(i);
            deliver(w.result(), permits.get(i), admit ? null : closedRejection(), w.waited());
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
        return waitListeners.add(listener);
    }

    /**
     * The gate now, for the health view.
     *
     * @return paused, why, in flight, waiting, admitted and rejected, read at one instant
     */
    OrchestratorHealth.Gate view() {
        return locked(() -> new OrchestratorHealth.Gate(paused || closed,
                closed ? "the orchestrator is closed" : paused ? pauseReason : null, inFlight, waitingNow, admitted,
                rejected, routes.view()));
    }

    /** @return whether new requests are held now */
    public boolean isPaused() {
        return locked(() -> paused || closed);
    }

    /** @return how many requests hold a permit now */
    public int inFlight() {
        return locked(() -> inFlight);
    }

    /**
     * How many requests wait at the paused gate now.
     *
     * @return the callers inside {@link #enter(Duration)}, and the futures of
     *         {@link #enterAsync(Duration, ScheduledExecutorService)}, waiting for the gate to open
     */
    public int waiting() {
        return locked(() -> waitingNow);
    }

    /** @return how many requests were let in since the gate was created */
    public long admitted() {
        return locked(() -> admitted);
    }

    /** @return how many requests were rejected since the gate was created */
    public long rejected() {
        return locked(() -> rejected);
    }

    /** Holds new requests; the reason ends up in rejection messages ("requests are paused because ..."). */
    void pause(String reason) {
        Objects.requireNonNull(reason, "reason");
        underLock(() -> {
            paused = true;
            pauseReason = reason;
        });
    }

    /**
     * Waits until no request is in flight.
     *
     * @return whether they all finished within the timeout
     */
    boolean awaitDrained(Duration timeout) {
        return awaitUntil(() -> inFlight == 0, timeout);
    }

    /** Lets requests in again and wakes every waiting caller. */
    void resume() {
        underLock(() -> {
            paused = false;
            pauseReason = "";
            changed.signalAll();
        });
        releaseAsyncWaiters();
    }

    /**
     * Routes new requests to a pipeline too (or again), weighted by its capacity.
     *
     * @param capacity its predicted capacity (output tokens/s), or any positive weight
     */
    void serve(RunningPipeline pipeline, double capacity) {
        underLock(() -> routes.serve(pipeline, capacity));
    }

    /** @return whether some pipeline takes new requests (retired ones do not) */
    boolean anyServing() {
        return locked(routes::anyServing);
    }

    /** Routes no new request to a pipeline; those it holds go on (see {@link #awaitDrained(String, Duration)}). */
    void retire(String pipelineId) {
        underLock(() -> routes.retire(pipelineId));
    }

    /** Forgets a pipeline (stopped, or dead): permits still open on it end without effect on any other. */
    void forget(String pipelineId) {
        underLock(() -> routes.remove(pipelineId));
    }

    /** Forgets every pipeline but these (those that run). */
    void keepOnly(Collection<String> pipelineIds) {
        underLock(() -> routes.keepOnly(pipelineIds));
    }

    /**
     * Waits until a pipeline holds no request.
     *
     * @return whether its requests all finished within the timeout
     */
    boolean awaitDrained(String pipelineId, Duration timeout) {
        return awaitUntil(() -> routes.outstanding(pipelineId) == 0, timeout);
    }

    /** Waits, under the lock, until {@code done} holds; an interrupt ends the wait (the flag set again). */
    private boolean awaitUntil(BooleanSupplier done, Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = changed.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return done.getAsBoolean();
        } finally {
            lock.unlock();
        }
    }

    /** Rejects every waiting and future caller. */
    void close() {
        underLock(() -> {
            closed = true;
            changed.signalAll();
        });
        releaseAsyncWaiters();
    }

    private void exit(Routes.Route route) {
        underLock(() -> {
            inFlight--;
            routes.release(route);
            changed.signalAll();
        });
    }

    private void underLock(Runnable change) {
        locked(() -> {
            change.run();
            return null;
        });
    }

    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
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

    /** A caller of {@link #enterAsync} waiting for the gate to open. */
    private record AsyncWaiter(CompletableFuture<Permit> result, Duration timeout, long startNanos, String avoid) {
        Duration waited() {
            return GateListeners.since(startNanos);
        }
    }

    /** A request's pass through the gate; close it when the request is done. Thread-safe, idempotent. */
    public static final class Permit implements AutoCloseable {
        private final RequestGate gate;
        private final Routes.Route route;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Permit(RequestGate gate, Routes.Route route) {
            this.gate = gate;
            this.route = route;
        }

        /**
         * Where to send the request: the replica the gate chose for it when it was admitted.
         *
         * @return the pipeline, or empty if the gate routes to none (a gate outside an orchestrator, or one whose
         *         pipeline stopped between the admission and this call)
         */
        public Optional<RunningPipeline> pipeline() {
            return Optional.ofNullable(route).map(Routes.Route::pipeline);
        }

        /** Marks the request done; later calls do nothing. */
        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                gate.exit(route);
            }
        }
    }
}
