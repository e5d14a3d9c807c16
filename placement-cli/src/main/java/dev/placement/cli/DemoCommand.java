package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import dev.placement.api.Objective;
import dev.placement.api.PlacementAgent;
import dev.placement.cli.demo.AgentRun;
import dev.placement.cli.demo.ConsoleComparison;
import dev.placement.cli.demo.DemoReport;
import dev.placement.cli.demo.DemoRun;
import dev.placement.cli.demo.DemoScenario;
import dev.placement.cli.demo.EdgeSiteDemo;
import dev.placement.cli.demo.EdgeSiteReport;
import dev.placement.core.CalibratedModel;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.sim.SimulatedClock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
 * {@code report.html}, {@code steps.csv} and {@code journal.jsonl}. With several agents
 * ({@code --agent solver,even}) each runs the same scenario on its own simulated cluster (the same seed) with
 * its own orchestrator, journal ({@code journal-<agent>.jsonl}) and calibration; the console shows the first
 * agent's table, then the agents side by side, and one report compares them. Runs in virtual time: an
 * hour-long scenario with minute-long restarts takes a second or two per agent.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "Run the orchestrator on a simulated edge cluster as its links slow down (the main demo).",
        description = {
            "Runs the orchestrator on a simulated edge cluster (by default the research",
            "testbed: 3x T4 and Falcon3-10B-Base) while the latency of its links rises step",
            "by step, a node fails and comes back. Each step prints the running split,",
            "whether the orchestrator reconfigured and why, and the",
            "TTFT/ITL/TPOT/throughput it achieves beside vLLM's default split. Writes",
            "report.html (charts), steps.csv and journal.jsonl into --out. Virtual time: it",
            "takes seconds, not hours.",
            "",
            "Several agents (--agent solver,even,proportional) run the same scenario side",
            "by side, each on its own simulated cluster with the same seed, and one report",
            "compares them with a fixed all-node and a fixed 2-node placement; steps.csv",
            "then has a row per agent and step (its agent column), and each agent writes",
            "journal-<agent>.jsonl."},
        footer = {"",
            "Scenario files: 'placement demo --print-scenario > my.yaml' prints the",
            "built-in one with every field explained; edit it and run 'placement demo",
            "--scenario my.yaml'."})
final class DemoCommand implements Callable<Integer> {
    /** When every agent's simulated clock starts. */
    static final Instant SIMULATION_START = Instant.parse("2026-01-01T00:00:00Z");
    /** The journal's file name with one agent; with several, {@code journal-<agent>.jsonl} each. */
    static final String JOURNAL = "journal.jsonl";

    @Option(names = "--agent", paramLabel = "NAME[,NAME...]", defaultValue = "solver",
            description = "Who chooses placements: solver (exact, the default), even (vLLM's split on all nodes), "
                    + "proportional (by memory), openai or gemini (an LLM, checked by the solver). A comma-separated "
                    + "list runs each on its own simulated cluster and compares them, e.g. solver,even,proportional; "
                    + "the --llm-* options then apply to every LLM agent of the list.")
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

    @Option(names = "--scenario", paramLabel = "NAME|FILE",
            description = "edge-site: the replica demo (12x T4 on 3 switches, several replicas rolled over one at a "
                    + "time as links degrade and a switch fails); or a YAML timeline file to run instead of the "
                    + "built-in one (see --print-scenario).")
    String scenarioName;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/placement-demo",
            description = "Where to write report.html, steps.csv and journal.jsonl (journal-<agent>.jsonl each with "
                    + "several agents) (default target/placement-demo).")
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
        if (EdgeSiteDemo.NAME.equals(scenarioName)) {
            return edgeSite(w);
        }
        DemoScenario scenario = scenarioName == null ? DemoScenario.builtIn()
                : DemoScenario.read(Path.of(scenarioName));
        if (objective != null) {
            scenario = scenario.withObjective(PlanningOptions.objective(objective, slo));
        } else if (slo != null) {
            scenario = scenario.withObjective(scenario.objective().withSlo(PlanningOptions.slo(slo)));
        }
        List<String> keys = agentKeys(agent);
        if (keys.stream().noneMatch(LlmAgentOptions::isLlm)) {
            llm.requireUnusedUnless(keys.get(0)); // --llm-* given without any LLM agent
        }
        Path dir = outputDirectory();
        List<Contender> contenders = new ArrayList<>();
        try {
            for (String key : keys) {
                contenders.add(contender(key, dir.resolve(journalName(key, keys.size() == 1))));
            }
            return run(w, scenario, contenders, dir, t0);
        } finally {
            contenders.forEach(c -> c.journal().close());
        }
    }

    /** @return {@code --out}, created, without the journals of an earlier run (they would mislead) */
    private Path outputDirectory() {
        Path dir = out.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(JOURNAL));
            for (String name : Agents.names()) {
                Files.deleteIfExists(dir.resolve(journalName(name, false)));
            }
        } catch (IOException e) {
            throw new InvalidInputException("--out", null, "cannot write to " + dir + ": " + e.getMessage());
        }
        return dir;
    }

    /** The replica demo: the replica planner decides, so the agent and calibration options do not apply. */
    private int edgeSite(PrintWriter w) {
        if (!"solver".equals(agent) || calibration != null) {
            throw new InvalidInputException(calibration != null ? "--calibration" : "--agent", null,
                    "--scenario edge-site plans replicas with the replica planner; --agent and --calibration do not "
                            + "apply to it");
        }
        llm.requireUnusedUnless("solver");
        Objective goal = objective != null ? PlanningOptions.objective(objective, slo)
                : slo != null ? EdgeSiteDemo.OBJECTIVE.withSlo(PlanningOptions.slo(slo)) : EdgeSiteDemo.OBJECTIVE;
        Path dir = outputDirectory();
        w.println(EdgeSiteReport.heading(goal));
        EdgeSiteReport.header(w);
        try (DecisionJournal journal = DecisionJournal.openFile(dir.resolve(JOURNAL))) {
            List<EdgeSiteDemo.StepRow> rows = new EdgeSiteDemo(goal, journal).run(SIMULATION_START,
                    row -> EdgeSiteReport.print(w, row));
            EdgeSiteReport.footer(w, EdgeSiteReport.write(dir, goal, rows));
        } catch (IOException e) {
            throw new InvalidInputException("--out", null, "cannot write to " + dir + ": " + e.getMessage());
        }
        return 0;
    }

    /** One agent ready to run: its own clock, planner (calibration state) and journal. */
    private record Contender(String key, PlacementAgent agent, CalibratedModel planner, SimulatedClock clock,
            DecisionJournal journal, Path journalFile) {
    }

    private Contender contender(String key, Path journalFile) {
        // The planner starts from the defaults (or a calibration) and learns the scenario's truth as it runs.
        CalibratedModel planner = CalibratedModel.startingFrom(PlanningOptions.performanceModel(calibration));
        DecisionJournal journal = DecisionJournal.openFile(journalFile);
        try {
            // The journal is also the LLM agent's few-shot history: what ran so far and what it measured. An
            // agent that is no LLM is built without the LLM options, which another agent of the list uses.
            PlacementAgent chosen = Agents.create(key, planner, LlmAgentOptions.isLlm(key) ? llm
                    : new LlmAgentOptions(), journal);
            return new Contender(key, chosen, planner, SimulatedClock.at(SIMULATION_START), journal, journalFile);
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    private int run(PrintWriter w, DemoScenario scenario, List<Contender> contenders, Path dir, long t0) {
        boolean several = contenders.size() > 1;
        w.println("Placement demo: " + scenario.name());
        w.printf(Locale.ROOT, "%s %s%s objective %s, seed %d; %d steps of %d virtual minutes, restart %d s%n%n",
                several ? "agents" : "agent", String.join(", ", contenders.stream().map(c -> c.agent().name())
                        .toList()), several ? ";" : ",", scenario.objective().goal().cliName(), seed,
                scenario.steps().size(),
                scenario.step().toMinutes(), scenario.restart().toSeconds());
        if (several) {
            w.println(contenders.get(0).key() + " (the others follow side by side below; every agent's steps are in "
                    + "steps.csv and the report):");
        }
        w.println(ConsoleTable.header());
        w.flush();
        List<AgentRun> runs = new ArrayList<>();
        for (int i = 0; i < contenders.size(); i++) {
            Contender c = contenders.get(i);
            if (i > 0) {
                w.printf(Locale.ROOT, "%s: running on its own simulated cluster (seed %d)...", c.key(), seed);
                w.flush();
            }
            boolean table = i == 0;
            List<DemoRun.StepRow> rows = new DemoRun(scenario, c.agent(), c.planner(), c.clock(), seed, c.journal())
                    .run(row -> {
                        if (table) {
                            w.println(ConsoleTable.row(row));
                            w.flush();
                        }
                    });
            AgentRun run = new AgentRun(c.key(), c.agent().name(), rows);
            runs.add(run);
            if (i == 0) {
                w.println();
            }
            w.printf(Locale.ROOT, "%s%d reconfigurations, %d decisions journaled.%n", i == 0 ? "" : " ",
                    run.reconfigurations(), c.journal().entries().size());
            w.flush();
        }
        DemoReport.write(dir, scenario, seed, runs);
        if (several) {
            w.println();
            w.print(ConsoleComparison.render(runs));
        }
        w.printf(Locale.ROOT, "%nFinished in %.1f s.%n", (System.nanoTime() - t0) / 1e9);
        w.println("Report: " + dir.resolve(DemoReport.HTML));
        w.println("Also:   " + dir.resolve(DemoReport.CSV) + ", " + String.join(", ", contenders.stream()
                .map(c -> c.journalFile().toString()).toList()));
        w.flush();
        return 0;
    }

    /**
     * @param value the {@code --agent} value: one name or a comma-separated list
     * @return the agents' names, trimmed and in lower case, in the order given
     * @throws InvalidInputException naming {@code --agent} if a name is empty, unknown or given twice
     */
    static List<String> agentKeys(String value) {
        List<String> keys = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String key = part.trim().toLowerCase(Locale.ROOT);
            if (!Agents.names().contains(key)) {
                throw new InvalidInputException("--agent", null, (key.isEmpty() ? "an empty agent name in '" + value
                        + "'" : "unknown agent '" + part.trim() + "'") + "; valid agents: "
                        + String.join(", ", Agents.names()) + " (a comma-separated list runs several)");
            }
            if (keys.contains(key)) {
                throw new InvalidInputException("--agent", null, "agent '" + key + "' is given twice in '" + value
                        + "'");
            }
            keys.add(key);
        }
        return keys;
    }

    /**
     * @param key   an agent's name
     * @param alone whether it is the only agent of the run
     * @return its journal's file name: {@value #JOURNAL} alone, {@code journal-<agent>.jsonl} beside others
     */
    static String journalName(String key, boolean alone) {
        return alone ? JOURNAL : "journal-" + key + ".jsonl";
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
