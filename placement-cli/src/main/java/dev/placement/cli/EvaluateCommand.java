package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import dev.placement.api.Objective;
import dev.placement.api.PlacementAgent;
import dev.placement.core.PerformanceModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement evaluate}: runs an agent on a set of scenarios and prints, per scenario, its placement and
 * predicted metrics beside the solver's best and its regret on the objective, then the mean and worst regret.
 * The research's comparison of GPT and Gemini, repeatable for any model, a local OpenAI-compatible one included.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "Compare an agent's placements with the solver's best over a set of scenarios.",
        description = {
            "Runs an agent on each scenario (a cluster, its links, a model, a workload)",
            "and prints its placement and predicted TTFT/ITL/TPOT/throughput, the",
            "solver's best placement and metrics, and the agent's regret: how much worse",
            "it is on the objective, in percent (ineligible, with the reason, when its",
            "placement does not fit). For an LLM agent the table shows what the guard did",
            "and the LLM's answer, clipped; json and csv keep the answers whole.",
            "Without --scenarios: the built-in set (the research's latency ladder on",
            "3x T4, a heterogeneous 5-node cluster, an 8-node one)."},
        footer = {"", "Examples:",
            "  placement evaluate --agent even",
            "  placement evaluate --agent openai --llm-model qwen3-8b \\",
            "      --llm-base-url http://127.0.0.1:8000/v1 --scenarios my-scenarios/ \\",
            "      --format json",
            "", "Exit codes: 0 at least one scenario evaluated, 1 none could be, 2 bad input."})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--agent", paramLabel = "NAME", required = true,
            description = "The agent to judge: solver, even (vLLM's default split on all nodes), proportional "
                    + "(by memory), openai or gemini (an LLM, behind the guard).")
    String agent;

    @Option(names = "--scenarios", paramLabel = "DIR",
            description = "A directory of scenario files (*.yaml, *.yml, *.json), each with cluster, connectivity, "
                    + "model and optionally workload {inputLen, outputLen, concurrency} and maxModelLen; the file "
                    + "name is the scenario's (default: the built-in set).")
    Path scenarios;

    @Option(names = "--objective", paramLabel = "GOAL", defaultValue = "itl",
            description = "itl, ttft, throughput, balanced or goodput (with --slo) (default ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--slo", paramLabel = "KEY=MS,...",
            description = "Per-request SLOs in ms for --objective goodput: ttft=MS,itl=MS,tpot=MS,e2el=MS.")
    String slo;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "Predict with the model this calibration file adopted (default: the built-in defaults).")
    Path calibration;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (the default), json (one object) or csv (one line per scenario; the summary "
                    + "line goes to stderr).")
    String format;

    @Mixin
    LlmAgentOptions llm = new LlmAgentOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String f = format.toLowerCase(Locale.ROOT);
        if (!List.of("table", "json", "csv").contains(f)) {
            throw new InvalidInputException("--format", null, "unknown format '" + format
                    + "'; valid formats: table, json, csv");
        }
        Objective goal = PlanningOptions.objective(objective, slo);
        PerformanceModel model = PlanningOptions.performanceModel(calibration);
        AnswerRecorder answers = new AnswerRecorder();
        llm.clients = answers::wrap;
        PlacementAgent chosen = Agents.create(agent, model, llm);
        List<EvaluationScenario> set = scenarios == null ? EvaluationScenario.builtIn()
                : EvaluationScenario.readDirectory(scenarios);

        Evaluation evaluation = new Evaluation(chosen, model, goal, answers);
        PrintWriter err = spec.commandLine().getErr();
        List<Evaluation.Row> rows = new ArrayList<>();
        for (EvaluationScenario s : set) {
            if (set.size() > 1) {
                err.printf(Locale.ROOT, "evaluate: [%d/%d] %s%n", rows.size() + 1, set.size(), s.name());
                err.flush();
            }
            rows.add(evaluation.evaluate(s));
        }

        PrintWriter out = spec.commandLine().getOut();
        String name = agent.trim().toLowerCase(Locale.ROOT);
        switch (f) {
            case "json" -> EvaluationOutput.printJson(out, name, goal.goal().cliName(), rows);
            case "csv" -> {
                EvaluationOutput.printCsv(out, rows);
                err.println(EvaluationOutput.summaryLine(EvaluationOutput.summary(rows)));
            }
            default -> EvaluationOutput.printTable(out, String.format(Locale.ROOT, "agent %s, objective %s, %s (%s)",
                    name, goal.goal().cliName(), EvaluationOutput.scenarios(set.size()),
                    scenarios == null ? "the built-in set" : scenarios), rows);
        }
        if (rows.stream().noneMatch(Evaluation.Row::evaluated)) {
            err.println("placement: no scenario could be evaluated; the reasons are in the output");
            err.flush();
            return 1;
        }
        err.flush();
        return 0;
    }
}
