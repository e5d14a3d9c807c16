package dev.placement.api;

import java.net.URI;
import java.time.Instant;

/**
 * A pipeline a {@link PipelineLauncher} started: a handle to stop it and the address where it serves.
 *
 * @param id        the launcher's id for it (a Ray submission id, a process id, ...); not blank
 * @param placement the placement it runs
 * @param endpoint  the base URL of its OpenAI-compatible server, for example {@code http://10.0.0.10:8000}
 * @param startedAt when it became healthy
 */
public record RunningPipeline(String id, Placement placement, URI endpoint, Instant startedAt) {

    /** Validates every field. */
    public RunningPipeline {
        Checks.notBlank(id, "pipeline.id");
        Checks.notNull(placement, "pipeline.placement");
        Checks.notNull(endpoint, "pipeline.endpoint");
        Checks.notNull(startedAt, "pipeline.startedAt");
    }
}
