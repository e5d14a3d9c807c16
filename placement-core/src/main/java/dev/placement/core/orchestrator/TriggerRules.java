package dev.placement.core.orchestrator;

import dev.placement.api.ConnectivityMap;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * When the agent is worth asking: the {@link Trigger}s of a tick, from what was observed and what the loop
 * remembers. A pure function of its inputs.
 */
final class TriggerRules {
    private TriggerRules() {
    }

    static Set<Trigger> of(Instant now, Observer.Observed seen, LoopState state, LoopSettings settings) {
        Set<Trigger> t = EnumSet.noneOf(Trigger.class);
        Set<String> nodes = new HashSet<>(seen.cluster().nodeIds());
        boolean joined = !state.lastDecisionNodes().containsAll(nodes);
        if (state.state() == OrchestratorState.DEGRADED) {
            if (!now.isBefore(state.nextLaunchAttemptAt())) {
                t.add(Trigger.RETRY);
            }
            if (joined) {
                t.add(Trigger.NODE_JOINED);
            }
            if (seen.died() != null && !nodes.containsAll(state.lastDecisionNodes())) {
                t.add(Trigger.NODE_LEFT);
            }
            return t;
        }
        if (state.running() == null) {
            t.add(Trigger.FIRST_START);
            return t;
        }
        if (joined) {
            t.add(Trigger.NODE_JOINED);
        }
        if (seen.died() != null) {
            t.add(Trigger.REPLICA_DIED); // one pipeline's death degrades the loop instead: seen above
        }
        if (!nodes.containsAll(state.lastDecisionNodes())) {
            t.add(Trigger.NODE_LEFT);
        }
        if (linkChanged(seen.connectivity(), nodes, state, settings)) {
            t.add(Trigger.LINK_CHANGED);
        }
        if (state.recalibratedSinceDecision()) {
            t.add(Trigger.MODEL_CALIBRATED);
        }
        if (!settings.workloadPinned() && state.lastDecisionWorkload() != null && WorkloadSmoother.shifted(
                state.lastDecisionWorkload(), seen.request().workload(), settings.workloadChangeThreshold())) {
            t.add(Trigger.WORKLOAD_CHANGED);
        }
        // A breach is re-examined at most once per cooldown, so a bound no placement can meet does not make
        // every tick ask the agent.
        if (seen.measured() != null && !settings.objective().admits(seen.measured())
                && Durations.elapsed(state.lastDecisionAt(), now, settings.cooldown())) {
            t.add(Trigger.BOUND_BREACHED);
        }
        if (Durations.elapsed(state.lastDecisionAt(), now, settings.maxInterval())) {
            t.add(Trigger.MAX_INTERVAL);
        }
        if (state.heldByCooldown() && Durations.elapsed(state.lastReconfiguredAt(), now, settings.cooldown())) {
            t.add(Trigger.COOLDOWN_ENDED);
        }
        if (state.switchAbandonedSinceDecision()) {
            t.add(Trigger.RETRY); // asked once the failed decision's backoff has passed
        }
        return t;
    }

    /**
     * Whether the agent should be asked at once even while its last failure is backing off: a node joined, or
     * the running pipeline died on this tick.
     */
    static boolean urgent(Observer.Observed seen, LoopState state) {
        return seen.died() != null || !state.lastDecisionNodes().containsAll(seen.cluster().nodeIds());
    }

    /** A link between nodes of the last decision appeared, vanished, or moved beyond both thresholds. */
    private static boolean linkChanged(ConnectivityMap smoothed, Set<String> nodes, LoopState state,
            LoopSettings settings) {
        ConnectivityMap before = state.lastDecisionConnectivity();
        if (before == null) {
            return false;
        }
        Set<String> decided = state.lastDecisionNodes();
        for (String a : nodes) {
            for (String b : nodes) {
                if (a.equals(b) || !decided.contains(a) || !decided.contains(b)) {
                    continue;
                }
                OptionalDouble was = before.rttMillis(a, b);
                OptionalDouble is = smoothed.rttMillis(a, b);
                if (was.isPresent() != is.isPresent()) {
                    return true;
                }
                if (was.isPresent()) {
                    double delta = Math.abs(is.getAsDouble() - was.getAsDouble());
                    if (delta >= settings.absoluteRttThresholdMillis()
                            && delta >= settings.relativeRttThreshold() * Math.max(was.getAsDouble(), 1e-9)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
