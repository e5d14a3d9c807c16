package dev.placement.vllm;

import dev.placement.api.PlacementException;
import java.util.Locale;
import java.util.Optional;

/** What a Ray job says: its status, its status message and its logs, read through the dashboard (bounded). */
final class RayJobLogs {
    private static final int LOG_EXCERPT_CHARS = 4000;

    private final DashboardClient dashboard;

    RayJobLogs(DashboardClient dashboard) {
        this.dashboard = dashboard;
    }

    /** @return {@code ": <the job's status message>"}, or nothing when it has none or cannot be read */
    String message(String id) {
        try {
            DashboardClient.Answer a = dashboard.get("api/jobs/" + id);
            if (a.ok()) {
                String message = a.json("job " + id).path("message").asText("");
                return message.isBlank() ? "" : ": " + message;
            }
        } catch (PlacementException ignored) {
            // The logs below usually say more; the message is a courtesy.
        }
        return "";
    }

    /** @return {@code "; last job logs:\n<their last 4000 characters>"}, or why there are none */
    String excerpt(String id) {
        try {
            String logs = logs(id);
            return logs.isBlank() ? "; the job wrote no logs" : "; last job logs:\n"
                    + DashboardClient.excerpt(logs, LOG_EXCERPT_CHARS);
        } catch (PlacementException e) {
            return "; logs unavailable (" + e.getMessage() + ")";
        }
    }

    /** @return the job's logs, or nothing when they cannot be read (the caller keeps waiting or says less) */
    String logsOrEmpty(String id) {
        try {
            return logs(id);
        } catch (PlacementException e) {
            return "";
        }
    }

    /** @return the job's logs (at most {@link DashboardClient#MAX_ANSWER_BYTES}) */
    String logs(String id) {
        DashboardClient.Answer a = dashboard.get("api/jobs/" + id + "/logs");
        if (!a.ok()) {
            throw new PlacementException("the logs of Ray job " + id + " are unavailable (HTTP " + a.status() + ")");
        }
        return a.json("logs of job " + id).path("logs").asText("");
    }

    /** @return the job's status, or {@code DOES_NOT_EXIST} on 404 */
    Optional<String> status(String id) {
        DashboardClient.Answer answer = dashboard.get("api/jobs/" + id);
        if (answer.status() == 404) {
            return Optional.of("DOES_NOT_EXIST");
        }
        if (!answer.ok()) {
            throw new PlacementException("GET api/jobs/" + id + " answered HTTP " + answer.status() + ": "
                    + DashboardClient.excerpt(answer.body(), 300));
        }
        String status = answer.json("job " + id).path("status").asText("");
        return status.isEmpty() ? Optional.empty() : Optional.of(status.toUpperCase(Locale.ROOT));
    }
}
