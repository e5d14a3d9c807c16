package dev.placement.cli.demo;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One agent's run of the demo scenario, on its own simulated cluster, orchestrator, journal and calibration.
 *
 * @param key  the agent's {@code --agent} name, for example {@code solver} or {@code openai}: the {@code agent}
 *             column of {@code steps.csv} and the name of its journal file; letters, digits, {@code .}, {@code _}
 *             and {@code -}
 * @param name the agent's own name, for example {@code openai+solver}; not blank
 * @param rows its rows, one per step; at least one
 */
public record AgentRun(String key, String name, List<DemoRun.StepRow> rows) {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * Validates and copies.
     *
     * @param key  the agent's {@code --agent} name; 1 to 64 of letters, digits, {@code .}, {@code _} and {@code -}
     * @param name the agent's own name; not blank
     * @param rows its rows, one per step; not null, no null element, at least one; copied
     */
    public AgentRun {
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("an agent key is 1 to 64 of [A-Za-z0-9._-], was '" + key + "'");
        }
        if (Objects.requireNonNull(name, "name").isBlank()) {
            throw new IllegalArgumentException("an agent's name must not be blank");
        }
        rows = List.copyOf(rows);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("an agent's run has at least one row");
        }
    }

    /** @return how many times the pipeline was restarted with a new placement over the run */
    public int reconfigurations() {
        return rows.stream().mapToInt(DemoRun.StepRow::reconfigurations).sum();
    }

    /** @return seconds during which no pipeline served, over the run */
    public double downtimeSeconds() {
        return rows.stream().mapToDouble(DemoRun.StepRow::downtimeSeconds).sum();
    }
}
