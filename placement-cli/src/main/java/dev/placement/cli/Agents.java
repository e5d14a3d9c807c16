package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import dev.placement.api.PlacementAgent;
import dev.placement.core.EvenSplitAgent;
import dev.placement.core.PerformanceModel;
import dev.placement.core.ProportionalAgent;
import dev.placement.core.SolverAgent;
import dev.placement.api.PlacementHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Maps an {@code --agent} name to a {@link PlacementAgent}: the one place the CLI builds agents. Built in:
 * {@code solver}, {@code even}, {@code proportional}; LLM providers ({@code openai}, {@code gemini}) are built
 * by {@link LlmAgentOptions}, guarded by the solver. Stateless.
 */
final class Agents {
    /** The agents that need no LLM, in the order help text lists them. */
    static final List<String> BUILT_IN = List.of(SolverAgent.NAME, EvenSplitAgent.NAME, ProportionalAgent.NAME);

    private Agents() {
    }

    /** @return every valid {@code --agent} name */
    static List<String> names() {
        List<String> all = new ArrayList<>(BUILT_IN);
        all.addAll(LlmAgentOptions.PROVIDERS);
        return all;
    }

    /**
     * Builds an agent.
     *
     * @param name  the {@code --agent} value, case-insensitive
     * @param model the performance model the agents predict and check with
     * @param llm   the LLM options (used only for LLM agents)
     * @return the agent
     * @throws InvalidInputException naming {@code --agent} and listing the valid names when unknown, or an LLM
     *                               option when it is invalid or given without an LLM agent
     */
    static PlacementAgent create(String name, PerformanceModel model, LlmAgentOptions llm) {
        return create(name, model, llm, PlacementHistory.none());
    }

    /**
     * Builds an agent; an LLM agent is shown {@code history} as few-shot examples.
     *
     * @param name    the {@code --agent} value, case-insensitive
     * @param model   the performance model the agents predict and check with
     * @param llm     the LLM options (used only for LLM agents)
     * @param history the placements that ran and their measured metrics (used only by LLM agents); not null
     * @return the agent
     * @throws InvalidInputException naming {@code --agent} and listing the valid names when unknown, or an LLM
     *                               option when it is invalid or given without an LLM agent
     */
    static PlacementAgent create(String name, PerformanceModel model, LlmAgentOptions llm,
            PlacementHistory history) {
        return create(name, () -> model, llm, history);
    }

    /**
     * Builds an agent that reads its model at every decision (a model the loop keeps calibrating, for
     * example); an LLM agent is shown {@code history} as few-shot examples.
     *
     * @param name    the {@code --agent} value, case-insensitive
     * @param model   supplies the performance model the agents predict and check with
     * @param llm     the LLM options (used only for LLM agents)
     * @param history the placements that ran and their measured metrics (used only by LLM agents); not null
     * @return the agent
     * @throws InvalidInputException naming {@code --agent} and listing the valid names when unknown, or an LLM
     *                               option when it is invalid or given without an LLM agent
     */
    static PlacementAgent create(String name, Supplier<PerformanceModel> model, LlmAgentOptions llm,
            PlacementHistory history) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        llm.requireUnusedUnless(n);
        return switch (n) {
            case SolverAgent.NAME -> new SolverAgent(model);
            case EvenSplitAgent.NAME -> new EvenSplitAgent(model);
            case ProportionalAgent.NAME -> new ProportionalAgent(model);
            default -> {
                if (LlmAgentOptions.isLlm(n)) {
                    yield llm.agent(n, model, history);
                }
                throw new InvalidInputException("--agent", null, "unknown agent '" + name + "'; valid agents: "
                        + String.join(", ", names()));
            }
        };
    }
}
