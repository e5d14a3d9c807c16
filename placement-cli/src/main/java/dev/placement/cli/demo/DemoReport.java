package dev.placement.cli.demo;

import dev.placement.api.InvalidInputException;
import dev.placement.api.PipelineMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the demo's files: {@value #HTML} (charts, the nodes lane, downtime and tables) and {@value #CSV}.
 * Stateless.
 */
public final class DemoReport {
    /** The report's file name. */
    public static final String HTML = "report.html";
    /** The table's file name. */
    public static final String CSV = "steps.csv";

    private DemoReport() {
    }

    /**
     * Writes both files for the agents that ran the same scenario (one or several), replacing earlier ones: one
     * report comparing them, one CSV with every agent's rows.
     *
     * @param dir      the output directory; must exist
     * @param scenario the scenario that ran
     * @param seed     the seed every agent's simulated cluster ran with
     * @param runs     the agents' runs, at least one, each with a row per step of the scenario
     * @throws InvalidInputException naming {@code --out} if a file cannot be written
     * @throws IllegalArgumentException if there is no run, two runs share a key, or a run's rows are not the
     *                                  scenario's steps
     */
    public static void write(Path dir, DemoScenario scenario, long seed, List<AgentRun> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no agent ran");
        }
        if (runs.stream().map(AgentRun::key).distinct().count() != runs.size()) {
            throw new IllegalArgumentException("two runs share an agent key");
        }
        for (AgentRun r : runs) {
            if (r.rows().size() != scenario.steps().size()) {
                throw new IllegalArgumentException(r.key() + " ran " + r.rows().size() + " steps, the scenario has "
                        + scenario.steps().size());
            }
        }
        try {
            Files.writeString(dir.resolve(CSV), StepsCsv.render(runs), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(HTML), HtmlReport.render(scenario, seed, runs), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException("--out", null, "cannot write to " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Formats a metric as every demo output does.
     *
     * @param metric  0 TTFT, 1 ITL, 2 TPOT, 3 output throughput
     * @param metrics the metrics, or null
     * @return the figure, or empty text for null metrics
     */
    public static String format(int metric, PipelineMetrics metrics) {
        return DemoFormat.METRICS.get(metric).format(metrics);
    }
}
