package dev.placement.cli;

import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement plan}: chooses a placement for a model on a cluster with an agent (the exact solver by
 * default) and prints it with its predicted metrics and rationale.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "Choose the best placement: nodes, rank order and layers per node.",
        description = {
            "Chooses which nodes run the model, in which order, with how many layers",
            "each, for an objective; prints the placement, vLLM's VLLM_PP_LAYER_PARTITION,",
            "the predicted TTFT/ITL/TPOT/throughput and why nodes were left out."},
        footer = {"", "Example:",
            "  placement plan --cluster examples/config/cluster-3xT4.yaml \\",
            "      --connectivity examples/config/connectivity-slow-node2.yaml \\",
            "      --model tiiuae/Falcon3-10B-Base --objective itl --format json",
            "", "Exit codes: 0 a placement, 2 bad input, 3 no feasible placement (the reason on stderr)."})
final class PlanCommand implements Callable<Integer> {

    @Mixin
    PlanningOptions inputs = new PlanningOptions();

    @Option(names = "--objective", paramLabel = "GOAL", defaultValue = "itl",
            description = "itl, ttft, throughput or balanced (default ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--agent", paramLabel = "NAME", defaultValue = "solver",
            description = "solver (exact, the default), even (vLLM's default split on all nodes), proportional "
                    + "(by memory, like exo and llama.cpp), openai or gemini (an LLM, checked by the solver).")
    String agent;

    @Option(names = "--first-node", paramLabel = "ID",
            description = "The node that must be rank 0 (where the API server and clients are).")
    String firstNode;

    @Mixin
    LlmAgentOptions llm = new LlmAgentOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;


    @Override
    public Integer call() {
        PlacementRequest request = inputs.request(PlanningOptions.objective(objective), firstNode);
        PerformanceModel model = inputs.performanceModel();
        PlacementAgent chosen = Agents.create(agent, model, llm);
        long start = System.nanoTime();
        PlacementDecision decision = chosen.decide(request);
        double solveMillis = (System.nanoTime() - start) / 1e6;
        Prediction p = model.predict(decision.placement(), request);
        List<String> excluded = new ArrayList<>();
        for (String id : request.cluster().nodeIds()) {
            if (!decision.placement().uses(id)) {
                excluded.add(id);
            }
        }
        Map<String, Object> out = PlacementOutput.planJson(decision, request.objective().goal().cliName(),
                request.model().name(), p, excluded, solveMillis);
        PrintWriter w = spec.commandLine().getOut();
        if (inputs.json()) {
            PlacementOutput.printJson(w, out);
        } else {
            PlacementOutput.printPlanTable(w, out);
        }
        return 0;
    }
}
