package dev.placement.cli;

import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.api.InvalidInputException;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
import dev.placement.core.ReplicaPlan;
import dev.placement.core.ReplicaPlanner;
import dev.placement.core.SolverAgent;
import dev.placement.core.VariantChoice;
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
            "the predicted TTFT/ITL/TPOT/throughput and why nodes were left out.",
            "With --replicas, several pipelines on disjoint groups of nodes."},
        footer = {"", "Example:",
            "  placement plan --cluster examples/config/cluster-3xT4.yaml \\",
            "      --connectivity examples/config/connectivity-slow-node2.yaml \\",
            "      --model tiiuae/Falcon3-10B-Base --objective itl --format json",
            "", "Exit codes: 0 a placement, 2 bad input, 3 no feasible placement (the reason on stderr)."})
final class PlanCommand implements Callable<Integer> {
    /** The most placements {@code --frontier} lists. */
    static final int FRONTIER_POINTS = 8;

    @Mixin
    PlanningOptions inputs = new PlanningOptions();

    @Option(names = "--objective", paramLabel = "GOAL", defaultValue = "itl",
            description = "itl, ttft, throughput, balanced or goodput (with --slo) (default ${DEFAULT-VALUE}). "
                    + "Whatever the goal, the placement runs as many of the concurrent requests at once as any can.")
    String objective;

    @Option(names = "--frontier",
            description = "List the trade-off frontier instead: the placements no other beats on TTFT, ITL and "
                    + "throughput at once (at most 8), each with what it trades against the objective's choice.")
    boolean frontier;

    @Option(names = "--agent", paramLabel = "NAME", defaultValue = "solver",
            description = "solver (exact, the default), even (vLLM's default split on all nodes), proportional "
                    + "(by memory, like exo and llama.cpp), openai or gemini (an LLM, checked by the solver).")
    String agent;

    @Option(names = "--first-node", paramLabel = "ID",
            description = "The node that must be rank 0 (where the API server and clients are).")
    String firstNode;

    @Option(names = "--variant", paramLabel = "ID_OR_CONFIG",
            description = "Another variant of the model to choose among with the placement (e.g. its AWQ "
                    + "checkpoint's config.json; repeatable): the best predicted wins; only listed ones are chosen.")
    List<String> variants = new ArrayList<>();

    @Option(names = "--replicas", paramLabel = "auto|N",
            description = "Plan several pipelines on disjoint groups of nodes instead of one: auto (as many as "
                    + "serve the objective best) or N. The concurrent requests are split across them by capacity.")
    String replicas;

    @Mixin
    LlmAgentOptions llm = new LlmAgentOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;


    @Override
    public Integer call() {
        PlacementRequest request = inputs.request(PlanningOptions.objective(objective, inputs.slo), firstNode);
        PerformanceModel model = inputs.performanceModel();
        PrintWriter w = spec.commandLine().getOut();
        if (replicas != null) {
            return planReplicas(request, model, w);
        }
        if (frontier) {
            if (!agent.equalsIgnoreCase("solver")) {
                throw new InvalidInputException("--frontier", null, "lists the solver's frontier; it takes no --agent");
            }
            if (!variants.isEmpty()) {
                throw new InvalidInputException("--frontier", null, "lists one model's frontier; it takes no "
                        + "--variant");
            }
            List<Map<String, Object>> points = PlacementOutput.frontierJson(
                    new PlacementSolver(model).frontier(request, FRONTIER_POINTS), request.objective().slo());
            if (inputs.json()) {
                PlacementOutput.printJson(w, points);
            } else {
                PlacementOutput.printFrontierTable(w, points, request.objective().goal().cliName());
            }
            return 0;
        }
        PlacementAgent chosen = Agents.create(agent, model, llm);
        long start = System.nanoTime();
        PlacementDecision decision;
        Boolean proven = null;
        VariantChoice.Result choice = null;
        if (!variants.isEmpty()) {
            List<PlacementRequest> each = new ArrayList<>(List.of(request));
            for (String v : variants) {
                each.add(inputs.request(request.objective(), firstNode, v, "--variant"));
            }
            choice = VariantChoice.choose(chosen, model, each);
            request = choice.best().request();
            PlacementDecision d = choice.best().decision();
            decision = new PlacementDecision(d.placement(), d.agent(), choice.rationale() + "; " + d.rationale(),
                    d.predicted(), d.proposal());
        } else if (chosen instanceof SolverAgent) {
            // The solver's own answer, so that whether it is proven optimal is known.
            PlacementSolver.Solution s = new PlacementSolver(model).solve(request);
            decision = new PlacementDecision(s.best().placement(), SolverAgent.NAME, s.explanation(),
                    s.best().metrics(), null);
            proven = s.proven();
        } else {
            decision = chosen.decide(request);
        }
        double solveMillis = (System.nanoTime() - start) / 1e6;
        Prediction p = model.predict(decision.placement(), request);
        List<String> excluded = new ArrayList<>();
        for (String id : request.cluster().nodeIds()) {
            if (!decision.placement().uses(id)) {
                excluded.add(id);
            }
        }
        Map<String, Object> out = PlacementOutput.planJson(decision, request.objective(), request.model().name(), p,
                excluded, solveMillis, proven);
        if (choice != null) {
            out.put("variants", PlacementOutput.variantsJson(choice, request.objective().slo()));
        }
        if (out.get("llm") instanceof Map<?, ?> asked) {
            // Which key went to the LLM, by name only, so that a user can see it went where they meant.
            @SuppressWarnings("unchecked")
            Map<String, Object> llmJson = (Map<String, Object>) asked;
            llmJson.put("apiKey", llm.apiKeyName());
        }
        if (inputs.json()) {
            PlacementOutput.printJson(w, out);
        } else {
            PlacementOutput.printPlanTable(w, out);
        }
        return 0;
    }

    private int planReplicas(PlacementRequest request, PerformanceModel model, PrintWriter w) {
        if (frontier || !variants.isEmpty() || !agent.equalsIgnoreCase("solver")) {
            throw new InvalidInputException("--replicas", null, "plans with the solver alone; it takes no "
                    + (frontier ? "--frontier" : !variants.isEmpty() ? "--variant" : "--agent " + agent));
        }
        int count = replicaCount(replicas, request.workload().concurrency());
        int nodes = request.cluster().nodes().size();
        if (nodes > ReplicaPlanner.EXACT_MAX_NODES) {
            spec.commandLine().getErr().printf("planning replicas over %d nodes by local search...%n", nodes);
            spec.commandLine().getErr().flush();
        }
        ReplicaPlanner planner = new ReplicaPlanner(model);
        ReplicaPlan plan;
        try {
            plan = count == 0 ? planner.plan(request) : planner.plan(request, count);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--replicas", null, e.getMessage());
        }
        Map<String, Object> out = ReplicaOutput.json(plan, request.objective(), request.model().name());
        if (inputs.json()) {
            PlacementOutput.printJson(w, out);
        } else {
            ReplicaOutput.printTable(w, out);
        }
        return 0;
    }

    /** 0 for auto, else the count; one clear line when it is neither. */
    private static int replicaCount(String text, int concurrency) {
        String t = text.strip();
        if (t.equalsIgnoreCase("auto")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(t);
            if (n >= 1 && n <= concurrency) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidInputException("--replicas", null, "must be auto or a whole number from 1 to the "
                + "concurrency " + concurrency + ", was '" + text + "'");
    }
}
