package dev.placement.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * A pipeline a {@link PipelineLauncher} started: a handle to stop it and the address where it serves.
 *
 * @param id            the launcher's id for it (a Ray submission id, a process id, ...); not blank
 * @param placement     the placement it runs
 * @param endpoint      the base URL of its OpenAI-compatible server, for example {@code http://10.0.0.10:8000}
 * @param startedAt     when it became healthy
 * @param verifiedRanks for each pipeline rank in order, the node the runtime reported it on, for example
 *                      {@code node0 (10.0.0.10)}; empty when the launcher does not verify where ranks run (a
 *                      simulated or single-process launcher), else one entry per stage of the placement
 */
public record RunningPipeline(String id, Placement placement, URI endpoint, Instant startedAt,
        List<String> verifiedRanks) {

    /**
     * Validates every field and copies the list.
     *
     * @param id            the launcher's id for it; not blank
     * @param placement     the placement it runs; not null
     * @param endpoint      the base URL of its OpenAI-compatible server; not null
     * @param startedAt     when it became healthy; not null
     * @param verifiedRanks for each pipeline rank in order, the node the runtime reported it on; not null, empty
     *                      or one entry per stage
     * @throws NullPointerException     if a field is missing
     * @throws IllegalArgumentException if the id is blank, or the verified ranks are neither empty nor one per
     *                                  stage
     */
    public RunningPipeline {
        Checks.notBlank(id, "pipeline.id");
        Checks.notNull(placement, "pipeline.placement");
        Checks.notNull(endpoint, "pipeline.endpoint");
        Checks.notNull(startedAt, "pipeline.startedAt");
        Checks.notNull(verifiedRanks, "pipeline.verifiedRanks");
        verifiedRanks = List.copyOf(verifiedRanks);
        if (!verifiedRanks.isEmpty() && verifiedRanks.size() != placement.stages().size()) {
            throw new IllegalArgumentException("pipeline.verifiedRanks: " + verifiedRanks.size() + " entries for "
                    + placement.stages().size() + " stages");
        }
    }

    /**
     * A pipeline whose ranks were not verified.
     *
     * @param id        the launcher's id for it
     * @param placement the placement it runs
     * @param endpoint  the base URL of its server
     * @param startedAt when it became healthy
     */
    public RunningPipeline(String id, Placement placement, URI endpoint, Instant startedAt) {
        this(id, placement, endpoint, startedAt, List.of());
    }
}
