package dev.placement.core.orchestrator;

import dev.placement.api.LaunchException;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces what runs by a new placement: pause the gate → drain in-flight requests (bounded) → stop → launch
 * → verify that what started is what was asked → resume. If the launch fails the previous placement is
 * launched again (rollback); if that fails too, or nothing ran before, nothing runs: the orchestrator is
 * degraded, the gate stays paused, and the next attempt waits for a growing backoff. Anything the launcher
 * throws (an {@code Error} or an undeclared checked exception too) is a failed launch or stop, so the state,
 * the gate and the journal always end consistent. A pipeline nothing will use (the wrong one, or one whose launch
 * was abandoned at its deadline and became healthy later) is stopped. Two pipelines of the orchestrator's never
 * run at once: if what runs cannot be stopped and may still run, the switch is given up and it goes on; while a
 * pipeline that was to stop may still run ({@link Leftovers}), nothing is launched. Not thread-safe; called under
 * the tick lock.
 */
final class Switchover {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    /**
     * How a switchover ended.
     *
     * @param action  {@code RECONFIGURED}, {@code ROLLED_BACK} or {@code DEGRADED}
     * @param reason  what happened, in plain words, after the reason for switching
     * @param restart how long requests were held for a successful switch, or {@code null}
     */
    record Result(TickOutcome.Action action, String reason, Duration restart) {
    }

    /** Marks a launch whose caller gave up: what it returns later is stopped where it returns. */
    private static final Object ABANDONED = new Object();

    private final LoopParts parts;
    private final RequestGate gate;
    private final Duration drainTimeout;
    private final PluginCalls.Deadlines deadlines;
    private final PluginCalls calls;
    private final Leftovers leftovers;

    Switchover(LoopParts parts, RequestGate gate, LoopSettings settings, PluginCalls calls, Leftovers leftovers) {
        this.parts = parts;
        this.leftovers = leftovers;
        this.gate = gate;
        this.drainTimeout = settings.drainTimeout();
        this.deadlines = settings.deadlines();
        this.calls = calls;
    }

    /**
     * Switches to {@code target}.
     *
     * @param now     when the tick began
     * @param target  the placement to run
     * @param request the request it was chosen for (its engine settings go to the launcher)
     * @param before  what runs now, or null
     * @param why     why the switch is made, the start of the result's reason
     * @param state   the loop's state, updated as the switch goes
     */
    Result run(Instant now, Placement target, PlacementRequest request, RunningPipeline before, String why,
            LoopState state) {
        Placement previous = before == null ? null : before.placement();
        String leftover = leftovers.blocking();
        if (leftover != null) {
            return notLaunched(now, target, before, why, leftover + ": it may still run, and nothing is launched "
                    + "until it is stopped (retried at every tick)", state);
        }
        state.reconfiguring();
        parts.emit(new OrchestratorEvent.ReconfigurationStarted(now, previous, target));
        gate.pause(previous == null ? "the pipeline " + target + " is starting"
                : "the pipeline is being reconfigured from " + previous + " to " + target);
        Instant t0 = parts.clock().instant();
        if (!gate.awaitDrained(drainTimeout)) {
            LOG.warn("{} request(s) still in flight after the {} drain timeout; stopping the pipeline anyway",
                    gate.inFlight(), drainTimeout);
        }
        if (before != null) {
            String stillRuns = null;
            try {
                calls.run("stopping " + before.id(), deadlines.stop(), () -> parts.launcher().stop(before));
            } catch (Throwable e) {
                stillRuns = leftovers.stillRuns(before, "stopping " + before.id() + " failed (" + LoopParts.message(e)
                        + ")");
            }
            if (stillRuns != null) {
                // Launching now could leave two pipelines of ours running: what ran goes on (or is found dead).
                state.switchAbandoned();
                gate.resume();
                return new Result(TickOutcome.Action.FAILED, why + "; " + stillRuns + ", so " + target + " was not "
                        + "launched (two pipelines never run at once); " + previous + " goes on", null);
            }
            state.stopped();
        }
        String failure;
        try {
            RunningPipeline started = launch(target, request);
            Instant done = parts.clock().instant();
            Duration restart = Duration.between(t0, done);
            state.launched(started, done, restart);
            routeOnlyTo(started);
            gate.resume();
            parts.emit(new OrchestratorEvent.Reconfigured(done, target, restart));
            return new Result(TickOutcome.Action.RECONFIGURED,
                    why + "; healthy after " + Durations.describe(restart) + verified(started), restart);
        } catch (Throwable e) {
            failure = "launching " + target + " failed: " + LoopParts.message(e);
            LOG.warn(failure);
        }
        if (previous != null && Observer.usesOnly(previous, request.cluster())) {
            try {
                RunningPipeline restored = launch(previous, request);
                Instant done = parts.clock().instant();
                state.rolledBack(restored, done);
                routeOnlyTo(restored);
                gate.resume();
                parts.emit(new OrchestratorEvent.RolledBack(done, target, previous, failure));
                return new Result(TickOutcome.Action.ROLLED_BACK, failure + "; rolled back to " + previous, null);
            } catch (Throwable e) {
                failure = failure + "; rolling back to " + previous + " failed too: " + LoopParts.message(e);
                LOG.warn(failure);
            }
        }
        Instant done = parts.clock().instant();
        Duration wait = state.degraded(done, failure);
        gate.pause("no pipeline is running (" + failure + ")");
        parts.emit(new OrchestratorEvent.Degraded(done, failure, state.nextLaunchAttemptAt()));
        return new Result(TickOutcome.Action.DEGRADED, failure + "; degraded, next attempt in "
                + Durations.describe(wait), null);
    }

    /** Launches and verifies that the pipeline that started runs the placement asked for. */
    RunningPipeline launch(Placement placement, PlacementRequest request) {
        // A launch abandoned at its deadline goes on, on the thread left to it, and may still become healthy:
        // the pipeline it then returns is nobody's, and ran (holding its GPUs) for ever next to the one launched
        // instead (found by FaultInjectionTest). Whichever of the launch and the deadline comes second stops it.
        AtomicReference<Object> handoff = new AtomicReference<>();
        RunningPipeline started;
        try {
            started = calls.call("launching " + placement, deadlines.launch(), () -> {
                RunningPipeline p = parts.launcher().launch(placement, request);
                if (p != null && !handoff.compareAndSet(null, p)) {
                    LOG.warn("pipeline {} became healthy after its launch was abandoned; stopping it", p.id());
                    try {
                        parts.launcher().stop(p); // already on the abandoned call's own thread
                    } catch (Throwable e) {
                        leftovers.keep(p, "stopping it failed (" + LoopParts.message(e) + ")");
                    }
                }
                return p;
            });
        } catch (Throwable e) {
            if (handoff.getAndSet(ABANDONED) instanceof RunningPipeline late) {
                stopQuietly(late);
            }
            throw e;
        }
        if (started == null) {
            throw new LaunchException("the launcher returned no pipeline (null)");
        }
        if (!started.placement().equals(placement)) {
            stopQuietly(started);
            throw new LaunchException("the launcher started " + started.placement() + " instead");
        }
        return started;
    }

    /** The gate's permits name this pipeline, and no other. */
    private void routeOnlyTo(RunningPipeline p) {
        gate.keepOnly(List.of());
        gate.serve(p, 1.0);
    }

    /** @return where the launcher verified the ranks run, for the journal, or nothing if it does not verify */
    private static String verified(RunningPipeline p) {
        return p.verifiedRanks().isEmpty() ? "" : "; ranks verified on " + String.join(", ", p.verifiedRanks());
    }

    /**
     * Stops a pipeline nothing will use, with the stop deadline, also while the orchestrator closes (nothing
     * else would stop it); one that may still run is stopped again at later ticks.
     */
    private void stopQuietly(RunningPipeline p) {
        leftovers.stop(p);
    }

    /**
     * A switch that launches nothing because a pipeline of ours may still run: what runs goes on (the tick
     * fails and deciding backs off); with nothing running, the orchestrator is degraded until it can launch.
     */
    Result notLaunched(Instant now, Placement target, RunningPipeline before, String why, String because,
            LoopState state) {
        String failure = "not launching " + target + ": " + because;
        LOG.warn(failure);
        if (before != null) {
            state.switchAbandoned(); // retried once the leftover is gone and the decision backoff has passed
            return new Result(TickOutcome.Action.FAILED, why + "; " + failure, null);
        }
        Duration wait = state.degraded(now, failure);
        gate.pause("no pipeline is running (" + failure + ")");
        parts.emit(new OrchestratorEvent.Degraded(now, failure, state.nextLaunchAttemptAt()));
        return new Result(TickOutcome.Action.DEGRADED, why + "; " + failure + "; degraded, next attempt in "
                + Durations.describe(wait), null);
    }
}
