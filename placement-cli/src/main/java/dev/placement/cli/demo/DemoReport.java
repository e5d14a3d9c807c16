package dev.placement.cli.demo;

import dev.placement.api.InvalidInputException;
import dev.placement.api.PipelineMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes the demo's files: {@value #HTML} (charts and table) and {@value #CSV}. Stateless. */
public final class DemoReport {
    /** The report's file name. */
    public static final String HTML = "report.html";
    /** The table's file name. */
    public static final String CSV = "steps.csv";

    private DemoReport() {
    }

    /**
     * Writes both files, replacing earlier ones.
     *
     * @param dir      the output directory; must exist
     * @param scenario the scenario that ran
     * @param agent    the agent's name
     * @param seed     the seed
     * @param rows     the rows, at least one
     * @throws InvalidInputException naming {@code --out} if a file cannot be written
     */
    public static void write(Path dir, DemoScenario scenario, String agent, long seed, List<DemoRun.StepRow> rows) {
        try {
            Files.writeString(dir.resolve(CSV), StepsCsv.render(rows), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(HTML), HtmlReport.render(scenario, agent, seed, rows), StandardCharsets.UTF_8);
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
