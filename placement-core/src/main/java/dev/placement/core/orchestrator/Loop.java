package dev.placement.core.orchestrator;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One tick of a {@link PlacementOrchestrator}, as its steps: observe ({@link Observer}) → should the agent be
 * asked ({@link TriggerRules}) → decide (the agent, and one check of its answer) → does a switch pay
 * ({@link ReconfigurationPolicy}) → switch over ({@link Switchover}) → record (journal and outcome). Not
 * thread-safe; the orchestrator runs one tick at a time under its lock.
 */
final class Loop {
    private final LoopSettings settings;
    private final LoopParts parts;
    private final LoopState state;
    private final RequestGate gate;
    private final Observer observer;
    private final ReconfigurationPolicy policy;
    private final Switchover switchover;
    /** Decides and rolls out replicas instead of asking the agent; null in single-pipeline mode. */
    private final ReplicaDecider replicas;

    private final PluginCalls calls;
    private final Leftovers leftovers;

    Loop(LoopSettings settings, LoopParts parts, LoopState state, RequestGate gate, PluginCalls calls,
            Leftovers leftovers) {
        this.calls = calls;
        this.leftovers = leftovers;
        this.settings = settings;
        this.parts = parts;
        this.state = state;
        this.gate = gate;
        this.observer = new Observer(parts, settings, calls, leftovers);
        this.policy = new ReconfigurationPolicy(settings);
        this.switchover = new Switchover(parts, gate, settings, calls, leftovers);
        this.replicas = parts.replicas() == null ? null : new ReplicaDecider(parts, settings, gate, calls,
                new RollingSwitchover(parts, gate, settings, calls, leftovers, switchover));
    }

    /** What a tick is about once it has observed: when, what it saw, and why the agent is asked. */
    private record Tick(Instant at, Observer.Observed seen, Set<Trigger> triggers) {
    }

    TickOutcome tick() {
        Instant now = parts.clock().instant();
        leftovers.retry(now);
        Observer.Observed seen;
        try {
            seen = observer.observe(now, state);
        } catch (Throwable e) {
            String error = "observing the cluster failed: " + LoopParts.message(e);
            if (e instanceof Observer.DiedThenFailed d) {
                // The inventory showed the pipeline dead before the probe failed: hold requests as below.
                died(now, d.died());
            }
            parts.emit(new OrchestratorEvent.TickFailed(now, error));
            return new TickOutcome(now, state.lastCluster(), state.lastConnectivity(), Set.of(), null,
                    TickOutcome.Action.FAILED, error, runningPlacement(), null, null, state.state());
        }
        if (seen.died() != null) {
            died(now, seen.died());
        }
        Tick tick = new Tick(now, seen, TriggerRules.of(now, seen, state, settings));
        if (tick.triggers().isEmpty()) {
            return outcome(tick, null, TickOutcome.Action.NOTHING_CHANGED, state.state() == OrchestratorState.DEGRADED
                    ? "degraded: nothing runs; next attempt at " + state.nextLaunchAttemptAt()
                    : "nothing changed that matters", seen.runningPredicted());
        }
        // The last decision failed: asking again every tick would hammer a failing (LLM) service. A node that
        // joins, or one the running placement loses, is worth asking about at once.
        String heldBack = state.decidingHeldBack(now);
        if (heldBack != null && !TriggerRules.urgent(seen, state)) {
            return outcome(tick, null, TickOutcome.Action.NOTHING_CHANGED, heldBack, seen.runningPredicted());
        }
        return decideAndApply(tick);
    }

    /**
     * A pipeline died: the gate routes no request to it; when none is left, requests to a dead pipeline would fail
     * or hang, so they are held (bounded by their timeout) until a placement runs again.
     */
    private void died(Instant now, String why) {
        List<String> alive = state.replicas().stream().map(RunningPipeline::id).toList();
        gate.keepOnly(alive);
        if (alive.isEmpty()) {
            gate.pause(why);
            parts.emit(new OrchestratorEvent.Degraded(now, why, now));
        }
    }

    /** Asks the agent, checks its answer against what was observed, and applies it if it pays. */
    private TickOutcome decideAndApply(Tick t) {
        Observer.Observed seen = t.seen();
        if (replicas != null) {
            ReplicaDecider.Outcome r = replicas.decideAndApply(t.at(), t.triggers(), seen.request(), state);
            return r.action() == TickOutcome.Action.FAILED ? failed(t, r.decision(), r.reason())
                    : finish(t, r.decision(), r.action(), r.reason(), r.restart(), null);
        }
        PlacementDecision decision;
        try {
            if (seen.cluster().nodes().isEmpty()) {
                throw new InfeasiblePlacementException("no node is reachable");
            }
            decision = calls.call("the agent", settings.deadlines().agent(),
                    () -> parts.agent().decide(seen.request()));
            if (decision == null) {
                return failed(t, null, "agent '" + parts.agent().name() + "' returned no decision (null)");
            }
        } catch (InfeasiblePlacementException e) {
            state.decided(t.at(), seen.request());
            String reason = "no feasible placement: " + LoopParts.message(e);
            if (seen.running() == null) {
                state.decidingFailed(t.at(), reason);
                gate.pause(reason);
            }
            return finish(t, null, TickOutcome.Action.NO_FEASIBLE_PLACEMENT, reason, null, seen.runningPredicted());
        } catch (Throwable e) {
            // An Error or a sneaky checked exception is a failed decision like any other: it backs off.
            return failed(t, null, "agent '" + parts.agent().name() + "' failed: " + LoopParts.message(e));
        }
        state.decided(t.at(), seen.request());
        parts.emit(new OrchestratorEvent.DecisionMade(t.at(), t.triggers(), decision));
        state.decidingSucceeded();

        Estimate proposal = check(decision, seen.request());
        if (proposal.metrics() == null) {
            return failed(t, decision, "agent '" + decision.agent() + "' proposed " + decision.placement()
                    + ", which is not usable: " + proposal.problemOr("the performance model cannot evaluate it"));
        }
        return apply(t, decision, proposal);
    }

    /**
     * The one check of a decision against what was observed, and what it is predicted to do: the performance
     * model's whole prediction when the predictor is one (the policy compares served load and spread), else the
     * decision's own prediction when it carries one, so that nothing predicts it again.
     */
    private Estimate check(PlacementDecision decision, PlacementRequest request) {
        List<String> problems = request.problemsWith(decision.placement());
        if (!problems.isEmpty()) {
            return new Estimate(null, String.join("; ", problems));
        }
        return decision.predicted() != null && Estimate.model(parts.predictor()) == null
                ? new Estimate(decision.predicted(), null)
                : Estimate.of(parts.predictor(), decision.placement(), request);
    }

    private TickOutcome apply(Tick t, PlacementDecision decision, Estimate proposal) {
        PipelineMetrics proposedPredicted = proposal.metrics();
        Observer.Observed seen = t.seen();
        RunningPipeline before = seen.running();
        String why;
        if (before == null) {
            why = state.state() != OrchestratorState.DEGRADED ? "no pipeline was running"
                    : state.degradedBecause() != null ? state.degradedBecause() : "retrying after a failed launch";
        } else if (decision.placement().equals(before.placement())) {
            return finish(t, decision, TickOutcome.Action.KEPT, "the agent kept the running placement", null,
                    seen.runningPredicted());
        } else if (seen.runningPredicted() == null) {
            why = "the running placement is no longer feasible ("
                    + seen.estimate().problemOr("cannot be predicted") + ")";
        } else {
            RestartTimes restarts = state.restartTimes();
            ReconfigurationPolicy.Verdict verdict = policy.judge(t.at(), state.lastReconfiguredAt(),
                    restarts.estimate(), restarts.learnt(), seen.estimate(), proposal);
            if (!verdict.apply()) {
                state.heldBack(verdict.heldByCooldown());
                parts.emit(new OrchestratorEvent.ReconfigurationSkipped(t.at(), decision.placement(),
                        verdict.reason()));
                return finish(t, decision, TickOutcome.Action.SKIPPED, verdict.reason(), null,
                        seen.runningPredicted());
            }
            why = verdict.reason();
        }
        Switchover.Result switched = switchover.run(t.at(), decision.placement(), seen.request(), before, why, state);
        if (switched.action() == TickOutcome.Action.FAILED) {
            return failed(t, decision, switched.reason()); // what ran still runs; deciding backs off
        }
        PipelineMetrics runningAfter = switch (switched.action()) {
            case RECONFIGURED -> proposedPredicted;
            case ROLLED_BACK -> seen.runningPredicted();
            default -> null;
        };
        return finish(t, decision, switched.action(), switched.reason(), switched.restart(), runningAfter);
    }

    private TickOutcome failed(Tick t, PlacementDecision decision, String reason) {
        state.decidingFailed(t.at(), reason);
        TickOutcome outcome = finish(t, decision, TickOutcome.Action.FAILED, reason, null,
                t.seen().runningPredicted());
        parts.emit(new OrchestratorEvent.TickFailed(t.at(), reason));
        return outcome;
    }

    /**
     * Journals a decision tick and returns its outcome. When a pipeline runs as decided (kept, held, switched
     * or rolled back), the next measured metrics are journaled as this decision's outcome.
     *
     * @param restart      the restart a switch took, or null
     * @param runningAfter the prediction for what runs after the tick
     */
    private TickOutcome finish(Tick t, PlacementDecision decision, TickOutcome.Action action, String why,
            Duration restart, PipelineMetrics runningAfter) {
        Observer.Observed seen = t.seen();
        String reason = seen.flapping().isEmpty() ? why : why + "; " + String.join("; ", seen.flapping());
        RunningPipeline before = seen.running();
        DecisionJournal.Entry draft = new DecisionJournal.Entry(0, t.at(), t.triggers(),
                new DecisionJournal.Entry.Context(seen.cluster().nodeIds(), seen.connectivity(), settings.objective(),
                        seen.request().workload(), before == null ? null : before.placement(),
                        seen.runningPredicted()),
                decision == null ? parts.deciderName() : decision.agent(), decision,
                new DecisionJournal.Entry.Result(action, action == TickOutcome.Action.RECONFIGURED, reason,
                        restart == null ? null : restart.toMillis() / 1000.0),
                null);
        long[] id = {-1};
        DecisionJournal.Entry[] recorded = {draft};
        parts.journalSafely(() -> {
            recorded[0] = parts.journal().recordDecision(draft);
            id[0] = recorded[0].id();
        });
        state.decisionRecorded(recorded[0]);
        parts.emit(new OrchestratorEvent.DecisionRecorded(t.at(), recorded[0]));
        switch (action) {
            // A decision asked only because the model changed brings nothing new to learn from: same placement,
            // same links, same workload. Learning from it again would recalibrate without end.
            case KEPT, SKIPPED, RECONFIGURED, ROLLED_BACK -> state.awaitMeasurement(id[0],
                    action != TickOutcome.Action.KEPT || !t.triggers().equals(Set.of(Trigger.MODEL_CALIBRATED)));
            default -> { }
        }
        return outcome(t, decision, action, reason, runningAfter);
    }

    private TickOutcome outcome(Tick t, PlacementDecision decision, TickOutcome.Action action, String reason,
            PipelineMetrics runningPredicted) {
        Placement running = runningPlacement();
        return new TickOutcome(t.at(), t.seen().cluster(), t.seen().connectivity(), t.triggers(), decision, action,
                reason, running, running == null ? null : runningPredicted, t.seen().measured(), state.state());
    }

    private Placement runningPlacement() {
        RunningPipeline r = state.running();
        return r == null ? null : r.placement();
    }
}
