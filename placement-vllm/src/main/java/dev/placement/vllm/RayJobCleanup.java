package dev.placement.vllm;

import dev.placement.api.PlacementException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the Ray jobs a {@link RayJobsLauncher} stopped from Ray's job list once they have ended
 * ({@code DELETE /api/jobs/{id}}; their logs go with them), so that reconfigurations do not pile jobs up in the
 * dashboard, unless the launcher keeps stopped jobs. A failure to delete is logged, never thrown: the job has
 * ended either way. Thread-safe.
 */
final class RayJobCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(RayJobsLauncher.class);

    private final DashboardClient dashboard;
    private final Polling polling;
    private final Duration grace;
    private final boolean keep;

    RayJobCleanup(DashboardClient dashboard, Polling polling, Duration grace, boolean keep) {
        this.dashboard = dashboard;
        this.polling = polling;
        this.grace = grace;
        this.keep = keep;
    }

    /** Deletes an ended job. */
    void delete(String id) {
        if (keep) {
            return;
        }
        try {
            DashboardClient.Answer a = dashboard.delete("api/jobs/" + id);
            if (a.ok() || a.status() == 404) {
                LOG.info("Ray job {} deleted", id);
            } else {
                LOG.warn("could not delete Ray job {}: HTTP {}: {}", id, a.status(),
                        DashboardClient.excerpt(a.body(), 300));
            }
        } catch (PlacementException e) {
            LOG.warn("could not delete Ray job {}: {}", id, e.getMessage());
        }
    }

    /**
     * Stops a job that failed to start ({@code POST /api/jobs/{id}/stop}) and, once it has ended, deletes it.
     *
     * @param status the job's status as the dashboard reports it, upper case
     * @return what became of it, for a message: {@code the job was stopped}, {@code stopping the job answered
     *         HTTP n} or {@code the job could not be stopped (why)}
     */
    String stopFailed(String id, Function<String, Optional<String>> status) {
        try {
            DashboardClient.Answer a = dashboard.postJson("api/jobs/" + id + "/stop", Map.of());
            if (a.ok()) {
                deleteWhenEnded(id, status);
            }
            return a.ok() || a.status() == 404 ? "the job was stopped" : "stopping the job answered HTTP " + a.status();
        } catch (PlacementException e) {
            return "the job could not be stopped (" + e.getMessage() + ")";
        }
    }

    /**
     * Ray deletes only an ended job: waits for the end (at most the grace period), then deletes it. A dashboard
     * that stops answering only leaves the job in the list.
     *
     * @param status the job's status as the dashboard reports it, upper case
     */
    void deleteWhenEnded(String id, Function<String, Optional<String>> status) {
        if (keep) {
            return;
        }
        try {
            if (polling.until(grace, () -> status.apply(id).filter(RayJobsLauncher.TERMINAL::contains)).isPresent()) {
                delete(id);
            }
        } catch (PlacementException e) {
            LOG.warn("could not delete Ray job {}: {}", id, e.getMessage());
        }
    }
}
