package dev.placement.core.orchestrator;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.ReplicaPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls the running replicas over to a new plan, one replica at a time, while the others serve. A running replica
 * the plan keeps (same placement) goes on, with its new capacity. Each new replica is then started in turn, those
 * whose nodes are free first (they add capacity before any is taken away); for one whose nodes a running replica
 * holds, that replica is first retired (the gate sends it no new request), drained (bounded by the drain timeout)
 * and stopped. The gate is paused only while no replica serves at all (the first start, or a change that replaces
 * the only one), so with two or more replicas no request is held. Replicas the plan does not use are drained and
 * stopped last.
 *
 * <p>If a launch fails, the replicas stopped for it are launched again (rollback) and the rollout ends there: what
 * serves goes on, and the tick fails (deciding backs off) unless nothing serves, when the orchestrator is degraded.
 * A replica that cannot be stopped and may still run serves again, and the rollout ends. While a pipeline of ours
 * that was to stop may still run ({@link Leftovers}), nothing is launched. Not thread-safe; called under the tick
 * lock.
 */
final class RollingSwitchover {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    private final LoopParts parts;
    private final RequestGate gate;
    private final LoopSettings settings;
    private final PluginCalls calls;
    private final Leftovers leftovers;
    private final Switchover switchover;

    RollingSwitchover(LoopParts parts, RequestGate gate, LoopSettings settings, PluginCalls calls, Leftovers leftovers,
            Switchover switchover) {
        this.parts = parts;
        this.gate = gate;
        this.settings = settings;
        this.calls = calls;
        this.leftovers = leftovers;
        this.switchover = switchover;
    }

    /** One rollout under way: what runs, what is still to stop, and what it did. */
    private final class Rollout {
        final List<RunningPipeline> current;
        final List<RunningPipeline> toStop;
        final Map<String, Double> capacity = new HashMap<>();
        final List<String> steps = new ArrayList<>();
        final LoopState state;
        boolean changed;
        Duration longest;

        Rollout(List<RunningPipeline> before, LoopState state) {
            this.current = new ArrayList<>(before);
            this.toStop = new ArrayList<>(before);
            this.state = state;
            gate.view().replicas().forEach(r -> capacity.put(r.id(), r.capacity()));
        }

        /** A pipeline serves from now on, with its capacity; the gate opens if it was held for want of one. */
        void serves(RunningPipeline p, double cap) {
            capacity.put(p.id(), cap);
            gate.serve(p, cap);
            if (!current.contains(p)) {
                current.add(p);
                state.replicasNow(current);
            }
            if (gate.isPaused()) {
                gate.resume();
            }
        }

        /**
         * Retires, drains and stops a running replica.
         *
         * @return null once it is stopped, else why it may still run (it then serves again)
         */
        String drainAndStop(RunningPipeline r) {
            gate.retire(r.id());
            if (!gate.anyServing()) {
                gate.pause("the replica " + r.placement() + " is being replaced and no other replica serves");
            }
            if (!gate.awaitDrained(r.id(), settings.drainTimeout())) {
                LOG.warn("requests still in flight on {} after the {} drain timeout; stopping it anyway", r.id(),
                        settings.drainTimeout());
            }
            try {
                calls.run("stopping " + r.id(), settings.deadlines().stop(), () -> parts.launcher().stop(r));
            } catch (Throwable e) {
                String stillRuns = leftovers.stillRuns(r, "stopping " + r.id() + " failed ("
                        + LoopParts.message(e) + ")");
                if (stillRuns != null) {
                    serves(r, capacity.getOrDefault(r.id(), 1.0));
                    return stillRuns;
                }
            }
            gate.forget(r.id());
            current.remove(r);
            toStop.remove(r);
            state.replicasNow(current);
            changed = true;
            steps.add("stopped " + r.placement());
            return null;
        }
    }

    /**
     * Rolls over to {@code plan}.
     *
     * @param now     when the tick began
     * @param plan    the replicas to run
     * @param request the request the plan was made for (its engine settings go to the launcher)
     * @param before  the replicas that run now, perhaps none
     * @param why     why the change is made, the start of the result's reason
     * @param state   the loop's state, updated as the rollout goes
     */
    Switchover.Result run(Instant now, ReplicaPlan plan, PlacementRequest request, List<RunningPipeline> before,
            String why, LoopState state) {
        Placement first = plan.replicas().get(0).prediction().placement();
        RunningPipeline running = before.isEmpty() ? null : before.get(0);
        String leftover = leftovers.blocking();
        if (leftover != null) {
            return switchover.notLaunched(now, first, running, why, leftover + ": it may still run, and nothing is "
                    + "launched until it is stopped (retried at every tick)", state);
        }
        state.reconfiguring();
        parts.emit(new OrchestratorEvent.ReconfigurationStarted(now, running == null ? null : running.placement(),
                first));
        Rollout roll = new Rollout(before, state);
        List<ReplicaPlan.Replica> toStart = new ArrayList<>();
        for (ReplicaPlan.Replica r : plan.replicas()) {
            RunningPipeline same = roll.toStop.stream()
                    .filter(p -> p.placement().equals(r.prediction().placement())).findFirst().orElse(null);
            if (same != null) {
                roll.toStop.remove(same);
                roll.serves(same, r.capacity());
            } else {
                toStart.add(r);
            }
        }
        toStart.sort(Comparator.comparingInt(r -> conflicts(r.prediction().placement(), roll.toStop).size()));
        for (ReplicaPlan.Replica r : toStart) {
            String failure = start(roll, r, request);
            if (failure != null) {
                return ended(roll, failure);
            }
        }
        for (RunningPipeline r : List.copyOf(roll.toStop)) {
            String stillRuns = roll.drainAndStop(r);
            if (stillRuns != null) {
                return ended(roll, "the plan does not use " + r.placement() + ", but " + stillRuns);
            }
        }
        Instant done = parts.clock().instant();
        state.replicasRolled(roll.current, done, roll.changed, roll.longest);
        return new Switchover.Result(TickOutcome.Action.RECONFIGURED, why + "; " + (roll.steps.isEmpty()
                ? "capacities updated" : String.join(", ", roll.steps)), roll.longest);
    }

    /** Starts one new replica, after stopping the running ones on its nodes. @return null, else why it failed */
    private String start(Rollout roll, ReplicaPlan.Replica replica, PlacementRequest request) {
        Placement target = replica.prediction().placement();
        Instant t0 = parts.clock().instant();
        List<RunningPipeline> stopped = new ArrayList<>();
        for (RunningPipeline c : conflicts(target, roll.toStop)) {
            String stillRuns = roll.drainAndStop(c);
            if (stillRuns != null) {
                return rollBack(roll, target, stopped, request, "not launching " + target + ": " + stillRuns);
            }
            stopped.add(c);
        }
        try {
            RunningPipeline started = switchover.launch(target, request);
            Instant done = parts.clock().instant();
            Duration restart = Duration.between(t0, done);
            roll.longest = roll.longest == null || restart.compareTo(roll.longest) > 0 ? restart : roll.longest;
            roll.changed = true;
            roll.serves(started, replica.capacity());
            roll.steps.add(target + " healthy after " + Durations.describe(restart));
            parts.emit(new OrchestratorEvent.Reconfigured(done, target, restart));
            return null;
        } catch (Throwable e) {
            String failure = "launching " + target + " failed: " + LoopParts.message(e);
            LOG.warn(failure);
            return rollBack(roll, target, stopped, request, failure);
        }
    }

    /** Launches again the replicas stopped for a launch that failed. @return the failure, with what it did */
    private String rollBack(Rollout roll, Placement target, List<RunningPipeline> stopped, PlacementRequest request,
            String failure) {
        StringBuilder why = new StringBuilder(failure);
        for (RunningPipeline old : stopped) {
            if (!Observer.usesOnly(old.placement(), request.cluster())) {
                continue;
            }
            try {
                RunningPipeline back = switchover.launch(old.placement(), request);
                roll.serves(back, roll.capacity.getOrDefault(old.id(), 1.0));
                parts.emit(new OrchestratorEvent.RolledBack(parts.clock().instant(), target, old.placement(), failure));
                why.append("; rolled back to ").append(old.placement());
            } catch (Throwable e) {
                why.append("; relaunching ").append(old.placement()).append(" failed too: ")
                        .append(LoopParts.message(e));
            }
        }
        return why.toString();
    }

    /** The rollout stopped at a failure: what serves goes on (the tick fails), or nothing does (degraded). */
    private Switchover.Result ended(Rollout roll, String failure) {
        LOG.warn(failure);
        Instant done = parts.clock().instant();
        if (!roll.current.isEmpty()) {
            roll.state.replicasRolled(roll.current, done, roll.changed, roll.longest);
            return new Switchover.Result(TickOutcome.Action.FAILED, failure + "; " + roll.current.size()
                    + " replica(s) serve on", null);
        }
        Duration wait = roll.state.degraded(done, failure);
        gate.pause("no pipeline is running (" + failure + ")");
        parts.emit(new OrchestratorEvent.Degraded(done, failure, roll.state.nextLaunchAttemptAt()));
        return new Switchover.Result(TickOutcome.Action.DEGRADED, failure + "; degraded, next attempt in "
                + Durations.describe(wait), null);
    }

    /** The running replicas that use a node of {@code target}. */
    private static List<RunningPipeline> conflicts(Placement target, List<RunningPipeline> running) {
        return running.stream().filter(p -> p.placement().nodeIds().stream().anyMatch(target::uses)).toList();
    }
}
