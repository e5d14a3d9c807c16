package dev.placement.core.orchestrator;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.PlacedReplicas;
import dev.placement.core.ReplicaPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The decide and apply steps of a tick in replica mode: ask the {@link dev.placement.core.ReplicaPlanner} for a
 * plan, keep the running replicas if it names the same placements, else weigh the change
 * ({@link ReconfigurationPolicy#judgeReplicas}: the gain against the capacity lost while the changed replicas
 * restart) and roll it out ({@link RollingSwitchover}). Not thread-safe; called under the tick lock.
 */
final class ReplicaDecider {
    /** The name the journal gives the decider. */
    static final String NAME = "replica-planner";

    /**
     * What the step decided and did.
     *
     * @param decision the plan as a decision (its first replica, the whole plan in the rationale), or null if none
     * @param action   what was done
     * @param reason   why, in plain words
     * @param restart  the longest restart of one replica, or null
     */
    record Outcome(PlacementDecision decision, TickOutcome.Action action, String reason, Duration restart) {
    }

    private final LoopParts parts;
    private final LoopSettings settings;
    private final RequestGate gate;
    private final PluginCalls calls;
    private final ReconfigurationPolicy policy;
    private final RollingSwitchover rolling;

    ReplicaDecider(LoopParts parts, LoopSettings settings, RequestGate gate, PluginCalls calls,
            RollingSwitchover rolling) {
        this.parts = parts;
        this.settings = settings;
        this.gate = gate;
        this.calls = calls;
        this.policy = new ReconfigurationPolicy(settings);
        this.rolling = rolling;
    }

    Outcome decideAndApply(Instant at, Set<Trigger> triggers, PlacementRequest request, LoopState state) {
        LoopParts.Replicas replicas = parts.replicas();
        ReplicaPlan plan;
        try {
            if (request.cluster().nodes().isEmpty()) {
                throw new InfeasiblePlacementException("no node is reachable");
            }
            plan = calls.call("the replica planner", settings.deadlines().agent(), () -> replicas.count() == 0
                    ? replicas.planner().plan(request) : replicas.planner().plan(request, replicas.count()));
        } catch (InfeasiblePlacementException e) {
            state.decided(at, request);
            String reason = "no feasible placement: " + LoopParts.message(e);
            if (state.replicas().isEmpty()) {
                state.decidingFailed(at, reason);
                gate.pause(reason);
            }
            return new Outcome(null, TickOutcome.Action.NO_FEASIBLE_PLACEMENT, reason, null);
        } catch (Throwable e) {
            return new Outcome(null, TickOutcome.Action.FAILED, "the replica planner failed: " + LoopParts.message(e),
                    null);
        }
        state.decided(at, request);
        PlacementDecision decision = decision(plan);
        parts.emit(new OrchestratorEvent.DecisionMade(at, triggers, decision));
        state.decidingSucceeded();

        List<RunningPipeline> running = state.replicas();
        List<Placement> targets = plan.replicas().stream().map(r -> r.prediction().placement()).toList();
        List<Placement> now = running.stream().map(RunningPipeline::placement).toList();
        if (!running.isEmpty() && new HashSet<>(now).equals(new HashSet<>(targets))) {
            for (ReplicaPlan.Replica r : plan.replicas()) {
                running.stream().filter(p -> p.placement().equals(r.prediction().placement())).findFirst()
                        .ifPresent(p -> gate.serve(p, r.capacity()));
            }
            return new Outcome(decision, TickOutcome.Action.KEPT, "the replica planner kept the running replicas",
                    null);
        }
        String why;
        if (running.isEmpty()) {
            why = state.state() != OrchestratorState.DEGRADED ? "no pipeline was running"
                    : state.degradedBecause() != null ? state.degradedBecause() : "retrying after a failed launch";
        } else {
            ReplicaPlan current = null;
            String cannot = null;
            try {
                current = PlacedReplicas.predict(replicas.model(), request, now);
            } catch (RuntimeException e) {
                cannot = "a running replica can no longer run as it is (" + LoopParts.message(e) + ")";
            }
            if (current == null) {
                why = cannot;
            } else {
                RestartTimes restarts = state.restartTimes();
                ReconfigurationPolicy.Verdict verdict = policy.judgeReplicas(at, state.lastReconfiguredAt(),
                        restarts.estimate(), restarts.learnt(), current, plan, restartedShare(current, targets));
                if (!verdict.apply()) {
                    state.heldBack(verdict.heldByCooldown());
                    parts.emit(new OrchestratorEvent.ReconfigurationSkipped(at, targets.get(0), verdict.reason()));
                    return new Outcome(decision, TickOutcome.Action.SKIPPED, verdict.reason(), null);
                }
                why = verdict.reason();
            }
        }
        Switchover.Result r = rolling.run(at, plan, request, running, why, state);
        return new Outcome(decision, r.action(), r.reason(), r.restart());
    }

    /** The share of the running replicas' capacity that the plan restarts (those it does not keep). */
    private static double restartedShare(ReplicaPlan current, List<Placement> targets) {
        double all = 0;
        double restarted = 0;
        for (ReplicaPlan.Replica r : current.replicas()) {
            all += r.capacity();
            restarted += targets.contains(r.prediction().placement()) ? 0 : r.capacity();
        }
        return all > 0 ? restarted / all : 1.0;
    }

    /** The plan as one decision: its first replica, with every replica and the cluster totals in the rationale. */
    private static PlacementDecision decision(ReplicaPlan plan) {
        List<String> each = new ArrayList<>();
        for (ReplicaPlan.Replica r : plan.replicas()) {
            each.add(String.format(Locale.ROOT, "%s (%d in flight, capacity %.1f tok/s)",
                    r.prediction().placement().toSpec(), r.concurrency(), r.capacity()));
        }
        ReplicaPlan.Totals t = plan.totals();
        String rationale = String.format(Locale.ROOT, "%d replica(s): %s%s; cluster predicted %.1f tok/s, goodput "
                + "%.2f req/s, mean TTFT %.0f ms, mean ITL %.1f ms", plan.replicas().size(), String.join("; ", each),
                plan.unusedNodes().isEmpty() ? "" : "; unused: " + String.join(", ", plan.unusedNodes()),
                t.outputTokensPerSecond(), t.goodput(), t.meanTtftMillis(), t.meanItlMillis());
        ReplicaPlan.Replica first = plan.replicas().get(0);
        return new PlacementDecision(first.prediction().placement(), NAME, rationale, first.prediction().metrics(),
                null);
    }
}
