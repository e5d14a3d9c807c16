package dev.placement.cli.demo;

import dev.placement.api.Objective;
import dev.placement.api.Placement;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the {@code edge-site} demo shows its steps: a console table with the replicas of each step on the line below
 * it, and {@code edge-site.md}, the same as a Markdown table.
 */
public final class EdgeSiteReport {
    /** The report's file name in the output directory. */
    public static final String FILE = "edge-site.md";

    private EdgeSiteReport() {
    }

    /**
     * @param objective the objective the replicas were planned for
     * @return the heading line of the console output and the report
     */
    public static String heading(Objective objective) {
        return "Placement demo: edge-site, 12x T4 on 3 switches of 4 serving tiiuae/Falcon3-10B-Base, "
                + EdgeSiteDemo.WORKLOAD.concurrency() + " requests in flight (" + EdgeSiteDemo.WORKLOAD.inputTokens()
                + "/" + EdgeSiteDemo.WORKLOAD.outputTokens() + " tokens), objective " + objective.goal().cliName()
                + (objective.slo().isNone() ? "" : " (" + objective.slo().toSpec() + ")")
                + "; the replica planner places the replicas and the orchestrator rolls them over one at a time";
    }

    /**
     * Prints the console table's header.
     *
     * @param w where
     */
    public static void header(PrintWriter w) {
        w.printf(Locale.ROOT, "%4s %4s  %-42s %-24s %8s %9s %8s %6s%n", "step", "min", "change", "loop did",
                "replicas", "goodput", "tok/s", "held");
    }

    /**
     * Prints one step: its row, then its replicas (and unused nodes) on the next line.
     *
     * @param w where
     * @param r the step
     */
    public static void print(PrintWriter w, EdgeSiteDemo.StepRow r) {
        w.printf(Locale.ROOT, "%4d %4d  %-42s %-24s %8d %9s %8s %6s%n", r.step(), r.minute(), r.change(),
                r.actions().isEmpty() ? "nothing" : String.join(", ", r.actions()), r.replicas().size(),
                r.predicted() == null ? "-" : String.format(Locale.ROOT, "%.2f/s", r.predicted().goodput()),
                r.predicted() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.predicted().outputTokensPerSecond()),
                r.heldSeconds() + " s");
        w.println("           " + replicas(r.replicas()) + (r.unused().isEmpty() ? ""
                : "   (unused: " + String.join(", ", r.unused()) + ")"));
        w.flush();
    }

    /**
     * Prints what the columns mean, and where the report is.
     *
     * @param w      where
     * @param report the report's file
     */
    public static void footer(PrintWriter w, Path report) {
        w.println("goodput: requests/s within the SLO and tok/s: output tokens/s, both predicted for the whole site "
                + "on its true links; held: time no replica served while one launched (the first start holds "
                + "requests, a rolling change does not)");
        w.println("Report: " + report);
        w.flush();
    }

    /**
     * Writes the Markdown report.
     *
     * @param dir       the output directory
     * @param objective the objective the replicas were planned for
     * @param rows      every step
     * @return the file written
     * @throws IOException if it cannot be written
     */
    public static Path write(Path dir, Objective objective, List<EdgeSiteDemo.StepRow> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# " + heading(objective));
        lines.add("");
        lines.add("| step | min | change | loop did | replicas | unused | goodput (req/s) | tok/s | held (s) |");
        lines.add("|---:|---:|---|---|---|---|---:|---:|---:|");
        for (EdgeSiteDemo.StepRow r : rows) {
            lines.add(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s | %s | %d |", r.step(),
                    r.minute(), r.change(), r.actions().isEmpty() ? "nothing" : String.join(", ", r.actions()),
                    r.replicas().size() + ": " + replicas(r.replicas()).replace(" | ", "<br>"),
                    r.unused().isEmpty() ? "" : String.join(", ", r.unused()),
                    r.predicted() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.predicted().goodput()),
                    r.predicted() == null ? "-"
                            : String.format(Locale.ROOT, "%.1f", r.predicted().outputTokensPerSecond()),
                    r.heldSeconds()));
        }
        Path file = dir.resolve(FILE);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static String replicas(List<Placement> replicas) {
        return replicas.isEmpty() ? "none" : String.join(" | ", replicas.stream().map(Placement::toSpec).toList());
    }
}
