package dev.placement.core.orchestrator;

import dev.placement.api.RunningPipeline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's own pipelines that were to stop but may still run: a stop that failed on a pipeline the
 * launcher does not report gone (a dead pipeline, a wrong one, one that became healthy after its launch was
 * abandoned). Each is stopped again once its backoff has passed, at every tick, and on close; while any is left,
 * nothing new is launched, so that the orchestrator never runs two pipelines of its own (they would hold each
 * other's GPUs, and one of them would serve no one). Thread-safe: a pipeline whose abandoned launch returns late
 * is kept from the launch's own thread.
 */
final class Leftovers {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementOrchestrator.class);

    /** One pipeline to stop again: when, and why the last attempt failed. */
    private record Entry(RunningPipeline pipeline, Backoff backoff, Instant nextAttempt, String failure) {
    }

    private final LoopParts parts;
    private final PluginCalls calls;
    private final PluginCalls.Deadlines deadlines;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    Leftovers(LoopParts parts, LoopSettings settings, PluginCalls calls) {
        this.parts = parts;
        this.calls = calls;
        this.deadlines = settings.deadlines();
        this.initialBackoff = settings.initialBackoff();
        this.maxBackoff = settings.maxBackoff();
    }

    /**
     * Stops a pipeline nothing will use. If the stop fails, the launcher is asked whether it still runs: one
     * known gone is done with, any other is kept and stopped again later.
     *
     * @return null once the pipeline is stopped or known gone, else why it may still run
     */
    String stop(RunningPipeline pipeline) {
        String failure = attempt(pipeline);
        if (failure != null) {
            keep(pipeline, failure);
        }
        return failure;
    }

    /**
     * Keeps a pipeline whose stop failed (on a thread where the launcher cannot be asked more), to stop it again.
     *
     * @param failure why the stop failed
     */
    synchronized void keep(RunningPipeline pipeline, String failure) {
        Entry before = entries.get(pipeline.id());
        Backoff backoff = before != null ? before.backoff() : new Backoff(initialBackoff, maxBackoff);
        entries.put(pipeline.id(), new Entry(pipeline, backoff, parts.clock().instant().plus(backoff.next()),
                failure));
        LOG.warn("pipeline {} ({}) may still run: {}; it is stopped again later, and nothing is launched meanwhile",
                pipeline.id(), pipeline.placement(), failure);
    }

    /**
     * Stops again each pipeline whose backoff has passed.
     *
     * @param now the tick's time
     */
    void retry(Instant now) {
        for (Entry e : due(now)) {
            String failure = attempt(e.pipeline());
            if (failure == null) {
                forget(e.pipeline());
                LOG.info("pipeline {} ({}) is stopped at last", e.pipeline().id(), e.pipeline().placement());
            } else {
                keep(e.pipeline(), failure);
            }
        }
    }

    /** On close: one more stop of each, whatever its backoff; what still fails is only logged. */
    void closing() {
        for (Entry e : due(Instant.MAX)) {
            String failure = attempt(e.pipeline());
            if (failure == null) {
                forget(e.pipeline());
            } else {
                LOG.warn("pipeline {} ({}) could not be stopped on close and may still run: {}; stop it by hand",
                        e.pipeline().id(), e.pipeline().placement(), failure);
            }
        }
    }

    /** @return null if no pipeline may still run, else which may and why, for a reason in plain words */
    synchronized String blocking() {
        if (entries.isEmpty()) {
            return null;
        }
        List<String> each = new ArrayList<>();
        entries.values().forEach(e -> each.add(e.pipeline().id() + " (" + e.pipeline().placement() + "): "
                + e.failure()));
        return (each.size() == 1 ? "pipeline " : "pipelines ") + String.join("; ", each);
    }

    private synchronized List<Entry> due(Instant now) {
        return entries.values().stream().filter(e -> !e.nextAttempt().isAfter(now)).toList();
    }

    private synchronized void forget(RunningPipeline pipeline) {
        entries.remove(pipeline.id());
    }

    /** @return null if the pipeline was stopped or is known gone, else why it may still run */
    private String attempt(RunningPipeline pipeline) {
        String failure;
        try {
            calls.callWhileClosing("stopping " + pipeline.id(), deadlines.stop(), () -> {
                parts.launcher().stop(pipeline);
                return null;
            });
            return null;
        } catch (Throwable e) {
            failure = "stopping it failed (" + LoopParts.message(e) + ")";
        }
        return stillRuns(pipeline, failure);
    }

    /**
     * After a failed stop: whether the pipeline may still run, asked of the launcher.
     *
     * @return null if the launcher reports it gone, else {@code failure} with what the launcher said
     */
    String stillRuns(RunningPipeline pipeline, String failure) {
        try {
            boolean alive = calls.callWhileClosing("the launcher's health check", deadlines.observe(),
                    () -> parts.launcher().isAlive(pipeline));
            return alive ? failure + " and the launcher reports it still running" : null;
        } catch (Throwable e) {
            return failure + " and whether it still runs cannot be told (" + LoopParts.message(e) + ")";
        }
    }
}
