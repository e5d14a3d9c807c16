package dev.placement.core.orchestrator;

import dev.placement.api.MetricsSource;
import dev.placement.api.RunningPipeline;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pipeline's layer placement right for the network it runs on: observe → decide → reconfigure, in a
 * loop.
 *
 * <p><b>Observe</b> (every tick): the inventory's nodes, minus those the probe found unreachable; the probe's
 * RTTs and bandwidths, smoothed per link by the median of the last
 * {@linkplain PlacementOrchestratorBuilder#smoothingWindow(int) few} samples (so a spike changes nothing); if a
 * {@link dev.placement.api.MetricsSource} is given, its measured metrics and the workload it saw (smoothed the
 * same way; planned for unless a workload is pinned); and the running placement's predicted metrics.
 *
 * <p><b>Decide</b> only when something matters — the agent (perhaps an LLM) is expensive and is not asked
 * every tick: nothing runs yet; a node joined or left; a link's smoothed RTT moved beyond both the relative
 * and the absolute threshold since the last decision (a link that keeps flipping is
 * {@linkplain PlacementOrchestratorBuilder#linkFlapDamping(int, Duration) held} at its worst RTT, so it asks
 * once, not on every flip); measured metrics break the objective's bounds; the
 * maximum interval passed; or a better placement held back by the cooldown may now be applied. Each reason
 * is a {@link Trigger}. The decision carries its own prediction; one check
 * ({@link dev.placement.api.PlacementRequest#problemsWith}) makes sure it can run on what was observed.
 *
 * <p><b>Reconfigure</b> only when the chosen placement differs from the running one, the cooldown since the
 * last reconfiguration passed, and the predicted gain over the
 * {@linkplain PlacementOrchestratorBuilder#horizon(Duration) horizon} outweighs the cost of a restart:
 * {@code horizon × relative improvement of the objective's score > restart time × load}, where the restart
 * time is the median of the last measured restarts (the
 * {@linkplain PlacementOrchestratorBuilder#defaultRestartTime(Duration) default} until one is measured). A
 * running placement one of whose links is unknown is replaced at once. A running pipeline that is dead — a
 * node it uses is gone (even if it came back between two ticks), or the launcher's
 * {@link dev.placement.api.PipelineLauncher#isAlive health check} says so — is never reported: the state
 * becomes {@link OrchestratorState#DEGRADED}, {@link #running()} is empty, the gate holds requests (each
 * rejected after its own timeout, with the reason), and a placement is launched again at once, or as soon as
 * one is feasible, even if it is the one that died. The switchover: pause the {@link RequestGate}, wait for
 * in-flight requests (bounded), stop, launch (which returns once healthy) with the engine settings the
 * placement was chosen under, check that what started is what was asked, resume. If the launch fails the
 * previous placement is launched again; if that fails too the orchestrator is {@link OrchestratorState#DEGRADED}:
 * the gate stays paused (callers are rejected after their timeout) and it retries with exponential backoff. It
 * never runs two pipelines of its own: a switch whose old pipeline does not stop (and is not reported gone) is
 * given up, and a pipeline that was to stop but may still run is stopped again at every tick and on close, nothing
 * being launched meanwhile.
 *
 * <p><b>Learn</b> (with a {@linkplain PlacementOrchestratorBuilder#calibration calibrated model}): after each
 * decision that leaves a pipeline running, once it has served a steady window, the measured run recalibrates
 * the model (adopted only if it lowers the cross-validated error); the calibration is journaled, and one that
 * changed the model asks the agent again.
 *
 * <p><b>Replicas</b> ({@link PlacementOrchestratorBuilder#replicas(int)}): several pipelines at once, on disjoint
 * nodes, planned by the {@link dev.placement.core.ReplicaPlanner} instead of an agent; each request goes to the
 * replica its {@link RequestGate.Permit#pipeline() permit} names; a dead replica is taken out while the others
 * serve; a new plan is rolled out one replica at a time, so with two or more replicas no request waits.
 *
 * <p>Until the first pipeline is healthy the gate is paused, so requests sent before then wait (bounded) like
 * requests sent during a reconfiguration.
 *
 * <p>Every decision goes to the {@link DecisionJournal}, followed by the first metrics measured after it;
 * listeners (the builder's, and those {@linkplain #subscribe(Consumer) subscribed} later) receive
 * {@link OrchestratorEvent}s on the ticking thread while it holds the tick lock (keep them quick; an exception in
 * one is logged and ignored). {@link #health()} is what a health endpoint polls.
 *
 * <p>Thread-safe. Ticks never overlap, so two reconfigurations never run at once: {@link #runOnce()} called
 * while the scheduled loop ticks waits for it. Time comes only from the injected clock, so tests and
 * simulations run hours of loop in milliseconds.
 */
public final class PlacementOrchestrator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    private final LoopSettings settings;
    private final LoopParts parts;
    private final ScheduledExecutorService givenScheduler;
    private final RequestGate gate = new RequestGate();
    private final ReentrantLock tickLock = new ReentrantLock();
    private final PluginCalls calls = new PluginCalls();
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private final LoopState state;
    private final Loop loop;
    private final Leftovers leftovers;

    private volatile boolean closed;
    private ScheduledFuture<?> scheduled;
    private ScheduledExecutorService ownScheduler;

    PlacementOrchestrator(LoopSettings settings, LoopParts parts, ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.parts = parts;
        this.givenScheduler = scheduler;
        this.state = new LoopState(settings);
        this.leftovers = new Leftovers(parts, settings, calls);
        this.loop = new Loop(settings, parts, state, gate, calls, leftovers);
        gate.pause("no pipeline has been started yet");
    }

    /**
     * Starts a builder. Required: the inventory, probe, agent (unless {@linkplain PlacementOrchestratorBuilder#replicas
     * replicas} are planned instead), launcher and model; every other setting has a default, documented on
     * {@link PlacementOrchestratorBuilder}.
     *
     * @return a new builder
     */
    public static PlacementOrchestratorBuilder builder() {
        return new PlacementOrchestratorBuilder();
    }

    /**
     * Runs the loop: a tick now, then one every
     * {@linkplain PlacementOrchestratorBuilder#tickInterval(Duration) tick interval} on the scheduler (a
     * single daemon thread owned by this orchestrator if none was given).
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        tickLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the orchestrator is closed");
            }
            if (scheduled != null) {
                throw new IllegalStateException("the orchestrator is already started");
            }
            ScheduledExecutorService s = givenScheduler != null ? givenScheduler : ownScheduler();
            scheduled = s.scheduleWithFixedDelay(this::tickSafely, 0, settings.tickInterval().toMillis(),
                    TimeUnit.MILLISECONDS);
        } finally {
            tickLock.unlock();
        }
    }

    private ScheduledExecutorService ownScheduler() {
        ownScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "placement-orchestrator");
            t.setDaemon(true);
            return t;
        });
        return ownScheduler;
    }

    private void tickSafely() {
        try {
            runOnce();
        } catch (Throwable e) {
            // A scheduled task that throws is never run again; the loop must survive any one bad tick.
            LOG.warn("orchestrator tick failed: {}", e.toString(), e);
        }
    }

    /**
     * Runs one observe → decide → reconfigure tick now, on the calling thread. Waits if another tick is
     * running. Failures of the inventory, probe, agent or launcher do not throw: they are in the outcome.
     *
     * @return what the tick observed, decided and did
     * @throws IllegalStateException if the orchestrator is closed
     */
    public TickOutcome runOnce() {
        tickLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the orchestrator is closed");
            }
            TickOutcome outcome = loop.tick();
            parts.emit(new OrchestratorEvent.TickCompleted(outcome.at(), outcome));
            return outcome;
        } finally {
            tickLock.unlock();
        }
    }

    /**
     * Adds a listener for every later event, like the builder's
     * {@link PlacementOrchestratorBuilder#listener(Consumer) listener}: called in turn with the others on the
     * ticking thread while it holds the tick lock (never the gate's lock, so requests are not held by it), so keep
     * it quick and do not call {@link #runOnce()} or {@link #close()} from it; one that throws is logged at WARN and
     * the others still hear the event. Several may be subscribed, at any time and from any thread; a tick in
     * progress goes on with the listeners it started with.
     *
     * @param listener the listener; not null
     * @return its subscription: close it to stop hearing
     */
    public Subscription subscribe(Consumer<? super OrchestratorEvent> listener) {
        return parts.listeners().add(listener);
    }

    /**
     * What a health endpoint shows: the status (UP, DEGRADED or DOWN, from the state), the state, what runs, the
     * last decision, why nothing runs if so, and the gate. Never waits for a tick: callable from any thread at any
     * time, cheaply (it takes only the gate's lock, briefly).
     *
     * @return the health now
     */
    public OrchestratorHealth health() {
        return OrchestratorHealth.of(state.view(), gate.view());
    }

    /** @return the gate the embedding application passes each request through */
    public RequestGate gate() {
        return gate;
    }

    /** @return the state now */
    public OrchestratorState state() {
        return state.state();
    }

    /** @return the running pipeline (with {@linkplain PlacementOrchestratorBuilder#replicas replicas}, the first), or
     *          empty if none runs */
    public Optional<RunningPipeline> running() {
        return Optional.ofNullable(state.running());
    }

    /**
     * Every pipeline that runs: the one pipeline, or with {@linkplain PlacementOrchestratorBuilder#replicas
     * replicas} each replica, in the order they started. The gate's {@link RequestGate.Permit#pipeline()} says
     * which one a request goes to.
     *
     * @return the pipelines that run now; empty if none does
     */
    public List<RunningPipeline> replicas() {
        return state.replicas();
    }

    /** @return the decision journal (the one given to the builder, or an in-memory one) */
    public DecisionJournal journal() {
        return parts.journal();
    }

    /** @return the restart time now expected: the median of the last measured restarts, or the default */
    public Duration expectedRestartTime() {
        tickLock.lock();
        try {
            return state.restartTimes().estimate();
        } finally {
            tickLock.unlock();
        }
    }

    /**
     * Stops the loop, rejects every waiting and future request, and (unless
     * {@link PlacementOrchestratorBuilder#stopPipelineOnClose(boolean)} was turned off) stops the running
     * pipeline once the requests in flight have finished, waiting for them at most the
     * {@linkplain PlacementOrchestratorBuilder#drainTimeout(Duration) drain timeout}, as a reconfiguration
     * does. A running tick is not waited for beyond that: the plug-in calls it is making are abandoned, so
     * {@code close()} returns within twice the drain timeout plus the
     * {@linkplain PlacementOrchestratorBuilder#stopTimeout(Duration) stop timeout} and a few seconds, whatever
     * the plug-ins do. Does not close the journal. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        gate.close();
        // A tick blocked in a plug-in fails at once; one draining for a switchover waits at most the drain timeout.
        calls.abandonAll();
        boolean locked = false;
        try {
            locked = tickLock.tryLock(settings.drainTimeout().plusSeconds(5).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            LOG.warn("a tick is still running; closing without waiting for it");
        }
        try {
            List<RunningPipeline> running = state.replicas();
            boolean stop = !running.isEmpty() && settings.stopPipelineOnClose();
            if (stop) {
                // Like a reconfiguration: requests already admitted finish first (bounded by the drain timeout).
                if (!gate.awaitDrained(settings.drainTimeout())) {
                    LOG.warn("{} request(s) still in flight after the {} drain timeout; stopping the pipeline anyway",
                            gate.inFlight(), settings.drainTimeout());
                }
                for (RunningPipeline r : running) {
                    try {
                        calls.callWhileClosing("stopping " + r.id(), settings.deadlines().stop(), () -> {
                            parts.launcher().stop(r);
                            return null;
                        });
                    } catch (Throwable e) {
                        LOG.warn("could not stop pipeline {} on close: {}", r.id(), e.getMessage());
                    }
                }
            }
            leftovers.closing();
            state.closed(stop);
        } finally {
            if (locked) {
                tickLock.unlock();
            }
            calls.shutdown();
            if (ownScheduler != null) {
                ownScheduler.shutdownNow();
            }
        }
    }
}
