package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import dev.placement.api.Objective;
import dev.placement.api.PlacementAgent;
import dev.placement.cli.demo.DemoReport;
import dev.placement.cli.demo.DemoRun;
import dev.placement.cli.demo.DemoScenario;
import dev.placement.core.CalibratedModel;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.sim.SimulatedClock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement demo}: runs the orchestrator on a simulated edge cluster through a scripted timeline of
 * link latencies and node failures, prints one row per step beside vLLM's default split, and writes
 * {@code report.html}, {@code steps.csv} and {@code journal.jsonl}. Runs in virtual time: an hour-long
 * scenario with minute-long restarts takes a second or two.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "Run the orchestrator on a simulated edge cluster as its links slow down (the main demo).",
        description = {
            "Runs the orchestrator on a simulated edge cluster (by default the research testbed: 3x T4 and",
            "Falcon3-10B-Base) while the latency of its links rises step by step, a node fails and comes back.",
            "Each step prints the running split, whether the orchestrator reconfigured and why, and the",
            "predicted TTFT/ITL/TPOT/throughput beside vLLM's default split. Writes report.html (charts),",
            "steps.csv and journal.jsonl into --out. Virtual time: it takes seconds, not hours."},
        footer = {"", "Scenario files: 'placement demo --print-scenario > my.yaml' prints the built-in one with every",
            "field explained; edit it and run 'placement demo --scenario my.yaml'."})
final class DemoCommand implements Callable<Integer> {
    private static final Instant SIMULATION_START = Instant.parse("2026-01-01T00:00:00Z");

    @Option(names = "--agent", paramLabel = "NAME", defaultValue = "solver",
            description = "Who chooses placements: solver (exact, the default), even (vLLM's split on all nodes), "
                    + "proportional (by memory), openai or gemini (an LLM, checked by the solver).")
    String agent;

    @Option(names = "--objective", paramLabel = "GOAL",
            description = "itl, ttft, throughput, balanced or goodput (with --slo) (default: the scenario's, itl in "
                    + "the built-in one).")
    String objective;

    @Option(names = "--slo", paramLabel = "KEY=MS,...",
            description = "Per-request SLOs in ms (ttft=MS,itl=MS,tpot=MS,e2el=MS) for --objective goodput.")
    String slo;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the simulation's measurement noise (default 1); the same seed gives the same run.")
    long seed;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "Start the planner from this calibration file (placement calibrate writes one) instead of "
                    + "the default parameters; it keeps learning from what the simulated cluster measures.")
    Path calibration;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "A YAML timeline to run instead of the built-in one (see --print-scenario).")
    Path scenarioFile;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/placement-demo",
            description = "Where to write report.html, steps.csv and journal.jsonl (default target/placement-demo).")
    Path out;

    @Option(names = "--print-scenario",
            description = "Print the built-in scenario file, with its format explained, and exit.")
    boolean printScenario;

    @Mixin
    LlmAgentOptions llm = new LlmAgentOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        if (printScenario) {
            w.print(DemoScenario.builtInText());
            w.flush();
            return 0;
        }
        long t0 = System.nanoTime();
        DemoScenario scenario = scenarioFile == null ? DemoScenario.builtIn() : DemoScenario.read(scenarioFile);
        if (objective != null) {
            scenario = scenario.withObjective(PlanningOptions.objective(objective, slo));
        } else if (slo != null) {
            scenario = scenario.withObjective(scenario.objective().withSlo(PlanningOptions.slo(slo)));
        }
        Path dir = out.toAbsolutePath().normalize();
        Path journalFile = dir.resolve("journal.jsonl");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(journalFile);
        } catch (IOException e) {
            throw new InvalidInputException("--out", null, "cannot write to " + dir + ": " + e.getMessage());
        }
        SimulatedClock clock = SimulatedClock.at(SIMULATION_START);
        // The planner starts from the defaults (or a calibration) and learns the scenario's truth as it runs.
        CalibratedModel planner = CalibratedModel.startingFrom(PlanningOptions.performanceModel(calibration));
        List<DemoRun.StepRow> rows;
        try (DecisionJournal journal = DecisionJournal.openFile(journalFile)) {
            // The journal is also the LLM agent's few-shot history: what ran so far and what it measured.
            PlacementAgent chosen = Agents.create(agent, planner, llm, journal);
            w.println("Placement demo: " + scenario.name());
            w.printf(Locale.ROOT, "agent %s, objective %s, seed %d; %d steps of %d virtual minutes, restart %d s%n%n",
                    chosen.name(), scenario.objective().goal().cliName(), seed, scenario.steps().size(),
                    scenario.step().toMinutes(), scenario.restart().toSeconds());
            w.println(ConsoleTable.header());
            w.flush();
            rows = new DemoRun(scenario, chosen, planner, clock, seed, journal).run(row -> {
                w.println(ConsoleTable.row(row));
                w.flush();
            });
            DemoReport.write(dir, scenario, chosen.name(), seed, rows);
            double seconds = (System.nanoTime() - t0) / 1e9;
            w.println();
            w.printf(Locale.ROOT, "%d reconfigurations, %d decisions journaled; finished in %.1f s.%n",
                    rows.stream().mapToInt(DemoRun.StepRow::reconfigurations).sum(), journal.entries().size(),
                    seconds);
        }
        w.println("Report: " + dir.resolve(DemoReport.HTML));
        w.println("Also:   " + dir.resolve(DemoReport.CSV) + ", " + journalFile);
        w.flush();
        return 0;
    }

    /** The console rendering of the demo's rows. */
    static final class ConsoleTable {
        private static final String FORMAT = "%-3s %-18s %-28s %-15s %6s %6s %6s %6s %8s %5s | %-28s %6s %6s %6s %6s";

        private ConsoleTable() {
        }

        static String header() {
            return String.format(Locale.ROOT, FORMAT, "#", "step", "running (node:layers)", "action", "TTFT", "ITL",
                    "TPOT", "tok/s", "pred.ITL", "err", "vLLM default split", "TTFT", "ITL", "TPOT", "tok/s")
                    + "\n" + String.format(Locale.ROOT, FORMAT, "", "", "", "", "ms", "ms", "ms", "", "ms", "%", "",
                    "ms", "ms", "ms", "");
        }

        static String row(DemoRun.StepRow r) {
            DemoRun.Series o = r.orchestrator();
            DemoRun.Series b = r.baselines().get(0);
            String error = r.predictionError() == null ? "-"
                    : String.format(Locale.ROOT, "%.1f", r.predictionError() * 100);
            String line = String.format(Locale.ROOT, FORMAT, r.index(), cut(r.label(), 18), placement(o), r.action(),
                    cell(o, 0), cell(o, 1), cell(o, 2), cell(o, 3), cell(r.predicted(), 1), error, placement(b),
                    cell(b, 0), cell(b, 1), cell(b, 2), cell(b, 3));
            return r.action().equals("no change") ? line : line + "\n    why: " + r.reason();
        }

        private static String placement(DemoRun.Series s) {
            return s.placement() == null ? "(none)" : cut(s.placement().toSpec(), 28);
        }

        private static String cell(DemoRun.Series s, int metric) {
            String v = DemoReport.format(metric, s.metrics());
            return v.isEmpty() ? "-" : v;
        }

        private static String cut(String s, int width) {
            return s.length() <= width ? s : s.substring(0, width - 1) + "~";
        }
    }
}
