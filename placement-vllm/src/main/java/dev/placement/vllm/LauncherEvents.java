package dev.placement.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code placement-event {json}} lines {@code launch_vllm.py} and {@code preflight.py} print, read back from
 * a launch's logs (a Ray job's logs, or the log file of a launcher started over SSH). Ray prefixes lines printed
 * by actors with the actor's name, so a line is found by its marker anywhere in it; a line that does not parse is
 * skipped.
 */
final class LauncherEvents {
    static final String MARKER = "placement-event ";
    /** A grep pattern that keeps only these lines, for logs read over SSH. */
    static final String GREP_PATTERN = MARKER + "{";

    private final List<JsonNode> events;

    private LauncherEvents(List<JsonNode> events) {
        this.events = events;
    }

    /** @return the events in the order they were printed */
    static LauncherEvents in(String logs) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : logs.split("\n")) {
            int at = line.indexOf(GREP_PATTERN);
            if (at < 0) {
                continue;
            }
            try {
                JsonNode event = DashboardClient.JSON.readTree(line.substring(at + MARKER.length()));
                if (event != null && event.hasNonNull("event")) {
                    events.add(event);
                }
            } catch (IOException e) {
                // A line cut by the log's own truncation or interleaved with another: not an event.
            }
        }
        return new LauncherEvents(events);
    }

    /** @return why the launcher refused or stopped vLLM (a refusal or a rank mismatch), as one line */
    Optional<String> failure() {
        return last("refused").or(() -> last("rank_mismatch")).map(e -> e.path("message").asText(""))
                .filter(m -> !m.isBlank());
    }

    /** @return for each rank in order, the node it was verified on, as {@code node0 (10.0.0.10)} */
    Optional<List<String>> verifiedRanks() {
        return last("ranks_verified").map(e -> {
            List<String> ranks = new ArrayList<>();
            e.path("ranks").forEach(r -> ranks.add(r.path("node").asText("?") + " (" + r.path("ip").asText("?")
                    + ")"));
            return List.copyOf(ranks);
        });
    }

    /** @return the vLLM and Ray versions and the executor, as {@code vLLM 0.25.1, Ray 2.50.0, RayExecutorV2} */
    Optional<String> runtime() {
        return last("runtime").map(e -> "vLLM " + e.path("vllm").asText("?") + ", Ray " + e.path("ray").asText("?")
                + ", " + e.path("executor").asText("?"));
    }

    /** @return the facts {@code preflight.py} reported, if it did */
    Optional<JsonNode> preflight() {
        return last("preflight");
    }

    private Optional<JsonNode> last(String name) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (name.equals(events.get(i).path("event").asText())) {
                return Optional.of(events.get(i));
            }
        }
        return Optional.empty();
    }
}
