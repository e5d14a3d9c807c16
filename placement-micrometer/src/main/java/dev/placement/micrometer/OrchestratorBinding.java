package dev.placement.micrometer;

import dev.placement.api.AgentProposal;
import dev.placement.api.PipelineMetrics;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.OrchestratorState;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.RequestGate;
import dev.placement.core.orchestrator.Subscription;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.core.orchestrator.Trigger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * One orchestrator's meters in one registry: the gauges and gate meters registered when bound, the counters and
 * timers of its events registered as their tags first occur, all removed again on {@link #close()}. Events arrive
 * on the ticking thread, one at a time; gauges are read by any thread, so what they read is volatile.
 */
final class OrchestratorBinding implements AutoCloseable {
    private static final String MS = "milliseconds";

    private final MeterRegistry registry;
    private final Tags tags;
    private final Set<Meter> meters = ConcurrentHashMap.newKeySet();
    private final Timer waitAdmitted;
    private final Timer waitRejected;
    private final Subscription events;
    private final Subscription waits;

    private volatile double predictedItl = Double.NaN;
    private volatile double predictedTtft = Double.NaN;
    private volatile double measuredItl = Double.NaN;
    private volatile double measuredTtft = Double.NaN;
    /** When the switchover under way began, or null; touched on the ticking thread only. */
    private Instant switchStartedAt;
    private volatile boolean closed;

    OrchestratorBinding(PlacementOrchestrator orchestrator, MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        for (OrchestratorState s : OrchestratorState.values()) {
            gauge(PlacementMeters.STATE, "1 for the orchestrator's state now, 0 for the others", null, orchestrator,
                    o -> o.state() == s ? 1 : 0, "state", lower(s.name()));
        }
        gauge(PlacementMeters.PIPELINE_ITL, "the running pipeline's inter-token latency", MS, this,
                b -> b.predictedItl, "source", "predicted");
        gauge(PlacementMeters.PIPELINE_ITL, "the running pipeline's inter-token latency", MS, this,
                b -> b.measuredItl, "source", "measured");
        gauge(PlacementMeters.PIPELINE_TTFT, "the running pipeline's time to first token", MS, this,
                b -> b.predictedTtft, "source", "predicted");
        gauge(PlacementMeters.PIPELINE_TTFT, "the running pipeline's time to first token", MS, this,
                b -> b.measuredTtft, "source", "measured");
        RequestGate gate = orchestrator.gate();
        gauge(PlacementMeters.GATE_IN_FLIGHT, "requests holding a permit", "requests", gate, RequestGate::inFlight);
        gauge(PlacementMeters.GATE_WAITING, "requests waiting at the paused gate", "requests", gate,
                RequestGate::waiting);
        gauge(PlacementMeters.GATE_PAUSED, "1 while the gate holds new requests", null, gate,
                g -> g.isPaused() ? 1 : 0);
        remember(FunctionCounter.builder(PlacementMeters.GATE_REQUESTS, gate, RequestGate::admitted)
                .description("requests through the gate since it was created").baseUnit("requests").tags(tags)
                .tag("outcome", "admitted").register(registry));
        remember(FunctionCounter.builder(PlacementMeters.GATE_REQUESTS, gate, RequestGate::rejected)
                .description("requests through the gate since it was created").baseUnit("requests").tags(tags)
                .tag("outcome", "rejected").register(registry));
        this.waitAdmitted = timer(PlacementMeters.GATE_WAIT, "how long requests waited at the gate", "outcome",
                "admitted");
        this.waitRejected = timer(PlacementMeters.GATE_WAIT, "how long requests waited at the gate", "outcome",
                "rejected");
        this.waits = gate.subscribe((waited, admitted) -> (admitted ? waitAdmitted : waitRejected).record(waited));
        this.events = orchestrator.subscribe(this::on);
    }

    private void on(OrchestratorEvent e) {
        if (closed) {
            return; // an event already on its way when the binding closed registers nothing again
        }
        if (e instanceof OrchestratorEvent.DecisionRecorded d) {
            decision(d.entry());
        } else if (e instanceof OrchestratorEvent.ReconfigurationStarted s) {
            switchStartedAt = s.at();
        } else if (e instanceof OrchestratorEvent.Reconfigured r) {
            switchEnded(r.at(), "success");
            timer(PlacementMeters.RESTART, "how long a successful reconfiguration held requests").record(
                    r.restartTime());
        } else if (e instanceof OrchestratorEvent.RolledBack r) {
            switchEnded(r.at(), "rolled_back");
        } else if (e instanceof OrchestratorEvent.Degraded d) {
            if (switchStartedAt != null) {
                switchEnded(d.at(), "failed");
            }
            measured(null);
        } else if (e instanceof OrchestratorEvent.MetricsMeasured m) {
            measured(m.metrics());
        } else if (e instanceof OrchestratorEvent.Calibrated c) {
            counter(PlacementMeters.CALIBRATIONS, "calibrations of the loop's model", "adopted",
                    Boolean.toString(c.calibration().adopted())).increment();
        } else if (e instanceof OrchestratorEvent.TickCompleted t) {
            tick(t.outcome());
        }
    }

    private void decision(DecisionJournal.Entry entry) {
        if (switchStartedAt != null) {
            // A switch given up because what ran could not be stopped: no event ends it; it took no restart.
            counter(PlacementMeters.RECONFIGURATIONS, "switchovers by how they ended", "outcome", "abandoned")
                    .increment();
            switchStartedAt = null;
        }
        counter(PlacementMeters.DECISIONS, "decisions journaled", "agent", entry.agent(), "trigger",
                trigger(entry.triggers()), "outcome", lower(entry.result().action().name())).increment();
        AgentProposal proposal = entry.decision() == null ? null : entry.decision().proposal();
        if (proposal != null && !proposal.accepted()) {
            counter(PlacementMeters.LLM_FALLBACKS, "decisions whose LLM proposal was not applied", "agent",
                    proposal.agent(), "cause", proposal.placement() == null ? "failed" : "rejected").increment();
        }
    }

    private void switchEnded(Instant at, String outcome) {
        counter(PlacementMeters.RECONFIGURATIONS, "switchovers by how they ended", "outcome", outcome).increment();
        if (switchStartedAt != null) {
            Duration took = Duration.between(switchStartedAt, at);
            timer(PlacementMeters.RECONFIGURATION_DURATION, "switchovers from start to end", "outcome", outcome)
                    .record(took.isNegative() ? Duration.ZERO : took);
        }
        switchStartedAt = null;
        measured(null); // what was measured ran before the switch
    }

    private void tick(TickOutcome outcome) {
        counter(PlacementMeters.TICKS, "ticks of the loop", "action", lower(outcome.action().name())).increment();
        PipelineMetrics predicted = outcome.running() == null ? null : outcome.runningPredicted();
        predictedItl = predicted == null ? Double.NaN : predicted.itlMillis();
        predictedTtft = predicted == null ? Double.NaN : predicted.ttftMillis();
        if (outcome.running() == null) {
            measured(null);
        }
    }

    private void measured(PipelineMetrics m) {
        measuredItl = m == null ? Double.NaN : m.itlMillis();
        measuredTtft = m == null ? Double.NaN : m.ttftMillis();
    }

    /** The first trigger in {@link Trigger}'s order: one tag value per decision, from a fixed, small set. */
    private static String trigger(Set<Trigger> triggers) {
        return triggers.stream().min(Enum::compareTo).map(t -> lower(t.name())).orElse("none");
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private Counter counter(String name, String description, String... tagPairs) {
        return remember(Counter.builder(name).description(description).tags(tags).tags(tagPairs).register(registry));
    }

    private Timer timer(String name, String description, String... tagPairs) {
        return remember(Timer.builder(name).description(description).tags(tags).tags(tagPairs).register(registry));
    }

    private <T> void gauge(String name, String description, String unit, T obj, ToDoubleFunction<T> value,
            String... tagPairs) {
        remember(Gauge.builder(name, obj, value).description(description).baseUnit(unit).tags(tags).tags(tagPairs)
                .strongReference(true).register(registry));
    }

    private <M extends Meter> M remember(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Stops hearing the orchestrator and its gate, and removes every meter registered here. */
    @Override
    public void close() {
        closed = true;
        events.close();
        waits.close();
        meters.forEach(registry::remove);
        meters.clear();
    }
}
